"""Which deadlines a dossier should have armed right now (pure; the service reconciles rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from flows.calendar import VN_TZ, WorkingCalendar
from flows.engine.state import DossierState
from flows.engine.steps import FLAG_ACTION
from flows.procedures.schema import ConsultationStatus, ProcedureDefinition


class TimerKind(StrEnum):
    """The kinds of deadline the sweep acts on."""

    consultation_reminder = "consultation_reminder"  # n WD before an agency's due date
    consultation_due = "consultation_due"  # agency's due date passed: overdue or deemed consent
    dossier_at_risk = "dossier_at_risk"  # few WD left before the appointment date
    dossier_late = "dossier_late"  # appointment date passed without a result
    step_due = "step_due"  # a step's own due date passed while it is open


@dataclass(frozen=True)
class TimerSpec:
    """A timer the dossier should have: kind, the consultation it hangs off, when it fires."""

    kind: TimerKind
    consultation_id: str | None
    due_at: datetime


def start_of(day: date) -> datetime:
    """Midnight at the start of a day in Vietnam, as an aware instant."""
    return datetime.combine(day, time.min, tzinfo=VN_TZ)


def after(day: date) -> datetime:
    """The first instant after a day ends in Vietnam (a deadline 'passed')."""
    return start_of(day + timedelta(days=1))


def desired_timers(
    state: DossierState, procedure: ProcedureDefinition, calendar: WorkingCalendar
) -> set[TimerSpec]:
    """The timers that should be armed for the dossier as it stands."""
    specs: set[TimerSpec] = set()
    if state.is_terminal:
        return specs
    if state.accepted_at is not None and state.due_date is not None and not state.suspended:
        if procedure.at_risk_working_days > 0:
            warn_day = calendar.add_working_days(state.due_date, -procedure.at_risk_working_days)
            specs.add(TimerSpec(TimerKind.dossier_at_risk, None, start_of(warn_day)))
        specs.add(TimerSpec(TimerKind.dossier_late, None, after(state.due_date)))
    for x in state.consultations:
        if x.status != ConsultationStatus.requested:
            continue
        if x.reminded_at is None and procedure.reminder_working_days_before > 0:
            remind_day = calendar.add_working_days(
                x.due_date, -procedure.reminder_working_days_before
            )
            specs.add(TimerSpec(TimerKind.consultation_reminder, x.id, start_of(remind_day)))
        specs.add(TimerSpec(TimerKind.consultation_due, x.id, after(x.due_date)))
    if procedure.transition(FLAG_ACTION) is not None:  # versions published before it lack it
        for st in state.progress.steps.values():
            if st.ended_at is None and st.overdue_at is None and st.due_date is not None:
                specs.add(TimerSpec(TimerKind.step_due, None, after(st.due_date)))
    return specs
