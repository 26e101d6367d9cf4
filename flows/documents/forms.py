"""Which one-stop form applies to a dossier, and the data of each form (pure: no I/O).

The forms are those of Circular 03/2025/TT-VPCP, Appendix I (guiding Decree 118/2025/NĐ-CP on
the one-stop shop), laid out as administrative documents of Decree 30/2020/NĐ-CP. Each form is
a typed model built from the dossier as the API shows it, its history (the audit trail), its
procedure definition and the agency registry; `flows.documents.render` prints it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from flows.calendar import VN_TZ, WorkingCalendar, local_date
from flows.documents.letters import reply_letter_note
from flows.errors import NotFound
from flows.procedures.schema import Outcome, ProcedureDefinition, Role, Status, Step
from models.schemas import DocumentPublic, DossierPublic, HistoryItem

Timeliness = Literal["early", "on_time", "late"]
Format = Literal["html", "pdf"]

DOSSIER_FORMS = ("01", "02", "03", "04", "05", "06")
"""The forms of one dossier; 07 (the register) covers a period."""
DECISION = "decision"

TITLES: dict[str, str] = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    "05": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "06": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "07": "SỔ THEO DÕI HỒ SƠ",
}
"""The exact titles of Circular 03/2025/TT-VPCP, Appendix I."""

TITLES_EN: dict[str, str] = {
    "01": "Receipt and appointment slip",
    "02": "Request to supplement the dossier",
    "03": "Refusal to receive the dossier",
    "04": "Apology and extension letter",
    "05": "Notice of stopping the processing of the dossier",
    "06": "Processing control slip",
    "07": "Dossier register",
    DECISION: "Signed decision or certificate",
}

# The reference of each letter after the dossier code ("Số: <code>/<suffix>").
NUMBER_SUFFIX = {"01": "TNHS", "02": "YCBS", "03": "TCTN", "04": "XLGH", "05": "TBDG", "06": "PKS"}

# What a form-carrying message attaches (notifications/delivery.py): template -> form.
MESSAGE_FORMS: dict[str, str] = {
    "receipt": "01",
    "supplement_request": "02",
    "intake_rejected": "03",
    "extension": "04",
    "stopped": "05",
    "decision": DECISION,
}

TIMELINESS_VI: dict[str, str] = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}

STATUS_VI: dict[str, str] = {
    "received": "Đã tiếp nhận, chờ kiểm tra",
    "awaiting_supplement": "Chờ bổ sung hồ sơ",
    "in_review": "Đang giải quyết",
    "awaiting_decision": "Chờ lãnh đạo ký",
    "approved": "Đã cấp / phê duyệt",
    "refused": "Từ chối",
    "forwarded": "Chuyển cấp có thẩm quyền",
    "rejected_at_intake": "Từ chối tiếp nhận",
    "withdrawn": "Đã rút hồ sơ",
}

ROLE_VI: dict[str, str] = {
    Role.handler: "Chuyên viên xử lý",
    Role.leader: "Lãnh đạo",
    Role.manager: "Quản lý",
    Role.agency: "Cơ quan được lấy ý kiến",
    Role.admin: "Quản trị hệ thống",
    Role.system: "Hệ thống",
}

# History rows of the control slip for actions that are not a procedure transition.
ACTION_VI = {"receive": "Tiếp nhận hồ sơ"}
# Recorded actions that hand nothing over (they stay in the timeline, not on form 06).
NOT_HAND_OFFS = frozenset({"upload-document", "remind", "flag-at-risk", "flag-late", "migrate"})
# The applicant acts; the officer who records it receives the dossier.
APPLICANT_ACTS = frozenset({"receive", "receive-supplement", "withdraw"})
# The dossier (or a letter about it) goes to the applicant.
TO_APPLICANT = frozenset({"request-supplement", "reject-intake", "extend", "sign"})
# Rows whose deadline is not a step of the procedure: the applicant's own acts, an agency's
# answer (its due date), the signature (the appointment date), and acts with no time limit.
OWN_DEADLINES = APPLICANT_ACTS | {"respond", "expire-consultation", "sign", "assign", "extend"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Letterhead(_Frozen):
    """Decree 30/2020 header: issuing body (under its parent), number, place and date."""

    parent: str | None
    body: str
    number: str
    place: str
    day: date


class Signature(_Frozen):
    """The signature block at the bottom right."""

    title: str
    name: str
    note: str = "(Ký, ghi rõ họ tên)"


class DossierFacts(_Frozen):
    """What every form says about the dossier and its applicant."""

    code: str
    applicant_name: str
    applicant_country: str
    applicant_email: str
    procedure_title: str
    subject: str
    received_at: datetime
    received_by: str
    applicant_is_agency: bool = False

    @property
    def applicant_term(self) -> str:
        """How a letter names its addressee: "tổ chức" (an NGO or donor), or "cơ quan" when
        the dossier comes from another state body (a province's opinion for the Committee)."""
        return "cơ quan" if self.applicant_is_agency else "tổ chức"


class Form(_Frozen):
    """One printable document: the layout's parts; subclasses add the body's data."""

    number: str
    title: str
    template: str
    letterhead: Letterhead
    dossier: DossierFacts | None
    recipients: tuple[str, ...]
    signature: Signature | None
    drafted_by: str = ""
    landscape: bool = False
    # The printable page's PDF link: the page's own query with format=pdf, or a period's
    # report would lose its period.
    pdf_query: str = "format=pdf"

    @property
    def filename(self) -> str:
        """The PDF's file name, e.g. UBCT-PCPNN-20261123-0001-mau-01.pdf."""
        stem = self.dossier.code if self.dossier else "so-theo-doi"
        suffix = "quyet-dinh" if self.number == DECISION else f"mau-{self.number}"
        return f"{stem}-{suffix}.pdf"


class ReceivedDocument(_Frozen):
    """One document of the dossier as received (thành phần hồ sơ), with its number of copies."""

    name: str
    copies: int = 1


class ReceiptForm(Form):
    """Form 01: receipt and appointment slip."""

    documents: tuple[ReceivedDocument, ...]
    sets: int
    total_working_days: int
    accepted_at: datetime
    appointment: datetime
    return_place: str
    officer: str


class SupplementForm(Form):
    """Form 02: the missing items, asked for once and in writing."""

    requested_at: datetime
    missing: tuple[str, ...]
    note: str
    during_review: bool
    contact: str


class IntakeRefusalForm(Form):
    """Form 03: refusal to receive, with the reason."""

    refused_at: datetime
    reason: str


class ExtensionForm(Form):
    """Form 04: apology, the reason and the new appointment date."""

    extended_at: datetime
    reason: str
    previous_due_date: date | None
    appointment: datetime
    working_days: int


class StopForm(Form):
    """Form 05: notice of stopping (the applicant withdrew the dossier)."""

    stopped_at: datetime
    reason: str


class HandOff(_Frozen):
    """One line of form 06: who handed the dossier to whom, when, against which deadline."""

    index: int
    step: str
    allowance: str
    sender: str
    receiver: str
    at: datetime
    deadline: date | None
    timeliness: Timeliness | None
    note: str

    @property
    def mark(self) -> str:
        """Trước hạn / Đúng hạn / Quá hạn, or empty when the step has no deadline."""
        return TIMELINESS_VI[self.timeliness] if self.timeliness else ""


class ControlSlip(Form):
    """Form 06: every hand-off of the dossier."""

    accepted_at: datetime | None
    due_date: date | None
    rows: tuple[HandOff, ...]


class RegisterRow(_Frozen):
    """One dossier in the register (form 07)."""

    index: int
    code: str
    applicant: str
    procedure_title: str
    received_at: datetime
    appointment: date | None
    result_at: datetime | None
    status: str
    progress: str


class Register(Form):
    """Form 07: the dossiers received in a period."""

    period_from: date
    period_to: date
    rows: tuple[RegisterRow, ...]

    @property
    def filename(self) -> str:
        """so-theo-doi-ho-so-20261101-20261130.pdf"""
        return f"so-theo-doi-ho-so-{self.period_from:%Y%m%d}-{self.period_to:%Y%m%d}.pdf"


class DecisionDocument(Form):
    """The signed result: a certificate, an approval, a refusal, a forwarding or an opinion."""

    kind: Literal["certificate", "approval", "refusal", "forward", "opinion"]
    outcome: str
    heading: str
    certificate_number: str | None
    ngo_name: str
    country: str
    valid_from: date | None
    valid_until: date | None
    validity_years: int | None
    activity_fields: tuple[str, ...]
    provinces: tuple[str, ...]
    reasons: str
    right_to_complain: bool
    signed_at: datetime
    deciding_body: str
    obligations: str = ""  # what the NGO must do after it (the procedure's certificate rule)
    outcome_title: str = ""  # the procedure's own word for the outcome ("đồng ý")


@dataclass(frozen=True)
class FormSources:
    """Everything a dossier's forms are built from (read by `flows.documents.service`)."""

    dossier: DossierPublic
    history: Sequence[HistoryItem]
    procedure: ProcedureDefinition
    agencies: Mapping[str, str]
    documents: Sequence[DocumentPublic]
    calendar: WorkingCalendar
    now: datetime

    def agency(self, code: str) -> str:
        """The agency's Vietnamese name from the registry (its code when unknown)."""
        return self.agencies.get(code, code)


@dataclass(frozen=True)
class AvailableForm:
    """A form the dossier has now, for the dossier page's list."""

    number: str
    title_vi: str
    title_en: str


def _last(
    history: Sequence[HistoryItem], action: str, as_of: datetime | None = None
) -> HistoryItem | None:
    """The latest recorded `action` (at or before `as_of`, when given)."""
    limit = as_of + timedelta(seconds=1) if as_of is not None else None
    found = [h for h in history if h.action == action and (limit is None or h.at <= limit)]
    return found[-1] if found else None


def _event(item: HistoryItem, name: str) -> dict[str, Any]:
    """The details of the named event that the audit row recorded (empty when absent)."""
    for event in item.details.get("events", []):
        if isinstance(event, dict) and event.get("event") == name:
            return event
    return {}


def _day(value: Any) -> date | None:
    """An ISO date of an event's details."""
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def applicable_forms(dossier: DossierPublic, history: Sequence[HistoryItem]) -> list[str]:
    """The forms the dossier has so far: 01 after acceptance, 02 after a supplement request,
    03 after a refusal at intake, 04 after an extension, 05 after a withdrawal, 06 always."""
    actions = {h.action for h in history}
    found = {
        "01": dossier.accepted_at is not None and "accept" in actions,
        "02": "request-supplement" in actions,
        "03": "reject-intake" in actions,
        "04": "extend" in actions,
        "05": "withdraw" in actions,
        "06": True,
    }
    return [number for number in DOSSIER_FORMS if found[number]]


def available_forms(dossier: DossierPublic, history: Sequence[HistoryItem]) -> list[AvailableForm]:
    """The forms and, once signed, the decision, with their titles (for the dossier page)."""
    forms = [
        AvailableForm(n, TITLES[n].capitalize(), TITLES_EN[n])
        for n in applicable_forms(dossier, history)
    ]
    if dossier.decision is not None:
        forms.append(AvailableForm(DECISION, "Quyết định, giấy đăng ký", TITLES_EN[DECISION]))
    return forms


def place_of(procedure: ProcedureDefinition, agencies: Mapping[str, str]) -> str:
    """Where the document is issued: Hà Nội for national bodies, else the province (taken
    from the registry name of the procedure's People's Committee)."""
    if procedure.level != "provincial":
        return "Hà Nội"
    name = agencies.get(procedure.deciding_agency, "")
    for prefix in ("Ủy ban nhân dân tỉnh ", "Ủy ban nhân dân thành phố ", "Ủy ban nhân dân "):
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name or "Hà Nội"


def _letterhead(
    src: FormSources, number: str, day: date, body_code: str | None = None
) -> Letterhead:
    """The issuing body is the procedure's receiving agency (the deciding one for a decision);
    a provincial department stands under its People's Committee."""
    procedure = src.procedure
    code = body_code or procedure.receiving_agency
    parent = (
        src.agency(procedure.deciding_agency)
        if procedure.level == "provincial" and code != procedure.deciding_agency
        else None
    )
    return Letterhead(
        parent=parent,
        body=src.agency(code),
        number=number,
        place=place_of(procedure, src.agencies),
        day=day,
    )


def _facts(src: FormSources) -> DossierFacts:
    d = src.dossier
    return DossierFacts(
        code=d.code,
        applicant_name=d.applicant.name,
        applicant_country=d.applicant.country,
        applicant_email=str(d.applicant.email),
        procedure_title=src.procedure.title_vi,
        subject=d.subject,
        received_at=d.received_at.astimezone(VN_TZ),
        received_by=d.received_by,
        applicant_is_agency=src.procedure.applicant_is_agency,
    )


def _at_hour(day: date, like: datetime) -> datetime:
    """The day at the hour and minute of `like` (the appointment keeps the receipt's hour)."""
    local = like.astimezone(VN_TZ)
    return datetime(day.year, day.month, day.day, local.hour, local.minute, tzinfo=VN_TZ)


def _common(src: FormSources, number: str, item: HistoryItem) -> dict[str, Any]:
    """The parts every per-dossier letter shares."""
    code = src.dossier.code
    return {
        "number": number,
        "title": TITLES[number],
        "template": f"form{number}.html.j2",
        "letterhead": _letterhead(src, f"{code}/{NUMBER_SUFFIX[number]}", local_date(item.at)),
        "dossier": _facts(src),
    }


def _missing(number: str, src: FormSources) -> NotFound:
    return NotFound(
        f"form {number} ({TITLES[number].lower()}) does not apply to dossier {src.dossier.code} yet"
    )


def build_receipt(src: FormSources) -> ReceiptForm:
    """Form 01, as given at acceptance: the documents received up to then and the
    appointment date the acceptance set."""
    item = _last(src.history, "accept")
    accepted = src.dossier.accepted_at
    if item is None or accepted is None:
        raise _missing("01", src)
    due = _day(_event(item, "DossierAccepted").get("due_date")) or src.dossier.due_date
    assert due is not None, "an accepted dossier has an appointment date"
    received = [doc for doc in src.documents if doc.uploaded_at <= item.at + timedelta(seconds=1)]
    body = src.agency(src.procedure.receiving_agency)
    return ReceiptForm(
        **_common(src, "01", item),
        recipients=(src.dossier.applicant.name, f"Lưu: hồ sơ {src.dossier.code}"),
        signature=Signature(title="NGƯỜI TIẾP NHẬN", name=item.actor),
        documents=tuple(ReceivedDocument(name=doc.name) for doc in received),
        sets=1,
        total_working_days=src.procedure.total_working_days,
        accepted_at=item.at.astimezone(VN_TZ),
        appointment=_at_hour(due, item.at),
        return_place=(
            f"Bộ phận tiếp nhận và trả kết quả, {body}; bản điện tử gửi đến địa chỉ thư "
            f"điện tử {src.dossier.applicant.email}"
        ),
        officer=item.actor,
    )


def build_supplement_request(src: FormSources, as_of: datetime | None = None) -> SupplementForm:
    """Form 02: the latest request (at or before `as_of`) with each missing item."""
    item = _last(src.history, "request-supplement", as_of)
    if item is None:
        raise _missing("02", src)
    event = _event(item, "SupplementRequested")
    return SupplementForm(
        **_common(src, "02", item),
        recipients=(src.dossier.applicant.name, f"Lưu: hồ sơ {src.dossier.code}"),
        signature=Signature(title="NGƯỜI TIẾP NHẬN", name=item.actor),
        requested_at=item.at.astimezone(VN_TZ),
        missing=tuple(str(m) for m in event.get("missing", [])),
        note=str(event.get("note", "")),
        during_review=bool(event.get("during_review", False)),
        contact=f"{item.actor}, {src.agency(src.procedure.receiving_agency)}",
    )


def build_intake_refusal(src: FormSources, as_of: datetime | None = None) -> IntakeRefusalForm:
    """Form 03: the refusal to receive and its reason."""
    item = _last(src.history, "reject-intake", as_of)
    if item is None:
        raise _missing("03", src)
    return IntakeRefusalForm(
        **_common(src, "03", item),
        recipients=(src.dossier.applicant.name, f"Lưu: hồ sơ {src.dossier.code}"),
        signature=Signature(title="NGƯỜI TIẾP NHẬN", name=item.actor),
        refused_at=item.at.astimezone(VN_TZ),
        reason=str(_event(item, "IntakeRejected").get("reason", "")),
    )


# Letters the head of the body signs: the name is written by hand under the seal (the system
# knows who drafted the letter, not who will sign it).
HEAD_OF_BODY = Signature(title="THỦ TRƯỞNG CƠ QUAN", name="", note="(Ký, ghi rõ họ tên, đóng dấu)")


def build_extension(src: FormSources, as_of: datetime | None = None) -> ExtensionForm:
    """Form 04: the apology, the reason and the new appointment date."""
    item = _last(src.history, "extend", as_of)
    accept = _last(src.history, "accept")
    if item is None:
        raise _missing("04", src)
    event = _event(item, "Extended")
    new_due = _day(event.get("due_date")) or src.dossier.due_date
    assert new_due is not None, "an extension sets a new appointment date"
    return ExtensionForm(
        **_common(src, "04", item),
        recipients=("Như trên", f"Lưu: VT, hồ sơ {src.dossier.code}"),
        signature=HEAD_OF_BODY,
        drafted_by=item.actor,
        extended_at=item.at.astimezone(VN_TZ),
        reason=str(event.get("reason", "")),
        previous_due_date=_day(event.get("previous_due_date")),
        appointment=_at_hour(new_due, accept.at if accept else item.at),
        working_days=int(event.get("working_days", 0)),
    )


def build_stop(src: FormSources, as_of: datetime | None = None) -> StopForm:
    """Form 05: the dossier is no longer dealt with, and why."""
    item = _last(src.history, "withdraw", as_of)
    if item is None:
        raise _missing("05", src)
    return StopForm(
        **_common(src, "05", item),
        recipients=("Như trên", f"Lưu: VT, hồ sơ {src.dossier.code}"),
        signature=HEAD_OF_BODY,
        drafted_by=item.actor,
        stopped_at=item.at.astimezone(VN_TZ),
        reason=str(_event(item, "Withdrawn").get("reason", "")),
    )


def classify_day(day: date, deadline: date) -> Timeliness:
    """Early, on time or late: the day the step was done against its deadline."""
    if day < deadline:
        return "early"
    return "on_time" if day == deadline else "late"


def _step_for(
    procedure: ProcedureDefinition, status: str | None, role: str, last: bool
) -> Step | None:
    """The procedure's step that a person of `role` works on in `status` (the last such
    step for a proposal, which closes the review)."""
    matches = [s for s in procedure.steps if status in s.statuses and s.role == role]
    if not matches:
        return None
    return matches[-1] if last else matches[0]


@dataclass
class _Walk:
    """What the control slip knows while it reads the history in order."""

    due: date | None
    responsible: str
    proposer: str
    previous_at: datetime


def _staff_next(history: Sequence[HistoryItem], index: int, roles: set[str]) -> str | None:
    """The next person of these roles who acted on the dossier after row `index`."""
    for item in history[index + 1 :]:
        if item.action not in NOT_HAND_OFFS and item.actor_role in roles:
            return item.actor
    return None


def _step_title(src: FormSources, item: HistoryItem) -> str:
    transition = src.procedure.transition(item.action)
    if transition is not None and transition.title_vi:
        return transition.title_vi
    return ACTION_VI.get(item.action, item.action)


def _consultation_due(src: FormSources, consultation_id: str) -> date | None:
    for consultation in src.dossier.consultations:
        if consultation.id == consultation_id:
            return consultation.due_date
    return None


def build_control_slip(src: FormSources) -> ControlSlip:
    """Form 06: every hand-off with its sender, receiver, time and, where the step has a
    deadline, whether it was done early, on time or late. Deadlines: the procedure's step
    working days counted from the previous hand-off, an agency's own due date for its answer,
    and the appointment date for the signature and for steps bounded only by the total."""
    d = src.dossier
    applicant = d.applicant.name
    walk = _Walk(due=None, responsible=d.received_by, proposer="", previous_at=d.received_at)
    rows: list[HandOff] = []
    history = list(src.history)
    for index, item in enumerate(history):
        if item.action in NOT_HAND_OFFS:
            continue
        actor = f"{item.actor} ({ROLE_VI.get(item.actor_role, item.actor_role)})"
        sender, receiver, note = actor, "", ""
        deadline: date | None = None
        timeliness: Timeliness | None = None
        allowance = ""
        day = local_date(item.at)
        if item.action in APPLICANT_ACTS:
            sender, receiver = applicant, actor
        elif item.action in TO_APPLICANT:
            receiver = applicant
        if item.action == "respond":
            answered = _event(item, "ConsultationAnswered")
            sender = src.agency(str(answered.get("agency", "")))
            if not answered.get("recorded_by"):  # a paper answer's actor is the recorder
                sender += f" ({item.actor})"
            note = reply_letter_note(answered)
            receiver = walk.responsible
            deadline = _consultation_due(src, str(answered.get("consultation_id", "")))
            allowance = "Hạn trả lời của cơ quan"
        elif item.action == "expire-consultation":
            events = item.details.get("events", [])
            event = events[-1] if events else {}
            sender = src.agency(str(event.get("agency", "")))
            receiver = walk.responsible
            deadline = _day(event.get("due_date"))
            allowance = "Hạn trả lời của cơ quan"
            note = (
                "Không trả lời: coi như đồng ý"
                if event.get("event") == "ConsultationDeemedConsent"
                else "Không trả lời đúng hạn"
            )
        elif item.action == "consult":
            requested = [e for e in item.details.get("events", []) if e.get("agency")]
            receiver = "; ".join(src.agency(str(e["agency"])) for e in requested)
            due_dates = sorted({str(e.get("due_date", "")) for e in requested} - {""})
            if due_dates:
                note = "Hạn trả lời: " + ", ".join(f"{x[8:10]}/{x[5:7]}/{x[:4]}" for x in due_dates)
        elif item.action == "assign":
            receiver = str(_event(item, "Assigned").get("assignee", "")) or walk.responsible
        elif item.action == "propose":
            receiver = _staff_next(history, index, {Role.leader}) or ROLE_VI[Role.leader]
        elif item.action == "return":
            receiver = walk.proposer or walk.responsible
            note = str(_event(item, "DecisionReturned").get("comment", ""))
        elif item.action == "accept":
            receiver = _staff_next(history, index, {Role.handler, Role.leader}) or walk.responsible
        elif item.action == "sign":
            signed = _event(item, "DecisionSigned")
            deadline = walk.due
            allowance = "Ngày hẹn trả kết quả"
            value = signed.get("timeliness")
            if value in TIMELINESS_VI:
                timeliness = value
            if d.extended:
                note = "Đã gia hạn: tính là quá hạn"
        elif item.action == "extend":
            new_due = _day(_event(item, "Extended").get("due_date"))
            note = f"Hẹn lại ngày {new_due:%d/%m/%Y}" if new_due else ""
        if item.action == "withdraw":
            note = str(_event(item, "Withdrawn").get("reason", ""))
        elif item.action == "request-supplement":
            note = "; ".join(str(m) for m in _event(item, "SupplementRequested").get("missing", []))
        elif item.action == "reject-intake":
            note = str(_event(item, "IntakeRejected").get("reason", ""))
        if item.action not in OWN_DEADLINES:
            step = _step_for(
                src.procedure, item.from_status, item.actor_role, last=item.action == "propose"
            )
            if step is not None and step.working_days is not None:
                deadline = src.calendar.add_working_days(walk.previous_at, step.working_days)
                allowance = f"{step.title_vi}: {step.working_days} ngày làm việc"
            elif walk.due is not None:
                deadline = walk.due
                allowance = "Ngày hẹn trả kết quả"
        if deadline is not None and timeliness is None:
            timeliness = classify_day(day, deadline)
        rows.append(
            HandOff(
                index=len(rows) + 1,
                step=_step_title(src, item),
                allowance=allowance,
                sender=sender,
                receiver=receiver or "—",
                at=item.at.astimezone(VN_TZ),
                deadline=deadline,
                timeliness=timeliness,
                note=note,
            )
        )
        walk.previous_at = item.at
        _follow(walk, item)
    return ControlSlip(
        number="06",
        title=TITLES["06"],
        template="form06.html.j2",
        letterhead=_letterhead(src, f"{d.code}/{NUMBER_SUFFIX['06']}", local_date(src.now)),
        dossier=_facts(src),
        recipients=(f"Lưu: hồ sơ {d.code}",),
        signature=Signature(title="NGƯỜI TIẾP NHẬN", name=d.received_by),
        landscape=True,
        accepted_at=d.accepted_at,
        due_date=d.due_date,
        rows=tuple(rows),
    )


def _follow(walk: _Walk, item: HistoryItem) -> None:
    """Carry the appointment date, the responsible handler and the proposer forward."""
    for event in item.details.get("events", []):
        if not isinstance(event, dict):
            continue
        name = event.get("event")
        if name in ("DossierAccepted", "SupplementReceived", "Extended"):
            walk.due = _day(event.get("due_date")) or walk.due
        elif name == "Assigned":
            walk.responsible = str(event.get("assignee") or walk.responsible)
        elif name == "DecisionProposed":
            walk.proposer = str(event.get("proposed_by") or item.actor)


def build_form(number: str, src: FormSources, as_of: datetime | None = None) -> Form:
    """Form `number` (01–06) of the dossier, or NotFound when it does not apply yet."""
    if number not in DOSSIER_FORMS:
        raise NotFound(f"no form {number!r}: the forms of a dossier are 01 to 06")
    if number not in applicable_forms(src.dossier, src.history):
        raise _missing(number, src)
    if number == "01":
        return build_receipt(src)
    if number == "02":
        return build_supplement_request(src, as_of)
    if number == "03":
        return build_intake_refusal(src, as_of)
    if number == "04":
        return build_extension(src, as_of)
    if number == "05":
        return build_stop(src, as_of)
    return build_control_slip(src)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if str(v).strip())
    return (str(value),) if isinstance(value, str) and value.strip() else ()


# The heading of a certificate whose procedure version was stored before its certificate
# rule carried one (the definition's `certificate.heading_vi` is the source).
CERTIFICATE_HEADING_UNKNOWN = "GIẤY ĐĂNG KÝ CỦA TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI"


def build_decision(src: FormSources) -> DecisionDocument:
    """The signed decision: the certificate (number, NGO, validity, fields, provinces), an
    approval, an opinion (đồng ý / không đồng ý), a refusal with its reasons, or a forwarding."""
    d, procedure = src.dossier, src.procedure
    decision = d.decision
    if decision is None:
        raise NotFound(f"dossier {d.code} has no signed decision yet")
    # A result to another state body (a province's opinion to the Committee) states no right
    # to complain or sue: only an applicant has it.
    to_applicant = not procedure.applicant_is_agency
    rule = procedure.certificate
    kind: Literal["certificate", "approval", "refusal", "forward", "opinion"]
    if decision.outcome == "forward":
        kind, heading = "forward", "THÔNG BÁO CHUYỂN HỒ SƠ ĐẾN CƠ QUAN CÓ THẨM QUYỀN"
    elif not to_applicant:
        kind, heading = "opinion", "VĂN BẢN CHO Ý KIẾN"
    elif decision.outcome == "refuse":
        kind, heading = "refusal", "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ"
    elif decision.certificate_number and rule is not None:
        kind, heading = "certificate", rule.heading_vi or CERTIFICATE_HEADING_UNKNOWN
    else:
        kind, heading = "approval", "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ"
    fields = d.fields
    provinces = _strings(fields.get("provinces")) or _strings(fields.get("office_province"))
    number = decision.certificate_number if kind == "certificate" else None
    signed_at = decision.signed_at.astimezone(VN_TZ)
    deciding = src.agency(procedure.deciding_agency)
    ngo_name = str(fields.get("ngo_name") or d.applicant.name)
    return DecisionDocument(
        number=DECISION,
        title=heading,
        template="decision.html.j2",
        letterhead=_letterhead(
            src,
            number or f"{d.code}/TB",
            local_date(signed_at),
            body_code=procedure.deciding_agency,
        ),
        dossier=_facts(src),
        recipients=(d.applicant.name, f"Lưu: VT, hồ sơ {d.code}"),
        signature=Signature(
            title="THỦ TRƯỞNG CƠ QUAN", name=decision.signed_by, note="(Đã ký điện tử)"
        ),
        kind=kind,
        outcome=decision.outcome,
        heading=heading,
        certificate_number=number,
        ngo_name=ngo_name,
        country=d.applicant.country,
        valid_from=decision.valid_from,
        valid_until=decision.valid_until,
        validity_years=decision.validity_years,
        activity_fields=_strings(fields.get("activity_fields")),
        provinces=provinces,
        reasons=decision.reasons,
        right_to_complain=to_applicant and kind == "refusal",
        signed_at=signed_at,
        deciding_body=deciding,
        obligations=rule.obligations_vi if rule is not None and kind == "certificate" else "",
        outcome_title=procedure.outcome_title(Outcome(decision.outcome)),
    )


def progress_of(
    status: str,
    due_date: date | None,
    completed_at: datetime | None,
    timeliness: str | None,
    today: date,
) -> str:
    """The register's progress column: early/on time/late once done, else in time/overdue."""
    if completed_at is not None:
        return TIMELINESS_VI.get(timeliness or "", "")
    if status in (Status.rejected_at_intake, Status.withdrawn) or due_date is None:
        return ""
    return "Đang giải quyết, quá hạn" if due_date < today else "Đang giải quyết, trong hạn"


def build_register(
    rows: Sequence[RegisterRow],
    *,
    period_from: date,
    period_to: date,
    body: str,
    parent: str | None,
    place: str,
    today: date,
) -> Register:
    """Form 07: the dossiers received from `period_from` to `period_to`, oldest first."""
    return Register(
        number="07",
        title=TITLES["07"],
        template="form07.html.j2",
        letterhead=Letterhead(parent=parent, body=body, number="", place=place, day=today),
        dossier=None,
        recipients=(),
        signature=Signature(title="NGƯỜI LẬP SỔ", name="", note="(Ký, ghi rõ họ tên)"),
        landscape=True,
        period_from=period_from,
        period_to=period_to,
        rows=tuple(rows),
    )
