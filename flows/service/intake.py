"""Receiving a dossier (tiếp nhận): validation, the dossier code, the first audit row."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from flows.calendar import local_date
from flows.engine.state import Actor, Progress
from flows.engine.steps import next_due, open_steps
from flows.errors import Forbidden, InvalidInput
from flows.procedures import REGISTRY, ProcedureRegistry, fields_model
from flows.procedures.schema import ProcedureDefinition, StepStart
from flows.register.intake_link import after_receipt, link_new_dossier
from flows.service.calendar import load_calendar
from flows.service.certificates import check_certificate
from flows.service.dossier_steps import write_step
from flows.service.effects import reconcile_timers, record_audit
from flows.service.idempotency import IdempotencyKey, store_answer, stored_answer
from flows.service.mapping import to_state
from flows.service.metrics.counters import add_counts
from flows.service.metrics.facts import dossier_keys
from flows.service.registry import registry_of
from flows.service.required import required_agencies
from flows.service.views import dossier_view
from models.db import is_postgres, read_session, write_session
from models.dossier import Dossier, DossierSequence
from models.schemas import DossierCreate, DossierPublic
from models.types import utcnow


def validate_fields(payload: DossierCreate, registry: ProcedureRegistry) -> dict[str, Any]:
    """The procedure's own fields, validated by its pydantic model (422 naming the rule)."""
    procedure = registry.get(payload.procedure)
    if procedure is None:
        known = ", ".join(p.code for p in registry.latest())
        raise InvalidInput(f"unknown procedure {payload.procedure!r}; known: {known}")
    extra = dict(payload.model_extra or {})
    try:
        fields = fields_model(procedure).model_validate(extra)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'fields'}: "
            f"{err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise InvalidInput(f"invalid fields for {procedure.code}: {problems}") from exc
    return fields.model_dump(mode="json")


def check_intake_rules(
    procedure: ProcedureDefinition, fields: dict[str, Any], now: datetime
) -> None:
    """The procedure's own conditions for receiving a dossier at all (422 citing the rule)."""
    if not procedure.accepts_new:
        raise InvalidInput(
            f"{procedure.code} no longer receives dossiers: {procedure.retired_note}"
        )
    window = procedure.intake_window
    if window is not None and fields.get(window.field):
        start = date.fromisoformat(str(fields[window.field]))
        today = local_date(now)
        if start > today:
            raise InvalidInput(f"{window.field} cannot be in the future")
        if today > add_months(start, window.months):
            raise InvalidInput(
                f"{window.field} {start:%d/%m/%Y} is more than {window.months} months ago: "
                f"{window.legal_basis}"
            )
    anchor = procedure.due_anchor_field
    if anchor is not None and fields.get(anchor):
        if date.fromisoformat(str(fields[anchor])) > local_date(now):
            raise InvalidInput(f"{anchor} cannot be after the day the dossier is received")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_code(session: Session, agency: str, now: datetime) -> str:
    """Receiving-agency code + receipt date + sequence number, e.g. UBCT-PCPNN-20261123-0001."""
    day = local_date(now)
    query = select(DossierSequence).where(
        DossierSequence.agency_code == agency, DossierSequence.day == day
    )
    if is_postgres(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update()
    seq = session.exec(query).first()
    if seq is None:
        seq = DossierSequence(agency_code=agency, day=day, last=0)
    seq.last += 1
    session.add(seq)
    return format_code(agency, day, seq.last)


def format_code(agency: str, day: date, sequence: int) -> str:
    """The dossier code of a receiving agency's `sequence`-th dossier received on `day`."""
    return f"{agency}-{day:%Y%m%d}-{sequence:04d}"


def create_dossier(
    engine: Engine,
    payload: DossierCreate,
    actor: Actor,
    *,
    now: datetime | None = None,
    receiving_agency: str = "",
    idempotency: IdempotencyKey | None = None,
    registry: ProcedureRegistry = REGISTRY,
) -> tuple[DossierPublic, bool]:
    """Receive a new dossier; returns it and whether it was created now (not a retry)."""
    if actor.role != "handler":
        raise Forbidden("only a handler may receive dossiers")
    now = now or utcnow()
    if registry is REGISTRY:
        registry = registry_of(engine)
    fields = validate_fields(payload, registry)
    procedure = registry.get(payload.procedure)
    assert procedure is not None
    check_intake_rules(procedure, fields, now)
    for attempt in range(3):
        try:
            with write_session(engine) as session:
                stored = stored_answer(session, idempotency)
                if stored is not None:
                    return DossierPublic.model_validate(stored), False
                concerned = check_certificate(session, procedure, fields)
                ngo_id, risk_group, risk_agencies = link_new_dossier(
                    session, procedure, fields, payload.applicant, concerned, now
                )
                required = required_agencies(session, procedure, fields)
                progress = Progress(
                    required_agencies=list(dict.fromkeys([*required, *risk_agencies])),
                    certificate_valid_until=(
                        concerned.valid_until.isoformat()
                        if concerned is not None and concerned.valid_until
                        else None
                    ),
                )
                calendar = load_calendar(session)
                open_steps(progress, procedure, StepStart.received, now, calendar)
                agency = receiving_agency or procedure.receiving_agency
                row = Dossier(
                    id=str(uuid.uuid4()),
                    code=next_code(session, agency, now),
                    procedure=procedure.code,
                    procedure_version=procedure.version,
                    status="received",
                    applicant_name=payload.applicant.name,
                    applicant_country=payload.applicant.country,
                    applicant_email=str(payload.applicant.email),
                    applicant_language=payload.applicant.language,
                    ngo_id=ngo_id,
                    subject=payload.subject,
                    fields=fields,
                    received_at=now,
                    received_by=actor.name,
                    received_on=local_date(now),
                    receiving_agency=agency,
                    progress=progress.to_json(),
                    step_due_date=next_due(progress),
                    version=1,
                )
                session.add(row)
                session.flush()
                after_receipt(session, procedure, concerned, row, now)
                add_counts(session, dossier_keys(row, []))
                record_audit(
                    session,
                    dossier_id=row.id,
                    actor=actor,
                    action="receive",
                    from_status=None,
                    to_status="received",
                    at=now,
                    details={
                        "procedure": procedure.code,
                        "procedure_version": procedure.version,
                        # Why an agency beyond the law's list is required (review depth).
                        **(
                            {"risk_group": risk_group, "risk_agencies": risk_agencies}
                            if risk_agencies
                            else {}
                        ),
                    },
                )
                reconcile_timers(session, to_state(row, []), procedure, calendar, now)
                write_step(session, row, "receive", now)  # the review's first flow run
                view = dossier_view(row, [], procedure, calendar, now)
                store_answer(session, idempotency, 201, view.model_dump(mode="json"), now)
                return view, True
        except IntegrityError:
            # Same key raced us, or (PostgreSQL) two first dossiers of the day: look, then retry.
            if idempotency is not None:
                with read_session(engine) as session:
                    stored = stored_answer(session, idempotency)
                if stored is not None:
                    return DossierPublic.model_validate(stored), False
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
