"""handle(command): load, decide, apply, and write everything in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from flows.calendar import WorkingCalendar
from flows.engine import apply, decide
from flows.engine import commands as c
from flows.engine.events import Event
from flows.engine.state import Actor, DossierState
from flows.engine.steps import track as track_steps
from flows.errors import InvalidInput, NotFound, PreconditionFailed
from flows.procedures import REGISTRY, ProcedureRegistry
from flows.procedures.schema import ProcedureDefinition
from flows.register.risk import rescore_after
from flows.service.calendar import load_calendar
from flows.service.certificates import apply_certificate
from flows.service.dossier_steps import write_step
from flows.service.effects import queue_messages, reconcile_timers, record_audit
from flows.service.idempotency import IdempotencyKey, store_answer, stored_answer
from flows.service.letters import check_letter_document
from flows.service.mapping import to_state, write_state
from flows.service.metrics.facts import dossier_keys
from flows.service.metrics.record import record_metrics
from flows.service.reference import reference
from flows.service.registry import sync_registry
from flows.service.views import consultation_view, dossier_view
from models.consultation import Consultation
from models.db import is_postgres, read_session, write_session
from models.dossier import Dossier
from models.schemas import ConsultationPublic, DossierPublic
from models.types import utcnow

STAFF = ("handler", "leader")  # who can be assigned a dossier

# Built once: SQLAlchemy memoizes a statement's cache key on the object, so a statement reused
# with bound parameters skips building and keying a new one for every command.
_DOSSIER = select(Dossier).where(Dossier.id == bindparam("dossier_id"))
_DOSSIER_FOR_UPDATE = _DOSSIER.with_for_update()
_CONSULTATIONS = select(Consultation).where(Consultation.dossier_id == bindparam("dossier_id"))


def load_for_update(session: Session, dossier_id: str) -> Dossier:
    """The dossier row, locked for this transaction (FOR UPDATE on PostgreSQL)."""
    query = _DOSSIER_FOR_UPDATE if is_postgres(session.get_bind()) else _DOSSIER  # type: ignore[arg-type]
    row = session.exec(query, params={"dossier_id": dossier_id}).first()
    if row is None:
        raise NotFound(f"no dossier {dossier_id}")
    return row


def _check_references(session: Session, command: c.Command) -> None:
    """Names in the command must exist: consulted agencies, the assignee."""
    if isinstance(command, c.Consult) and command.agencies:
        codes = {a.strip() for a in command.agencies if a.strip()}
        agencies = reference(session).agencies
        active = {code for code in codes if code in agencies and agencies[code].active}
        unknown = sorted(codes - active)
        if unknown:
            raise InvalidInput(f"unknown or inactive agencies: {', '.join(unknown)}")
    if isinstance(command, c.Assign):
        name = command.assignee.strip()
        if not any(u.display_name == name for u in reference(session).staff(STAFF)):
            raise InvalidInput(f"no handler or leader named {command.assignee!r}")
    if isinstance(command, c.Respond) and command.letter_document_id:
        x = session.get(Consultation, command.consultation_id)
        if x is not None:
            check_letter_document(session, x, command.letter_document_id)


def _audit_actor(command: c.Command) -> Actor:
    """Who the audit trail names: the handler who recorded a paper answer, else the actor."""
    if isinstance(command, c.Respond) and command.recorder is not None:
        return command.recorder
    return command.actor


def handle(
    engine: Engine,
    dossier_id: str,
    command: c.Command,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
    idempotency: IdempotencyKey | None = None,
    registry: ProcedureRegistry = REGISTRY,
) -> DossierPublic:
    """Carry out one command on one dossier, atomically; returns the updated dossier."""
    now = now or utcnow()
    try:
        with write_session(engine) as session:
            stored = stored_answer(session, idempotency)
            if stored is not None:
                return DossierPublic.model_validate(stored)
            view = _execute(session, dossier_id, command, now, expected_version, registry)
            store_answer(session, idempotency, 200, view.model_dump(mode="json"), now)
            return view
    except IntegrityError:
        # A concurrent request with the same key won the race: give its answer back.
        if idempotency is None:
            raise
        with read_session(engine) as session:
            stored = stored_answer(session, idempotency)
        if stored is None:
            raise
        return DossierPublic.model_validate(stored)


@dataclass
class Applied:
    """What one command did inside its transaction."""

    row: Dossier
    consultations: list[Consultation]
    procedure: ProcedureDefinition
    calendar: WorkingCalendar
    state: DossierState
    events: list[Event]


def apply_command(
    session: Session,
    dossier_id: str,
    command: c.Command,
    now: datetime,
    expected_version: int | None = None,
    registry: ProcedureRegistry = REGISTRY,
) -> Applied:
    """Decide and write one command inside the caller's transaction (no commit here)."""
    if registry is REGISTRY:
        registry = sync_registry(session)
    row = load_for_update(session, dossier_id)
    if expected_version is not None and row.version != expected_version:
        raise PreconditionFailed(
            f"the dossier is at version {row.version}, not {expected_version}; reload it"
        )
    procedure = registry.get(row.procedure, row.procedure_version)
    if procedure is None:
        raise NotFound(f"procedure {row.procedure} v{row.procedure_version} is not defined")
    consultations = list(session.exec(_CONSULTATIONS, params={"dossier_id": row.id}).all())
    calendar = load_calendar(session)
    state = to_state(row, consultations)
    before = state.status.value
    counted = dossier_keys(row, consultations)  # the dossier's counters before the change
    _check_references(session, command)
    events = decide(state, command, now=now, procedure=procedure, calendar=calendar)
    previous = to_state(row, consultations)
    for event in events:
        apply(state, event)
    track_steps(state, command.action, now, procedure, calendar)
    new_rows = write_state(state, row, {x.id: x for x in consultations}, calendar)
    session.add_all(new_rows)
    consultations.extend(new_rows)
    row.version += 1
    session.add(row)
    session.flush()
    # What follows only adds rows and reads rows already flushed (the dossier and its requests,
    # just above) or committed: one flush at the end instead of one per query in between.
    with session.no_autoflush:
        record_audit(
            session,
            dossier_id=row.id,
            actor=_audit_actor(command),
            action=command.action,
            from_status=before,
            to_status=state.status.value,
            at=now,
            details={"events": [{"event": ev.name, **ev.details()} for ev in events]},
        )
        record_metrics(session, row, consultations, counted, previous, events, calendar)
        reconcile_timers(session, state, procedure, calendar, now)
        apply_certificate(session, row, procedure, events, now)
        rescore_after(session, row.ngo_id, row.procedure, events, now)
        queue_messages(session, row, procedure, events, now, actor=command.actor)
        write_step(session, row, command.action, now)
    session.flush()
    return Applied(row, consultations, procedure, calendar, state, events)


def _execute(
    session: Session,
    dossier_id: str,
    command: c.Command,
    now: datetime,
    expected_version: int | None,
    registry: ProcedureRegistry,
) -> DossierPublic:
    done = apply_command(session, dossier_id, command, now, expected_version, registry)
    return dossier_view(
        done.row, done.consultations, done.procedure, done.calendar, now, done.state
    )


def respond(
    engine: Engine, consultation_id: str, command: c.Respond, *, now: datetime | None = None
) -> ConsultationPublic:
    """An agency answers its own consultation request (others' are NotFound), in one
    transaction: the request is looked up, answered and read back under the same write lock."""
    now = now or utcnow()
    with write_session(engine) as session:
        # Columns, not the row: the request itself is loaded after the dossier's lock (on
        # PostgreSQL a row read before it could be stale when a concurrent answer commits).
        found = session.exec(
            select(Consultation.dossier_id, Consultation.agency_code).where(
                Consultation.id == consultation_id
            )
        ).first()
        if found is None or found[1] != command.actor.agency:
            raise NotFound(f"no consultation {consultation_id} for your agency")
        done = apply_command(session, found[0], command, now)
        answered = next(row for row in done.consultations if row.id == consultation_id)
        return consultation_view(answered, done.row)
