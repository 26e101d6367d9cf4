"""Each step's own deadline: opened by what starts it, closed by the actions that end it (pure)."""

from __future__ import annotations

from datetime import date, datetime

from flows.calendar import WorkingCalendar, local_date
from flows.engine import commands as c
from flows.engine import events as e
from flows.engine.state import DossierState, Progress, StepProgress
from flows.errors import NotAllowed
from flows.procedures.schema import ProcedureDefinition, StepStart

FLAG_ACTION = "flag-step-overdue"

# The action that makes each kind of start happen; "receive" is the dossier's creation.
_STARTS = {
    "receive": StepStart.received,
    "accept": StepStart.accepted,
    "consult": StepStart.consulted,
    "propose": StepStart.proposed,
}


def start_of_action(action: str, state: DossierState) -> StepStart | None:
    """What the action starts; a supplement received before acceptance is a new receipt."""
    if action == "receive-supplement" and state.accepted_at is None:
        return StepStart.received  # the completeness check begins again on the full dossier
    return _STARTS.get(action)


def open_steps(
    progress: Progress,
    procedure: ProcedureDefinition,
    start: StepStart,
    at: datetime,
    calendar: WorkingCalendar,
) -> None:
    """Open (or restart) every step that `start` opens, due its working days after `at`."""
    names = [s.name for s in procedure.steps]
    for i, step in enumerate(procedure.steps):
        if step.starts_on != start:
            continue
        if start == StepStart.consulted and step.name in progress.steps:
            continue  # only the first consultation request opens the agencies' period
        # The dossier has moved past any earlier step still open: its work was skipped.
        for earlier in names[:i]:
            st = progress.steps.get(earlier)
            if st is not None and st.ended_at is None:
                st.ended_at = at
        due = calendar.add_working_days(at, step.working_days) if step.working_days else None
        progress.steps[step.name] = StepProgress(started_at=at, due_date=due)


def track(
    state: DossierState,
    action: str,
    at: datetime,
    procedure: ProcedureDefinition,
    calendar: WorkingCalendar,
) -> None:
    """After an action's events are applied: close the steps it ends, open those it starts."""
    for name, st in state.progress.steps.items():
        step = procedure.step(name)
        ends = step is not None and action in step.ends_with
        if st.ended_at is None and (ends or state.is_terminal):
            st.ended_at = at
    start = start_of_action(action, state)
    if start is not None and not state.is_terminal:
        open_steps(state.progress, procedure, start, at, calendar)


def next_due(progress: Progress) -> date | None:
    """The earliest due date of the open steps (stored on the row for the worklist filter)."""
    dues = [st.due_date for st in progress.steps.values() if st.ended_at is None and st.due_date]
    return min(dues) if dues else None


def status(st: StepProgress, today: date) -> str:
    """open, overdue, done or done_late (ended after its due date, or flagged while open)."""
    late_day = st.due_date is not None and (
        today > st.due_date if st.ended_at is None else local_date(st.ended_at) > st.due_date
    )
    late = st.overdue_at is not None or late_day
    if st.ended_at is None:
        return "overdue" if late else "open"
    return "done_late" if late else "done"


def late_steps(state: DossierState, today: date, due_date: date | None = None) -> list[str]:
    """Open steps past their due date and not yet flagged (those due `due_date` if given)."""
    return [
        name
        for name, st in state.progress.steps.items()
        if st.ended_at is None
        and st.overdue_at is None
        and st.due_date is not None
        and st.due_date < today
        and (due_date is None or st.due_date == due_date)
    ]


def flag_overdue(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    """The sweep's command: each open step past its due date is recorded as overdue."""
    assert isinstance(cmd, c.FlagStepOverdue)
    names = late_steps(s, local_date(now), cmd.due_date)
    if not names:
        from flows.engine.decide import allowed_actions  # decide dispatches here: no cycle

        raise NotAllowed("no open step is past its due date", allowed_actions(s, p))
    return [
        e.StepOverdue(at=now, step=name, due_date=due)
        for name in names
        if (due := s.progress.steps[name].due_date) is not None
    ]


def mark_overdue(state: DossierState, event: e.StepOverdue) -> None:
    """apply's part: the step is late; it stays open (a breach to report, not a lock)."""
    st = state.progress.steps.get(event.step)
    if st is not None:
        st.overdue_at = event.at
