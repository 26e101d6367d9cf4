"""Register pages: the NGO list, one NGO with everything about it and the forms that record what
it sent (obligations, reports, inspections) or act on its certificates; obligations and the
year's inspection plan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine
from sqlmodel import col, select
from starlette.datastructures import FormData

from api.paging import Offset
from api.routes.dossiers import attachment
from api.web.page import Page, check_csrf, page_for
from api.web.register_forms import (
    FIX_MARKED,
    FormState,
    amount,
    en,
    not_future,
    parse_day,
    plain,
    read_fields,
    require,
    say,
    validated,
    whole,
)
from api.web.templates import fmt_size
from flows.calendar import local_date
from flows.errors import InvalidInput, NotAllowed, NotFound
from flows.register.commands import (
    ACTS,
    act_on_certificate,
    fulfil_obligation,
    list_inspections,
    plan_inspections,
    record_inspection,
    record_report,
    update_ngo,
)
from flows.register.documents import read_ngo_document
from flows.register.queries import get_ngo, list_ngos, list_obligations
from flows.register.risk import current_scorecard
from flows.register.scorecard import CRITERIA
from flows.service.registry import registry_of
from flows.service.written import Upload
from models.db import read_session
from models.dossier import Dossier
from models.ngo import Ngo
from models.register_schemas import (
    CertificateAct,
    InspectionRecord,
    NgoDetail,
    NgoUpdate,
    ObligationFulfil,
    ReportCreate,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

Reader = Annotated[Page, page_for("handler", "leader", "manager", "admin")]
Recorder = Annotated[Page, page_for("handler", "manager")]
Signer = Annotated[Page, page_for("leader")]
Planner = Annotated[Page, page_for("manager")]

PAGE_SIZE = 50
MAX_ID = 36
RISK_GROUPS = ("low", "medium", "high")
OBLIGATION_FILTERS = ("overdue", "open", "met", "cancelled", "all")

# Words for the register's codes: (Vietnamese, English).
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "risk": {"low": ("Thấp", "Low"), "medium": ("Trung bình", "Medium"), "high": ("Cao", "High")},
    "obligation": {
        "open": ("Đang chờ", "Open"),
        "met": ("Đã thực hiện", "Met"),
        "overdue": ("Quá hạn", "Overdue"),
        "cancelled": ("Đã hủy", "Cancelled"),
        "all": ("Tất cả", "All"),
    },
    "certificate": {
        "active": ("Đang hiệu lực", "Active"),
        "suspended": ("Tạm đình chỉ", "Suspended"),
        "closed": ("Đã chấm dứt theo đề nghị", "Closed"),
        "terminated": ("Chấm dứt hoạt động", "Terminated"),
        "revoked": ("Bị thu hồi", "Revoked"),
        "expired": ("Hết hiệu lực", "Expired"),
    },
    "certificate_type": {
        "operation": ("Giấy đăng ký hoạt động", "Operation registration"),
        "office": ("Giấy đăng ký lập văn phòng đại diện", "Representative office registration"),
        "project_office": ("Giấy đăng ký lập văn phòng dự án", "Project office registration"),
    },
    "event": {
        "issue": ("Cấp mới", "Issued"),
        "renew": ("Gia hạn", "Renewed"),
        "amend": ("Sửa đổi, bổ sung", "Amended"),
        "reissue": ("Cấp lại", "Re-issued"),
        "close": ("Chấm dứt theo đề nghị", "Closed on request"),
        "suspend": ("Tạm đình chỉ", "Suspended"),
        "reinstate": ("Cho hoạt động trở lại", "Reinstated"),
        "terminate": ("Chấm dứt hoạt động", "Terminated"),
        "revoke": ("Thu hồi", "Revoked"),
    },
    "report": {
        "annual": ("Báo cáo hằng năm (Mẫu số 05)", "Annual report (Form 05)"),
        "aid_implementation": ("Báo cáo thực hiện khoản viện trợ", "Aid implementation report"),
    },
    "inspection": {
        "planned": ("Theo kế hoạch", "Planned"),
        "done": ("Đã kiểm tra", "Done"),
        "cancelled": ("Đã hủy", "Cancelled"),
    },
    "severity": {"minor": ("Nhỏ", "Minor"), "major": ("Nghiêm trọng", "Major")},
}


def _known_id(value: str) -> str:
    """A path id that can be in the register (others are simply not found)."""
    if not value or not plain(value, MAX_ID):
        raise NotFound(f"nothing in the register has the id {value[:MAX_ID]!r}")
    return value


def dossier_ngo(engine: Engine, dossier_id: str) -> dict[str, str] | None:
    """The NGO a dossier is about ({id, name}), for the link on the dossier page."""
    with read_session(engine) as session:
        row = session.exec(
            select(Ngo.id, Ngo.name)
            .join(Dossier, col(Dossier.ngo_id) == col(Ngo.id))
            .where(Dossier.id == dossier_id)
        ).first()
    return None if row is None else {"id": row[0], "name": row[1]}


def _procedure_titles(page: Page) -> dict[str, tuple[str, str]]:
    return {p.code: (p.title_vi, p.title_en) for p in registry_of(page.engine).latest()}


def _context(page: Page) -> dict[str, Any]:
    """What every register page's templates use."""
    return {"L": LABELS, "today": local_date(page.now), "procedures": _procedure_titles(page)}


# --- the list ---------------------------------------------------------------------------------


@router.get("/app/ngos", response_class=HTMLResponse)
def ngos(
    page: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    risk_group: Annotated[str, Query(max_length=10)] = "",
    offset: Offset = 0,
) -> HTMLResponse:
    """NGOs by name: search by name or country, filter by risk group, 50 a page."""
    q = q.strip()
    problem = ""
    if not plain(q, 200):
        problem = en(page, "Từ khóa tìm kiếm không hợp lệ.", "The search text is not valid.")
    elif risk_group and risk_group not in RISK_GROUPS:
        problem = en(page, "Nhóm rủi ro không hợp lệ.", "Unknown risk group.")
    if problem:
        found = None
    else:
        found = list_ngos(
            page.engine, q=q or None, risk_group=risk_group or None, limit=PAGE_SIZE, offset=offset
        )
    kept = {k: v for k, v in {"q": q, "risk_group": risk_group}.items() if v and not problem}

    def link(to: int) -> str:
        return "/app/ngos?" + urlencode({**kept, **({"offset": to} if to else {})})

    total = found.total if found else 0
    return page.render(
        "app/ngos.html",
        status_code=422 if problem else 200,
        title=en(page, "Tổ chức phi chính phủ nước ngoài", "NGO register"),
        items=found.items if found else [],
        total=total,
        offset=offset,
        q=q if not problem else "",
        risk_group=risk_group if risk_group in RISK_GROUPS else "",
        risk_groups=RISK_GROUPS,
        filtered=bool(kept),
        problem=problem,
        previous_url=link(max(offset - PAGE_SIZE, 0)) if offset else "",
        next_url=link(offset + PAGE_SIZE) if offset + PAGE_SIZE < total else "",
        **_context(page),
    )


# --- one NGO ----------------------------------------------------------------------------------

DONE = {
    "edit": ("Đã cập nhật thông tin tổ chức.", "The organisation's entry was corrected."),
    "fulfil": ("Đã ghi nhận nghĩa vụ đã thực hiện.", "The obligation was recorded as met."),
    "report": ("Đã ghi nhận báo cáo.", "The report was recorded."),
    "inspection": ("Đã ghi nhận kết quả kiểm tra.", "The inspection's findings were recorded."),
    "act": (
        "Đã ghi nhận quyết định đối với giấy đăng ký.",
        "The act on the certificate was recorded.",
    ),
}


def _ngo_page(
    page: Page,
    ngo_id: str,
    *,
    state: FormState | None = None,
    status_code: int = 200,
    done: str = "",
) -> HTMLResponse:
    ngo = get_ngo(page.engine, _known_id(ngo_id))
    assert page.user is not None
    role = page.user.role
    return page.render(
        "app/ngo.html",
        status_code=status_code,
        title=ngo.name,
        ngo=ngo,
        state=state or FormState(""),
        done=DONE.get(done),
        can_record=role in ("handler", "manager"),
        can_act=role == "leader",
        can_open_dossiers=role in ("handler", "leader", "manager"),
        acts={
            c.id: [a for a, (sources, _) in ACTS.items() if c.status in sources]
            for c in ngo.certificates
        },
        aid_dossiers=[d for d in ngo.dossiers if d.procedure.startswith("aid.")],
        **_context(page),
    )


@router.get("/app/ngos/{ngo_id}", response_class=HTMLResponse)
def ngo_page(
    ngo_id: str, page: Reader, done: Annotated[str, Query(max_length=20)] = ""
) -> HTMLResponse:
    """Names, registration, contacts, certificates and their history, aid, dossiers,
    obligations, reports, inspections and the risk assessment; the forms the role may use."""
    return _ngo_page(page, ngo_id, done=done)


async def read_form(request: Request) -> AsyncIterator[FormData]:
    """The submitted form (already parsed, and cached, by the CSRF check); its file parts are
    closed after the answer, whichever way the route ended."""
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


Submitted = Annotated[FormData, Depends(read_form)]


def _refused(
    page: Page, ngo_id: str, state: FormState, exc: InvalidInput | NotAllowed
) -> HTMLResponse:
    """The NGO page again with the command's refusal; nothing was changed."""
    state.message = en(page, "Chưa ghi nhận", "Nothing recorded") + f": {exc.detail}"
    return _ngo_page(
        page, ngo_id, state=state, status_code=409 if isinstance(exc, NotAllowed) else 422
    )


def _invalid(page: Page, ngo_id: str, state: FormState) -> HTMLResponse:
    state.message = say(page, FIX_MARKED)
    return _ngo_page(page, ngo_id, state=state, status_code=422)


def _ngo_or_404(page: Page, ngo_id: str) -> NgoDetail:
    return get_ngo(page.engine, _known_id(ngo_id))


EDIT_FIELDS = (
    "name_vi",
    "name_original",
    "home_registration_number",
    "home_registration_valid_until",
    "contact_email",
    "contact_phone",
    "address",
)


@router.post("/app/ngos/{ngo_id}/edit", response_class=HTMLResponse)
def edit(ngo_id: str, page: Recorder, form: Submitted) -> Response:
    """Correct the register entry: names, home-country registration, contacts (a field left
    empty is cleared)."""
    _ngo_or_404(page, ngo_id)
    state = FormState("edit", read_fields(form, EDIT_FIELDS))
    values: dict[str, Any] = {k: state.raw[k] or None for k in EDIT_FIELDS}
    values["home_registration_valid_until"] = parse_day(
        page, state.raw, "home_registration_valid_until", state.problems
    )
    body = validated(page, NgoUpdate, values, state.problems)
    if body is None:
        return _invalid(page, ngo_id, state)
    update_ngo(page.engine, ngo_id, body, page.now)
    return page.redirect(f"/app/ngos/{ngo_id}?done=edit#identity")


FULFIL_FIELDS = ("received_at", "document_ref", "note")


@router.post("/app/ngos/{ngo_id}/obligations/{obligation_id}/fulfil", response_class=HTMLResponse)
def fulfil(ngo_id: str, obligation_id: str, page: Recorder, form: Submitted) -> Response:
    """Record what the NGO sent: the obligation is met (late when after its due date)."""
    ngo = _ngo_or_404(page, ngo_id)
    if not any(o.id == obligation_id for o in ngo.obligations):
        raise NotFound(f"no obligation {obligation_id[:MAX_ID]} of this NGO")
    state = FormState(f"fulfil-{obligation_id}", read_fields(form, FULFIL_FIELDS))
    problems = state.problems
    require(page, state.raw, problems, "received_at")
    received = parse_day(page, state.raw, "received_at", problems)
    not_future(page, received, "received_at", problems)
    body = validated(
        page,
        ObligationFulfil,
        {
            "received_at": received,
            "document_ref": state.raw["document_ref"] or None,
            "note": state.raw["note"] or None,
        },
        problems,
    )
    upload = _upload(page, form, problems)
    if body is None or problems:
        return _invalid(page, ngo_id, state)
    try:
        fulfil_obligation(page.engine, obligation_id, body, page.actor, page.now, upload)
    except (InvalidInput, NotAllowed) as exc:
        return _refused(page, ngo_id, state, exc)
    return page.redirect(f"/app/ngos/{ngo_id}?done=fulfil#obligations")


def _upload(page: Page, form: FormData, problems: dict[str, str]) -> Upload | None:
    """The file sent with the form, if any (within the upload limit)."""
    part = form.get("file")
    if part is None or isinstance(part, str):
        return None
    limit: int = page.request.app.state.max_upload_bytes
    try:
        content = part.file.read(limit + 1) if part.filename else b""
    finally:
        # Read whole into memory; the spooled copy is closed here, also for the empty part a
        # browser sends when no file was chosen (nothing else closes a form parsed by hand).
        part.file.close()
    if not part.filename:
        return None
    if len(content) > limit:
        problems["file"] = en(
            page, f"Tệp lớn hơn giới hạn {fmt_size(limit)}.", f"Larger than {fmt_size(limit)}."
        )
        return None
    return Upload(name=part.filename, content_type=part.content_type or "", content=content)


@router.get("/app/ngos/{ngo_id}/documents/{document_id}")
def ngo_document(ngo_id: str, document_id: str, page: Reader) -> Response:
    """A file received from the NGO, as a download."""
    return attachment(*read_ngo_document(page.engine, _known_id(ngo_id), document_id))


REPORT_FIELDS = (
    "kind",
    "period_year",
    "received_at",
    "projects",
    "funds_disbursed",
    "currency",
    "provinces",
    "aid_dossier_id",
    "note",
)


@router.post("/app/ngos/{ngo_id}/reports", response_class=HTMLResponse)
def report(ngo_id: str, page: Recorder, form: Submitted) -> Response:
    """Record a report received: an annual one (Form 05) meets that year's obligation."""
    _ngo_or_404(page, ngo_id)
    state = FormState("report", read_fields(form, REPORT_FIELDS))
    raw, problems = state.raw, state.problems
    require(page, raw, problems, "kind", "period_year", "received_at")
    received = parse_day(page, raw, "received_at", problems)
    not_future(page, received, "received_at", problems)
    values: dict[str, Any] = {
        "kind": raw["kind"],
        "period_year": whole(page, raw, "period_year", problems),
        "received_at": received,
        "projects": whole(page, raw, "projects", problems) or 0,
        "funds_disbursed": amount(page, raw, "funds_disbursed", problems) or Decimal(0),
        "currency": (raw["currency"] or "USD").upper(),
        "provinces": [p.strip() for p in raw["provinces"].split(",") if p.strip()],
        "aid_dossier_id": raw["aid_dossier_id"] or None,
        "note": raw["note"] or None,
    }
    body = validated(page, ReportCreate, values, problems)
    if body is None:
        return _invalid(page, ngo_id, state)
    try:
        record_report(page.engine, ngo_id, body, page.actor, page.now)
    except (InvalidInput, NotAllowed) as exc:
        return _refused(page, ngo_id, state, exc)
    return page.redirect(f"/app/ngos/{ngo_id}?done=report#reports")


INSPECTION_FIELDS = ("inspected_on", "inspectors", "minor", "major", "follow_up_due")


def _findings(raw: Mapping[str, str]) -> list[dict[str, str]]:
    """One finding a line, in the minor and the major box."""
    return [
        {"severity": severity, "text": line.strip()}
        for severity in ("major", "minor")
        for line in raw.get(severity, "").splitlines()
        if line.strip()
    ]


@router.post("/app/ngos/{ngo_id}/inspections/{inspection_id}/record", response_class=HTMLResponse)
def inspection(ngo_id: str, inspection_id: str, page: Recorder, form: Submitted) -> Response:
    """Record a planned inspection's findings; a remedy deadline becomes an obligation."""
    ngo = _ngo_or_404(page, ngo_id)
    if not any(i.id == inspection_id for i in ngo.inspections):
        raise NotFound(f"no inspection {inspection_id[:MAX_ID]} of this NGO")
    state = FormState(f"inspection-{inspection_id}", read_fields(form, INSPECTION_FIELDS))
    raw, problems = state.raw, state.problems
    require(page, raw, problems, "inspected_on", "inspectors")
    inspected = parse_day(page, raw, "inspected_on", problems)
    not_future(page, inspected, "inspected_on", problems)
    follow_up = parse_day(page, raw, "follow_up_due", problems)
    if follow_up and inspected and follow_up < inspected and "follow_up_due" not in problems:
        problems["follow_up_due"] = en(
            page, "Không được trước ngày kiểm tra.", "Cannot be before the inspection."
        )
    body = validated(
        page,
        InspectionRecord,
        {
            "inspected_on": inspected,
            "inspectors": raw["inspectors"],
            "findings": _findings(raw),
            "follow_up_due": follow_up,
        },
        problems,
    )
    if "findings" in problems:
        problems["major"] = problems.pop("findings")
    if body is None:
        return _invalid(page, ngo_id, state)
    try:
        record_inspection(page.engine, inspection_id, body, page.actor, page.now)
    except (InvalidInput, NotAllowed) as exc:
        return _refused(page, ngo_id, state, exc)
    return page.redirect(f"/app/ngos/{ngo_id}?done=inspection#inspections")


ACT_FIELDS = ("act", "reason", "legal_basis", "decision_number", "decided_on")


@router.post("/app/ngos/{ngo_id}/certificates/{certificate_id}/act", response_class=HTMLResponse)
def act(ngo_id: str, certificate_id: str, page: Signer, form: Submitted) -> Response:
    """Suspend, reinstate, terminate or revoke a certificate (Decree 58/2022 Art 7)."""
    ngo = _ngo_or_404(page, ngo_id)
    if not any(c.id == certificate_id for c in ngo.certificates):
        raise NotFound(f"no certificate {certificate_id[:MAX_ID]} of this NGO")
    state = FormState(f"act-{certificate_id}", read_fields(form, ACT_FIELDS))
    raw, problems = state.raw, state.problems
    require(page, raw, problems, "act", "reason", "legal_basis")
    decided = parse_day(page, raw, "decided_on", problems)
    not_future(page, decided, "decided_on", problems)
    body = validated(
        page,
        CertificateAct,
        {
            "act": raw["act"],
            "reason": raw["reason"],
            "legal_basis": raw["legal_basis"],
            "decision_number": raw["decision_number"] or None,
            "decided_on": decided,
        },
        problems,
    )
    if body is None:
        return _invalid(page, ngo_id, state)
    try:
        act_on_certificate(page.engine, certificate_id, body, page.actor, page.now)
    except (InvalidInput, NotAllowed) as exc:
        return _refused(page, ngo_id, state, exc)
    return page.redirect(f"/app/ngos/{ngo_id}?done=act#certificates")


# --- obligations and inspections --------------------------------------------------------------


@router.get("/app/obligations", response_class=HTMLResponse)
def obligations(
    page: Reader,
    status: Annotated[str, Query(max_length=20)] = "overdue",
    offset: Offset = 0,
) -> HTMLResponse:
    """Obligations of every NGO, soonest due first, by status (overdue unless chosen)."""
    if status not in OBLIGATION_FILTERS:
        raise InvalidInput(en(page, "Trạng thái không hợp lệ.", "Unknown status."))
    found = list_obligations(
        page.engine,
        status=None if status == "all" else status,
        limit=PAGE_SIZE,
        offset=offset,
    )

    def link(to: int) -> str:
        return "/app/obligations?" + urlencode({"status": status, **({"offset": to} if to else {})})

    return page.render(
        "app/obligations.html",
        title=en(page, "Nghĩa vụ sau cấp phép", "Obligations after approval"),
        items=found.items,
        total=found.total,
        status=status,
        statuses=OBLIGATION_FILTERS,
        previous_url=link(max(offset - PAGE_SIZE, 0)) if offset else "",
        next_url=link(offset + PAGE_SIZE) if offset + PAGE_SIZE < found.total else "",
        **_context(page),
    )


def _inspections_page(
    page: Page, year: int, *, message: str = "", status_code: int = 200, added: int | None = None
) -> HTMLResponse:
    assert page.user is not None
    with read_session(page.engine) as session:
        version, card = current_scorecard(session)
    return page.render(
        "app/inspections.html",
        scorecard_version=version,
        scorecard=card,
        criteria=CRITERIA,
        status_code=status_code,
        title=en(page, f"Kế hoạch kiểm tra năm {year}", f"Inspection plan {year}"),
        year=year,
        items=list_inspections(page.engine, year, None),
        can_plan=page.user.role == "manager",
        message=message,
        added=added,
        **_context(page),
    )


def _year(text: str) -> int | None:
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None


@router.get("/app/inspections", response_class=HTMLResponse)
def inspections(
    page: Reader,
    year: Annotated[str, Query(max_length=10)] = "",
    added: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    """The year's inspections (hậu kiểm), highest risk first; this year unless chosen."""
    chosen = _year(year.strip()) if year.strip() else local_date(page.now).year
    if chosen is None:
        return _inspections_page(
            page,
            local_date(page.now).year,
            message=en(page, "Năm phải từ 2000 đến 2100.", "The year must be 2000 to 2100."),
            status_code=422,
        )
    return _inspections_page(page, chosen, added=int(added) if added.isdigit() else None)


@router.post("/app/inspections/plan", response_class=HTMLResponse)
def plan(page: Planner, form: Submitted) -> Response:
    """Propose the year's inspections from the risk groups; back to the plan."""
    typed = form.get("year")
    year = _year(typed.strip()) if isinstance(typed, str) else None
    if year is None:
        return _inspections_page(
            page,
            local_date(page.now).year,
            message=en(
                page,
                "Chưa lập kế hoạch: năm phải từ 2000 đến 2100.",
                "No plan made: the year must be 2000 to 2100.",
            ),
            status_code=422,
        )
    made = plan_inspections(page.engine, year, page.actor, page.now)
    return page.redirect(f"/app/inspections?{urlencode({'year': year, 'added': len(made)})}")
