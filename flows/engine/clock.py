"""The legal clock of a dossier: working days used and left, derived from its state."""

from __future__ import annotations

from datetime import datetime

from flows.calendar import WorkingCalendar, local_date
from flows.engine.state import DossierState


def clock_time(state: DossierState, now: datetime) -> datetime:
    """The instant the clock reads: now, or when it stopped if the dossier is suspended."""
    if state.suspended and state.suspended_since is not None:
        return state.suspended_since
    if state.completed_at is not None:
        return state.completed_at
    return now


def working_days_used(state: DossierState, calendar: WorkingCalendar, now: datetime) -> int | None:
    """Working days the legal clock has run since acceptance, stops excluded."""
    if state.accepted_at is None:
        return None
    ran = calendar.working_days_between(state.accepted_at, clock_time(state, now))
    return max(ran - state.suspended_working_days, 0)


def working_days_left(state: DossierState, calendar: WorkingCalendar, now: datetime) -> int | None:
    """Working days until the appointment date (negative once it has passed)."""
    if state.due_date is None or state.completed_at is not None:
        return None
    return calendar.working_days_between(clock_time(state, now), state.due_date)


def is_overdue(state: DossierState, now: datetime) -> bool:
    """Past the appointment date and not finished."""
    if state.due_date is None or state.is_terminal:
        return False
    return local_date(clock_time(state, now)) > state.due_date
