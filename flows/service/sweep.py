"""The deadline sweep's service side: fire due timers, each once (in small batches, each
timer in its own savepoint)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, or_
from sqlmodel import Session, col, select

from flows.calendar import local_date
from flows.engine import commands as c
from flows.engine.state import SYSTEM
from flows.engine.timers import TimerKind
from flows.errors import DossierError
from flows.procedures import REGISTRY, ProcedureRegistry
from flows.register.obligation_sweep import has_due_obligations, sweep_obligations
from flows.service.handle import apply_command
from models.db import is_postgres, read_session, write_session
from models.timer import Timer

log = logging.getLogger("ngo_review.sweep")

# Timers fired per transaction: on SQLite the batch holds the write lock, so API writers wait
# for at most this many commands (~2 ms each) behind a sweep.
PER_TRANSACTION = 20
EVENT_COUNTERS = {
    "ConsultationReminded": "reminders",
    "ConsultationOverdue": "overdue",
    "ConsultationDeemedConsent": "deemed_consent",
    "DossierLate": "late",
    "DossierAtRisk": "at_risk",
    "StepOverdue": "steps_overdue",
}


@dataclass
class SweepSummary:
    """What one sweep did; printed by `ngo-review sweep` as JSON."""

    fired: int = 0
    reminders: int = 0
    overdue: int = 0
    deemed_consent: int = 0
    late: int = 0
    at_risk: int = 0
    steps_overdue: int = 0
    obligations_reminded: int = 0
    obligations_overdue: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: SweepSummary) -> None:
        """Accumulate another batch's counts."""
        for name in (
            "fired",
            "reminders",
            "overdue",
            "deemed_consent",
            "late",
            "at_risk",
            "steps_overdue",
            "obligations_reminded",
            "obligations_overdue",
            "skipped",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready counts."""
        return {
            "fired": self.fired,
            "reminders": self.reminders,
            "overdue": self.overdue,
            "deemed_consent": self.deemed_consent,
            "late": self.late,
            "at_risk": self.at_risk,
            "steps_overdue": self.steps_overdue,
            "obligations_reminded": self.obligations_reminded,
            "obligations_overdue": self.obligations_overdue,
            "skipped": self.skipped,
            "errors": self.errors,
        }


def _command(timer: Timer) -> c.Command:
    kind = TimerKind(timer.kind)
    if kind == TimerKind.consultation_reminder:
        return c.RemindConsultation(actor=SYSTEM, consultation_id=timer.consultation_id or "")
    if kind == TimerKind.consultation_due:
        return c.ExpireConsultation(actor=SYSTEM, consultation_id=timer.consultation_id or "")
    if kind == TimerKind.step_due:
        # The timer fires the instant after its due day: it concerns the steps due that day.
        day = local_date(timer.due_at) - timedelta(days=1)
        return c.FlagStepOverdue(actor=SYSTEM, due_date=day)
    if kind == TimerKind.dossier_at_risk:
        return c.FlagAtRisk(actor=SYSTEM)
    return c.FlagLate(actor=SYSTEM)


Cursor = tuple[datetime, int]


def due_timers(
    engine: Engine, as_of: datetime, limit: int, after: Cursor | None = None
) -> list[Cursor]:
    """(due_at, id) of pending timers due by `as_of`, oldest first, after a keyset cursor.

    The (fired_at, cancelled_at, due_at) index makes this a range scan: its cost follows the
    number of due timers, not the number of open dossiers.
    """
    query = select(Timer.due_at, Timer.id).where(
        col(Timer.fired_at).is_(None), col(Timer.cancelled_at).is_(None), col(Timer.due_at) <= as_of
    )
    if after is not None:
        query = query.where(
            or_(
                col(Timer.due_at) > after[0],
                and_(col(Timer.due_at) == after[0], col(Timer.id) > after[1]),
            )
        )
    with read_session(engine) as session:
        rows = session.exec(query.order_by(col(Timer.due_at), col(Timer.id)).limit(limit)).all()
        return [(due, int(tid or 0)) for due, tid in rows]


def has_due(engine: Engine, as_of: datetime) -> bool:
    """Whether any pending timer or obligation is due by `as_of` (the sweep's idle check)."""
    return bool(due_timers(engine, as_of, 1)) or has_due_obligations(engine, as_of)


def _claim(session: Session, timer_id: int) -> Timer | None:
    """Lock the timer for this transaction, if still pending and nobody else holds it."""
    query = select(Timer).where(
        Timer.id == timer_id, col(Timer.fired_at).is_(None), col(Timer.cancelled_at).is_(None)
    )
    if is_postgres(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update(skip_locked=True)
    return session.exec(query).first()


def fire_timer(
    engine: Engine, timer_id: int, as_of: datetime, registry: ProcedureRegistry = REGISTRY
) -> SweepSummary:
    """Fire one timer through the engine as the system actor; marks it fired in the same
    transaction, so running it again, or on two workers at once, does nothing twice."""
    with write_session(engine) as session:
        return _fire(session, timer_id, as_of, registry)


def fire_timers(
    engine: Engine, timer_ids: list[int], as_of: datetime, registry: ProcedureRegistry = REGISTRY
) -> SweepSummary:
    """Fire several timers in one transaction (a transaction per timer cost more than firing
    it; each command is in its own savepoint in _fire); if one fails unexpectedly, they are
    fired one by one, so the others still act and the failure surfaces from its timer."""
    summary = SweepSummary()
    try:
        with write_session(engine) as session:
            for timer_id in timer_ids:
                summary.add(_fire(session, timer_id, as_of, registry))
    except Exception:  # noqa: BLE001 - retried below, one transaction each
        if len(timer_ids) == 1:
            raise
        log.info("batch of %d timers failed; firing them one by one", len(timer_ids))
        summary = SweepSummary()
        for timer_id in timer_ids:
            summary.add(fire_timer(engine, timer_id, as_of, registry))
    return summary


def _fire(
    session: Session, timer_id: int, as_of: datetime, registry: ProcedureRegistry
) -> SweepSummary:
    summary = SweepSummary()
    timer = _claim(session, timer_id)
    if timer is None:
        return summary  # fired, cancelled, or being fired by another sweep right now
    try:
        with session.begin_nested():
            events = apply_command(
                session, timer.dossier_id, _command(timer), as_of, registry=registry
            ).events
    except DossierError as exc:
        # The timer no longer applies (e.g. answered in the same instant): retire it.
        log.info("timer %s skipped: %s", timer_id, exc.detail)
        summary.skipped += 1
        events = []
    timer.fired_at = as_of
    session.add(timer)
    summary.fired += 1
    for ev in events:
        counter = EVENT_COUNTERS.get(ev.name)
        if counter:
            setattr(summary, counter, getattr(summary, counter) + 1)
    return summary


def sweep_timers(
    engine: Engine, as_of: datetime, batch_size: int = 500, registry: ProcedureRegistry = REGISTRY
) -> SweepSummary:
    """Fire every timer due by `as_of`, in batches; idempotent."""
    total = SweepSummary()
    cursor: Cursor | None = None
    while True:
        batch = due_timers(engine, as_of, batch_size, cursor)
        ids = [timer_id for _, timer_id in batch]
        for start in range(0, len(ids), PER_TRANSACTION):
            total.add(fire_timers(engine, ids[start : start + PER_TRANSACTION], as_of, registry))
        if len(batch) < batch_size:
            return total
        cursor = batch[-1]


def sweep(
    engine: Engine, as_of: datetime, batch_size: int = 500, registry: ProcedureRegistry = REGISTRY
) -> SweepSummary:
    """The timers, then the register's obligations, due by `as_of`; idempotent."""
    total = sweep_timers(engine, as_of, batch_size, registry)
    total.obligations_reminded, total.obligations_overdue = sweep_obligations(engine, as_of)
    return total
