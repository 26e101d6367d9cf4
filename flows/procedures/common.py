"""Transitions and steps that every dossier procedure shares (Decree 118/2025 one-stop rules)."""

from __future__ import annotations

from flows.procedures.schema import OnceOnly, Role, Status, Step, StepStart, Transition

S = Status
H, L, A, SYS = Role.handler, Role.leader, Role.agency, Role.system
OPEN = (S.received, S.awaiting_supplement, S.in_review, S.awaiting_decision)

# to_status None: the action keeps the status, or the engine derives it (receive-supplement goes
# back to where the dossier was; sign goes to the outcome's status).
STANDARD_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        action="accept",
        roles=(H,),
        from_statuses=(S.received,),
        to_status=S.in_review,
        title_vi="Tiếp nhận hồ sơ hợp lệ",
        title_en="Accept as complete and valid",
    ),
    Transition(
        action="request-supplement",
        roles=(H,),
        from_statuses=(S.received, S.in_review),
        to_status=S.awaiting_supplement,
        title_vi="Yêu cầu bổ sung hồ sơ",
        title_en="Request a supplement",
    ),
    Transition(
        action="receive-supplement",
        roles=(H,),
        from_statuses=(S.awaiting_supplement,),
        title_vi="Nhận hồ sơ bổ sung",
        title_en="Receive the supplement",
    ),
    Transition(
        action="reject-intake",
        roles=(H,),
        from_statuses=(S.received, S.awaiting_supplement),
        to_status=S.rejected_at_intake,
        title_vi="Từ chối tiếp nhận",
        title_en="Refuse to receive",
    ),
    Transition(
        action="assign",
        roles=(H, L),
        from_statuses=OPEN,
        title_vi="Phân công xử lý",
        title_en="Assign",
    ),
    Transition(
        action="consult",
        roles=(H,),
        from_statuses=(S.in_review,),
        title_vi="Lấy ý kiến cơ quan liên quan",
        title_en="Consult agencies",
    ),
    Transition(
        action="respond",
        roles=(A,),
        from_statuses=OPEN,
        title_vi="Cơ quan trả lời",
        title_en="Agency answers",
    ),
    Transition(
        action="propose",
        roles=(H,),
        from_statuses=(S.in_review,),
        to_status=S.awaiting_decision,
        title_vi="Trình dự thảo quyết định",
        title_en="Propose a decision",
    ),
    Transition(
        action="sign",
        roles=(L,),
        from_statuses=(S.awaiting_decision,),
        title_vi="Ký quyết định",
        title_en="Sign the decision",
    ),
    Transition(
        action="return",
        roles=(L,),
        from_statuses=(S.awaiting_decision,),
        to_status=S.in_review,
        title_vi="Trả lại dự thảo",
        title_en="Return the draft",
    ),
    Transition(
        action="extend",
        roles=(H,),
        from_statuses=(S.awaiting_supplement, S.in_review, S.awaiting_decision),
        title_vi="Xin lỗi và hẹn lại ngày trả kết quả",
        title_en="Apologise and set a new date",
    ),
    Transition(
        action="withdraw",
        roles=(H,),
        from_statuses=OPEN,
        to_status=S.withdrawn,
        title_vi="Tổ chức rút hồ sơ",
        title_en="Applicant withdraws",
    ),
    # Fired by the deadline sweep, never by a person.
    Transition(
        action="remind",
        roles=(SYS,),
        from_statuses=OPEN,
        title_vi="Nhắc hạn trả lời",
        title_en="Remind an agency",
    ),
    Transition(
        action="expire-consultation",
        roles=(SYS,),
        from_statuses=OPEN,
        title_vi="Quá hạn trả lời",
        title_en="Agency deadline passed",
    ),
    Transition(
        action="flag-at-risk",
        roles=(SYS,),
        from_statuses=(S.in_review, S.awaiting_decision),
        title_vi="Sắp đến hạn",
        title_en="Appointment date near",
    ),
    Transition(
        action="flag-late",
        roles=(SYS,),
        from_statuses=(S.in_review, S.awaiting_decision),
        title_vi="Quá hạn giải quyết",
        title_en="Appointment date passed",
    ),
    Transition(
        action="flag-step-overdue",
        roles=(SYS,),
        from_statuses=OPEN,
        title_vi="Quá hạn bước xử lý",
        title_en="Step deadline passed",
    ),
)

# Building blocks the procedure files share. Each procedure file still states every rule of
# its procedure; these only spare repeating the same legal text word for word.

NATIONAL_RECEIVER = "UBCT-PCPNN"  # Committee for Foreign NGO Affairs (Ủy ban công tác về PCPNN)
NATIONAL_DECIDER = "BNG"  # Ministry of Foreign Affairs (Bộ Ngoại giao)
# Decision 3155/QĐ-BNG: the standing members consulted on every certificate.
STANDING_MEMBERS = ("BCA", "BTC", "BNV", "NHNN")

# The reference province's (Quảng Trị) agencies; another province publishes its own version.
PROVINCE_PPC = "UBND-QT"
PROVINCE_FOREIGN_AFFAIRS = "SNGV-QT"  # Sở Ngoại vụ (in some provinces now the PPC Office)
PROVINCE_FINANCE = "STC-QT"  # managing agency for aid since Planning merged into Finance
PROVINCE_POLICE = "CA-QT"
PROVINCE_FRIENDSHIP = "LHHN-QT"  # Liên hiệp các tổ chức hữu nghị tỉnh

INTAKE_SUPPLEMENT_ONCE = OnceOnly(
    action="request-supplement",
    phase="intake",
    legal_basis="Decree 118/2025/NĐ-CP (one-stop shop): an incomplete dossier is guided once, "
    "in writing, with every missing item (form 02).",
)
REVIEW_SUPPLEMENT_ONCE = OnceOnly(
    action="request-supplement",
    phase="review",
    legal_basis="Decree 118/2025/NĐ-CP: a supplement during review is asked once (default of "
    "this procedure; the clock stops while the applicant supplements).",
)
EXTENSION_ONCE = OnceOnly(
    action="extend",
    legal_basis="Circular 01/2018/TT-VPCP, kept in Decree 118/2025 practice: the apology and new "
    "appointment date (form 04) is given once.",
)

INTAKE_STEP = Step(
    name="intake",
    title_vi="Kiểm tra tính đầy đủ, hợp lệ của hồ sơ",
    title_en="Completeness check",
    role=Role.handler,
    statuses=(Status.received, Status.awaiting_supplement),
    working_days=2,
    starts_on=StepStart.received,
    ends_with=("accept", "reject-intake", "request-supplement"),
    legal_basis="Decree 58/2022/NĐ-CP Art 11: completeness checked within 2 WD of receipt.",
)


def intake_step(working_days: int, legal_basis: str) -> Step:
    """The completeness check with the procedure's own period."""
    return INTAKE_STEP.model_copy(update={"working_days": working_days, "legal_basis": legal_basis})


def requests_step(working_days: int, legal_basis: str) -> Step:
    """Sending the consultation requests, counted from acceptance."""
    return Step(
        name="requests",
        title_vi="Gửi văn bản lấy ý kiến các cơ quan liên quan",
        title_en="Send the consultation requests",
        role=Role.handler,
        statuses=(Status.in_review,),
        working_days=working_days,
        starts_on=StepStart.accepted,
        ends_with=("consult",),
        legal_basis=legal_basis,
    )


def answers_step(working_days: int, legal_basis: str, title_vi: str = "") -> Step:
    """The consulted agencies answer in writing; each request has its own due date."""
    return Step(
        name="consultation",
        title_vi=title_vi or "Các cơ quan nghiên cứu, có ý kiến bằng văn bản",
        title_en="Agencies answer in writing",
        role=Role.agency,
        statuses=(Status.in_review,),
        working_days=working_days,
        legal_basis=legal_basis,
    )


def decision_step(working_days: int | None, title_vi: str, title_en: str, legal_basis: str) -> Step:
    """The deciding body's own period, from the draft reaching it to the signature."""
    return Step(
        name="decision",
        title_vi=title_vi,
        title_en=title_en,
        role=Role.leader,
        statuses=(Status.awaiting_decision,),
        working_days=working_days,
        starts_on=StepStart.proposed if working_days else None,
        ends_with=("sign", "return"),
        legal_basis=legal_basis,
    )


def content_check_step() -> Step:
    """A re-issue's or closure's content check (nobody is consulted)."""
    return Step(
        name="content-check",
        title_vi="Kiểm tra nội dung, trình ký",
        title_en="Content check and draft",
        role=Role.handler,
        statuses=(Status.in_review,),
    )


AID_FORWARD_TEXT_VI = (
    "Khoản viện trợ liên quan đến an ninh, quốc phòng, tôn giáo, viện trợ cho xây dựng văn bản "
    "quy phạm pháp luật hoặc có hàng hóa thuộc danh mục do Thủ tướng Chính phủ quyết định "
    "(Nghị định 313/2025/NĐ-CP): chuyển cơ quan có thẩm quyền, và chỉ những khoản đó."
)
AID_FORWARD_TEXT_EN = (
    "Aid touching security, defence or religion, aid for drafting legal documents, and aid "
    "with goods on the listed categories are decided by the Prime Minister (Decree "
    "313/2025/NĐ-CP): such aid is forwarded to the competent authority, and only such aid."
)
AID_FORWARD_FIELDS = (
    "touches_security_defence_religion",
    "for_legal_drafting",
    "includes_listed_goods",
)


NGO_OBLIGATIONS_VI = (
    "Quý tổ chức có trách nhiệm thực hiện đầy đủ các nghĩa vụ của tổ chức phi chính phủ nước "
    "ngoài theo quy định tại Nghị định số 58/2022/NĐ-CP, bao gồm chế độ thông báo, báo cáo định "
    "kỳ và đề nghị gia hạn trước khi giấy đăng ký hết hiệu lực."
)
NGO_OBLIGATIONS_EN = (
    "Your organisation is required to fulfil all the obligations of a foreign non-governmental "
    "organisation under Decree No. 58/2022/NĐ-CP, including notifications, periodic reports and "
    "applying for renewal before the certificate expires."
)
