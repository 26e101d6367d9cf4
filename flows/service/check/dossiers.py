"""Every dossier, a batch at a time, in one consistent snapshot per batch: its audit chain,
its version, and the engine's invariants on its status, consultations and timers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlmodel import Session, col

from flows.calendar import WorkingCalendar
from flows.engine.state import DossierState
from flows.procedures import ProcedureRegistry
from flows.procedures.schema import ProcedureDefinition
from flows.service.calendar import load_calendar
from flows.service.check.chains import dossier_chain
from flows.service.check.invariants import (
    CLOSED,
    STATUSES,
    closing_breaks,
    consultation_breaks,
    status_breaks,
    timer_breaks,
)
from flows.service.check.lenient import lenient
from flows.service.check.report import Break, CheckReport
from flows.service.check.versions import document_breaks, version_break
from flows.service.mapping import to_state
from flows.service.registry import registry_of
from models.audit import AuditEvent
from models.audit_chain import DOSSIER_FIELDS
from models.consultation import Consultation
from models.db import is_postgres, read_session
from models.document import Document
from models.dossier import Dossier
from models.timer import Timer

BATCH = 500
DOSSIER_COLUMNS = [
    lenient(col(getattr(Dossier, name)))
    for name in ("id", "code", "status", "version", "suspended", "completed_at")
]
AUDIT_COLUMNS = [
    lenient(col(getattr(AuditEvent, name))) for name in ("id", *DOSSIER_FIELDS, "prev_hash", "hash")
]
CONSULTATION_COLUMNS = [
    lenient(col(getattr(Consultation, name)))
    for name in ("id", "dossier_id", "agency_code", "status", "answered_at")
]
TIMER_COLUMNS = [
    lenient(col(getattr(Timer, name)))
    for name in ("id", "dossier_id", "kind", "consultation_id", "due_at", "fired_at")
]


def check_dossiers(engine: Engine, report: CheckReport, *, batch: int = BATCH) -> None:
    """Check every dossier, `batch` at a time in id order (memory stays bounded)."""
    registry = registry_of(engine)
    with read_session(engine) as session:
        calendar = load_calendar(session)
    last: str | None = None
    while True:
        with engine.connect() as conn:
            if is_postgres(engine):  # every statement of the batch sees the same commits
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            query = select(*DOSSIER_COLUMNS).order_by(col(Dossier.id)).limit(batch)
            if last is not None:
                query = query.where(col(Dossier.id) > last)
            dossiers = conn.execute(query).all()
            if not dossiers:
                return
            _check_batch(conn, dossiers, registry, calendar, report)
        last = dossiers[-1].id


def _grouped(rows: Iterable[Any]) -> dict[str, list[Any]]:
    by_dossier: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_dossier[row.dossier_id].append(row)
    return by_dossier


def _check_batch(
    conn: Connection,
    dossiers: Sequence[Any],
    registry: ProcedureRegistry,
    calendar: WorkingCalendar,
    report: CheckReport,
) -> None:
    first, last = dossiers[0].id, dossiers[-1].id
    events = conn.execute(
        select(*AUDIT_COLUMNS)
        .where(col(AuditEvent.dossier_id).between(first, last))
        .order_by(col(AuditEvent.dossier_id), col(AuditEvent.id))
    ).all()
    consultations = conn.execute(
        select(*CONSULTATION_COLUMNS).where(col(Consultation.dossier_id).between(first, last))
    ).all()
    timers = conn.execute(
        select(*TIMER_COLUMNS).where(
            col(Timer.dossier_id).between(first, last), col(Timer.cancelled_at).is_(None)
        )
    ).all()
    documents = conn.execute(
        select(col(Document.id), col(Document.dossier_id)).where(
            col(Document.dossier_id).between(first, last)
        )
    ).all()
    open_ids = [d.id for d in dossiers if d.status in STATUSES - CLOSED]
    states = _states(conn, open_ids, registry, report)
    report.count("dossiers", len(dossiers))
    report.count("audit_events", len(events))
    report.count("consultations", len(consultations))
    report.count("timers", len(timers))
    events_of, consultations_of, timers_of = (
        _grouped(events),
        _grouped(consultations),
        _grouped(timers),
    )
    documents_of = _grouped(documents)
    for dossier in dossiers:
        trail = events_of.get(dossier.id, [])
        requests = consultations_of.get(dossier.id, [])
        armed = timers_of.get(dossier.id, [])
        found: list[Break | None] = [dossier_chain(dossier, trail), version_break(dossier, trail)]
        found += [*status_breaks(dossier, trail), *closing_breaks(dossier, requests, armed)]
        found += consultation_breaks(dossier, requests)
        found += document_breaks(dossier, trail, [d.id for d in documents_of.get(dossier.id, [])])
        if dossier.id in states:
            state, procedure = states[dossier.id]
            found += timer_breaks(state, procedure, calendar, armed)
        for item in found:
            if item is not None:
                report.add(item)


def _states(
    conn: Connection, ids: list[str], registry: ProcedureRegistry, report: CheckReport
) -> dict[str, tuple[DossierState, ProcedureDefinition]]:
    """The engine state and procedure of each open dossier (read in the batch's snapshot)."""
    if not ids:
        return {}
    out: dict[str, tuple[DossierState, ProcedureDefinition]] = {}
    with Session(bind=conn) as session:
        try:
            rows, requests = _loaded(session, ids)
        except (TypeError, ValueError):  # a value edited into what its column cannot hold
            rows, requests = [], {}
            for one in ids:
                try:
                    found, of_one = _loaded(session, [one])
                except (TypeError, ValueError) as error:
                    report.add(
                        Break("state", f"dossier {one}: its rows cannot be read ({error})", one)
                    )
                    continue
                rows += found
                requests.update(of_one)
        for row in rows:
            procedure = registry.get(row.procedure, row.procedure_version)
            if procedure is None:
                report.add(
                    Break(
                        "procedure",
                        f"dossier {row.code}: procedure {row.procedure} "
                        f"v{row.procedure_version} is not defined",
                        dossier=row.id,
                    )
                )
                continue
            try:
                state = to_state(row, requests.get(row.id, []))
            except (KeyError, TypeError, ValueError) as error:
                report.add(
                    Break(
                        "state",
                        f"dossier {row.code}: its rows make no engine state ({error})",
                        dossier=row.id,
                    )
                )
                continue
            out[row.id] = (state, procedure)
    return out


def _loaded(session: Session, ids: list[str]) -> tuple[list[Dossier], dict[str, list[Any]]]:
    """The dossiers as the engine reads them, and their requests."""
    rows = list(session.scalars(select(Dossier).where(col(Dossier.id).in_(ids))).all())
    requests = session.scalars(select(Consultation).where(col(Consultation.dossier_id).in_(ids)))
    return rows, _grouped(requests.all())
