"""What the engine guarantees of every dossier, checked on the stored rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from flows.calendar import WorkingCalendar
from flows.engine.state import DossierState
from flows.engine.timers import TimerKind, desired_timers
from flows.procedures.schema import (
    OPEN_CONSULTATION_STATUSES,
    TERMINAL_STATUSES,
    ConsultationStatus,
    ProcedureDefinition,
    Status,
)
from flows.service.check.report import Break

STATUSES = frozenset(s.value for s in Status)
CLOSED = frozenset(s.value for s in TERMINAL_STATUSES)
CONSULTATION_STATUSES = frozenset(s.value for s in ConsultationStatus)
OPEN = frozenset(s.value for s in OPEN_CONSULTATION_STATUSES)
# Their instants are counted back in working days from a due date: a calendar changed since
# they were armed moves them ("appointment dates already given stay as given"), so only
# their presence is compared.
CALENDAR_DEPENDENT = frozenset(
    {TimerKind.dossier_at_risk.value, TimerKind.consultation_reminder.value}
)

TimerKey = tuple[str, str | None, datetime | None]


def status_breaks(dossier: Any, events: Sequence[Any]) -> Iterator[Break]:
    """The status is known, is where the last event left the dossier, and each event starts
    where the one before it ended."""
    name = f"dossier {dossier.code}"
    if dossier.status not in STATUSES:
        yield Break("status", f"{name}: unknown status {dossier.status!r}", dossier=dossier.id)
    if events and events[-1].to_status != dossier.status:
        last = events[-1]
        yield Break(
            "status",
            f"{name} is {dossier.status} but its last event {last.id} ({last.action}) left it "
            f"{last.to_status}",
            dossier=dossier.id,
            event=last.id,
        )
    before: str | None = None
    for event in events:
        if event.from_status != before:
            yield Break(
                "status",
                f"{name}: event {event.id} ({event.action}) starts from {event.from_status} but "
                f"the event before it left the dossier {before or 'not yet received'}",
                dossier=dossier.id,
                event=event.id,
            )
            return
        before = event.to_status


def closing_breaks(
    dossier: Any, consultations: Sequence[Any], timers: Sequence[Any]
) -> Iterator[Break]:
    """A finished dossier waits for nobody: no open request, no clock stop, no deadline, a
    completion date; the clock stops only while a supplement is awaited."""
    name = f"dossier {dossier.code}"
    if dossier.suspended and dossier.status != Status.awaiting_supplement.value:
        yield Break(
            "status",
            f"{name} is suspended while {dossier.status}: the clock stops only while a "
            "supplement is awaited",
            dossier=dossier.id,
        )
    if dossier.status not in CLOSED:
        return
    if dossier.completed_at is None:
        yield Break(
            "status", f"{name} is {dossier.status} without a completion date", dossier=dossier.id
        )
    for x in consultations:
        if x.status in OPEN:
            yield Break(
                "consultations",
                f"{name} is {dossier.status} yet its request {x.id} to {x.agency_code} is "
                f"still {x.status}",
                dossier=dossier.id,
            )
    armed = sorted(t.kind for t in timers if t.fired_at is None)
    if armed:
        yield Break(
            "timers",
            f"{name} is {dossier.status} yet has {len(armed)} armed timer(s): {', '.join(armed)}",
            dossier=dossier.id,
        )


def consultation_breaks(dossier: Any, consultations: Sequence[Any]) -> Iterator[Break]:
    """Each request has a known status; an answered one, its answer's date."""
    for x in consultations:
        if x.status not in CONSULTATION_STATUSES:
            yield Break(
                "consultations",
                f"dossier {dossier.code}: request {x.id} has unknown status {x.status!r}",
                dossier=dossier.id,
            )
        elif x.status == ConsultationStatus.answered.value and x.answered_at is None:
            yield Break(
                "consultations",
                f"dossier {dossier.code}: request {x.id} to {x.agency_code} is answered "
                "without an answer date",
                dossier=dossier.id,
            )


def _iso(at: Any) -> str:
    """An instant as ISO-8601, or a value that is none as it was read."""
    return at.isoformat() if isinstance(at, datetime) else repr(at)


def _key(kind: str, consultation_id: str | None, due_at: datetime) -> TimerKey:
    return (kind, consultation_id, None if kind in CALENDAR_DEPENDENT else due_at)


def timer_breaks(
    state: DossierState,
    procedure: ProcedureDefinition,
    calendar: WorkingCalendar,
    timers: Sequence[Any],
) -> Iterator[Break]:
    """The armed timers are exactly the deadlines the engine wants for the dossier now (those
    already fired stay, as the service keeps them)."""
    wanted = {
        _key(spec.kind.value, spec.consultation_id, spec.due_at)
        for spec in desired_timers(state, procedure, calendar)
    }
    kept = {_key(t.kind, t.consultation_id, t.due_at) for t in timers}
    name = f"dossier {state.code}"
    for t in timers:
        if t.fired_at is None and _key(t.kind, t.consultation_id, t.due_at) not in wanted:
            yield Break(
                "timers",
                f"{name}: timer {t.id} ({t.kind}, due {_iso(t.due_at)}) is armed but the "
                "engine wants no such deadline",
                dossier=state.id,
            )
    for kind, consultation_id, due_at in sorted(wanted - kept, key=str):
        of = f" of request {consultation_id}" if consultation_id else ""
        due = f" due {_iso(due_at)}" if due_at else ""
        yield Break(
            "timers",
            f"{name}: no {kind} timer{of}{due}, which the engine wants armed",
            dossier=state.id,
        )
