"""Transitions and steps that every dossier procedure shares (Decree 118/2025 one-stop rules)."""

from __future__ import annotations

from flows.procedures.schema import Role, Status, Transition

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
)
