"""Reading what a form needs from the database, and handing the printed form back."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine
from sqlmodel import col, select

from flows.calendar import VN_TZ, local_date
from flows.documents.forms import (
    DECISION,
    MESSAGE_FORMS,
    STATUS_VI,
    Form,
    Format,
    FormSources,
    RegisterRow,
    build_decision,
    build_form,
    build_register,
    place_of,
    progress_of,
)
from flows.documents.render import RenderError, render_html, render_pdf
from flows.errors import DossierError, InvalidInput
from flows.service.agencies import list_agencies
from flows.service.calendar import load_calendar
from flows.service.documents import list_documents
from flows.service.registry import registry_of, sync_registry
from flows.service.views import get_dossier, history
from models.db import read_session
from models.dossier import Dossier

MAX_REGISTER_DAYS = 366


@dataclass(frozen=True)
class Rendered:
    """A printed form: its bytes, media type and file name."""

    content: bytes
    media_type: str
    filename: str


@dataclass(frozen=True)
class Attachment:
    """A form attached to an e-mail."""

    filename: str
    content: bytes
    media_type: str = "application/pdf"


def load_sources(engine: Engine, dossier_id: str, now: datetime) -> FormSources:
    """The dossier, its history, documents, procedure, agency names and calendar."""
    dossier = get_dossier(engine, dossier_id, now)
    with read_session(engine) as session:
        registry = sync_registry(session)
        calendar = load_calendar(session)
    procedure = registry.get(dossier.procedure, dossier.procedure_version)
    assert procedure is not None, "get_dossier found the dossier's procedure"
    return FormSources(
        dossier=dossier,
        history=history(engine, dossier_id),
        procedure=procedure,
        agencies={a.code: a.name_vi for a in list_agencies(engine)},
        documents=list_documents(engine, dossier_id),
        calendar=calendar,
        now=now,
    )


def printed(form: Form, fmt: Format, static_url: str = "/static") -> Rendered:
    """The form as a PDF, or as a printable HTML page loading its fonts from `static_url`."""
    if fmt == "pdf":
        return Rendered(render_pdf(form), "application/pdf", form.filename)
    html = render_html(form, static_url)
    return Rendered(html.encode(), "text/html; charset=utf-8", form.filename[:-4] + ".html")


def dossier_form(
    engine: Engine, dossier_id: str, number: str, fmt: Format, now: datetime
) -> Rendered:
    """Form 01–06 of a dossier; NotFound when it does not apply to the dossier yet."""
    return printed(build_form(number, load_sources(engine, dossier_id, now)), fmt)


def dossier_decision(engine: Engine, dossier_id: str, fmt: Format, now: datetime) -> Rendered:
    """The signed decision or certificate; NotFound before signature."""
    return printed(build_decision(load_sources(engine, dossier_id, now)), fmt)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=VN_TZ)


def register_rows(
    engine: Engine, period_from: date, period_to: date, now: datetime
) -> tuple[list[RegisterRow], list[str]]:
    """Form 07's rows: every dossier received from `period_from` to `period_to` (local
    dates), oldest first; and the receiving body of each row's procedure."""
    if period_to < period_from:
        raise InvalidInput("the period ends before it starts: `to` must not be before `from`")
    if (period_to - period_from).days >= MAX_REGISTER_DAYS:
        raise InvalidInput(f"a register covers at most {MAX_REGISTER_DAYS} days")
    today = local_date(now)
    with read_session(engine) as session:
        registry = sync_registry(session)
        found = session.exec(
            select(Dossier)
            .where(
                col(Dossier.received_at) >= _start_of(period_from),
                col(Dossier.received_at) < _start_of(period_to + timedelta(days=1)),
            )
            .order_by(col(Dossier.received_at), col(Dossier.code))
        ).all()
        rows: list[RegisterRow] = []
        bodies: list[str] = []
        for index, row in enumerate(found, start=1):
            procedure = registry.get(row.procedure, row.procedure_version)
            if procedure is not None:
                bodies.append(procedure.receiving_agency)
            rows.append(
                RegisterRow(
                    index=index,
                    code=row.code,
                    applicant=row.applicant_name,
                    procedure_title=procedure.title_vi if procedure else row.procedure,
                    received_at=row.received_at.astimezone(VN_TZ),
                    appointment=row.due_date,
                    result_at=row.completed_at.astimezone(VN_TZ) if row.completed_at else None,
                    status=STATUS_VI.get(row.status, row.status),
                    progress=progress_of(
                        row.status, row.due_date, row.completed_at, row.timeliness, today
                    ),
                )
            )
    return rows, bodies


def register(
    engine: Engine,
    period_from: date,
    period_to: date,
    fmt: Format,
    now: datetime,
    receiving_agency: str = "",
) -> Rendered:
    """Form 07: every dossier received from `period_from` to `period_to` (local dates),
    headed by `receiving_agency` or else the body that received most of them."""
    rows, bodies = register_rows(engine, period_from, period_to, now)
    today = local_date(now)
    registry = registry_of(engine)
    agencies = {a.code: a.name_vi for a in list_agencies(engine)}
    latest = registry.latest()
    code = receiving_agency or (
        Counter(bodies).most_common(1)[0][0] if bodies else latest[0].receiving_agency
    )
    procedure = next((p for p in latest if p.receiving_agency == code), None)
    parent = (
        agencies.get(procedure.deciding_agency)
        if procedure is not None
        and procedure.level == "provincial"
        and procedure.deciding_agency != code
        else None
    )
    form = build_register(
        rows,
        period_from=period_from,
        period_to=period_to,
        body=agencies.get(code, code),
        parent=parent,
        place=place_of(procedure, agencies) if procedure is not None else "Hà Nội",
        today=today,
    )
    query = urlencode({"from": period_from, "to": period_to, "format": "pdf"})
    return printed(form.model_copy(update={"pdf_query": query}), fmt)


def _instant(value: Any) -> datetime | None:
    """The event time a message's context carries (ISO-8601), if any."""
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=VN_TZ)


def message_attachment(
    engine: Engine, template: str, context: dict[str, Any], now: datetime
) -> Attachment | None:
    """The PDF of the form a message carries (receipt: 01, supplement request: 02, refusal
    at intake: 03, extension: 04, decision: the decision), as it stood when the message was
    written; None for messages without a form. Any failure is a RenderError."""
    number = MESSAGE_FORMS.get(template)
    dossier_id = context.get("dossier_id")
    if number is None or not isinstance(dossier_id, str) or not dossier_id:
        return None
    try:
        src = load_sources(engine, dossier_id, now)
        form = (
            build_decision(src)
            if number == DECISION
            else build_form(number, src, _instant(context.get("at")))
        )
    except DossierError as exc:
        raise RenderError(f"the {template} message's form: {exc.detail}") from exc
    return Attachment(form.filename, render_pdf(form))
