"""Each step's own deadline opens, closes, restarts and turns overdue on real Vietnamese dates."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from flows.calendar import WorkingCalendar
from flows.engine import allowed_actions, apply, decide
from flows.engine import commands as c
from flows.engine import events as e
from flows.engine.state import SYSTEM, Actor, DossierState, Progress
from flows.engine.steps import open_steps, status, track
from flows.engine.timers import TimerKind, after, desired_timers
from flows.errors import NotAllowed
from flows.procedures.schema import Outcome, Status, StepStart
from tests.unit.engine_setup import CAL, OPERATION, VN

HANDLER = Actor("h", "handler")
LEADER = Actor("l", "leader")
BCA = Actor("o", "agency", "BCA")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


def received(when: datetime) -> DossierState:
    """A dossier received at `when`, its steps opened as create_dossier opens them."""
    state = DossierState(
        id=str(uuid.uuid4()),
        code="T-1",
        procedure=OPERATION.code,
        procedure_version=OPERATION.version,
        status=Status.received,
        received_at=when,
    )
    open_steps(state.progress, OPERATION, StepStart.received, when, CAL)
    return state


def run(state: DossierState, command: c.Command, when: datetime) -> list[e.Event]:
    """What the service does with a command: decide, apply, then move the steps."""
    events = decide(state, command, now=when, procedure=OPERATION, calendar=CAL)
    for event in events:
        apply(state, event)
    track(state, command.action, when, OPERATION, CAL)
    return events


def step_timers(state: DossierState) -> set[datetime]:
    return {t.due_at for t in desired_timers(state, OPERATION, CAL) if t.kind == TimerKind.step_due}


def test_intake_is_due_two_working_days_after_receipt_skipping_the_new_year_swap() -> None:
    """Wed 31/12/2025: Thu 1/1 New Year, Fri 2/1 swapped off, weekend; Mon 5/1, Tue 6/1."""
    state = received(at(2025, 12, 31, 9))
    intake = state.progress.steps["intake"]
    assert intake.due_date == date(2026, 1, 6)
    assert set(state.progress.steps) == {"intake"}
    # Without the shipped swap decision, holidays.VN alone would give Mon 5/1.
    bare = Progress()
    open_steps(
        bare, OPERATION, StepStart.received, at(2025, 12, 31, 9), WorkingCalendar(shipped=())
    )
    assert bare.steps["intake"].due_date == date(2026, 1, 5)
    assert step_timers(state) == {after(date(2026, 1, 6))} == {at(2026, 1, 7, 0, 0)}


def test_the_sweep_marks_a_late_step_overdue_once_without_locking_the_dossier() -> None:
    state = received(at(2025, 12, 31, 9))
    flag = c.FlagStepOverdue(actor=SYSTEM, due_date=date(2026, 1, 6))
    with pytest.raises(NotAllowed):
        run(state, flag, at(2026, 1, 6, 23, 59))  # still the due day
    [event] = run(state, flag, at(2026, 1, 7, 0, 0))
    assert event == e.StepOverdue(at=at(2026, 1, 7, 0, 0), step="intake", due_date=date(2026, 1, 6))
    assert event.details() == {"step": "intake", "due_date": "2026-01-06"}
    intake = state.progress.steps["intake"]
    assert intake.overdue_at == at(2026, 1, 7, 0, 0) and intake.ended_at is None
    assert status(intake, date(2026, 1, 7)) == "overdue"
    assert step_timers(state) == set()  # flagged: nothing more to fire
    with pytest.raises(NotAllowed):
        run(state, flag, at(2026, 1, 7, 0, 0))  # a second firing does nothing
    assert "accept" in allowed_actions(state, OPERATION, role="handler")  # a breach, not a lock
    # Accepting late ends the check (done late) and opens the requests step: Thu 8/1 + 2 WD is
    # Sat 10/1/2026, the Saturday worked in exchange for Fri 2/1.
    run(state, c.Accept(actor=HANDLER), at(2026, 1, 8, 10))
    assert status(intake, date(2026, 1, 8)) == "done_late"
    assert state.progress.steps["requests"].due_date == date(2026, 1, 10)
    assert step_timers(state) == {after(date(2026, 1, 10))}


def test_steps_follow_the_actions_and_a_returned_decision_restarts() -> None:
    state = received(at(2026, 11, 23, 8))
    run(state, c.Accept(actor=HANDLER), at(2026, 11, 23, 9))
    assert status(state.progress.steps["intake"], date(2026, 11, 23)) == "done"
    # Mon 23/11 + 2 WD, Tue 24/11 being Vietnam Cultural Day: Thu 26/11/2026.
    assert state.progress.steps["requests"].due_date == date(2026, 11, 26)
    run(state, c.Consult(actor=HANDLER, agencies=("BCA",)), at(2026, 11, 24, 9))
    assert state.progress.steps["requests"].ended_at == at(2026, 11, 24, 9)
    [x] = state.consultations
    run(state, c.Respond(actor=BCA, consultation_id=x.id), at(2026, 11, 30, 9))
    run(state, c.Propose(actor=HANDLER, outcome=Outcome.approve), at(2026, 12, 1, 9))
    # Tue 1/12 + 10 WD = Tue 15/12/2026.
    assert state.progress.steps["decision"].due_date == date(2026, 12, 15)
    run(state, c.Return(actor=LEADER, comment="fix the term"), at(2026, 12, 2, 9))
    assert state.progress.steps["decision"].ended_at == at(2026, 12, 2, 9)
    assert step_timers(state) == set()
    run(state, c.Propose(actor=HANDLER, outcome=Outcome.approve), at(2026, 12, 3, 9))
    decision = state.progress.steps["decision"]
    assert (decision.started_at, decision.due_date, decision.ended_at) == (
        at(2026, 12, 3, 9),
        date(2026, 12, 17),
        None,
    )
    run(state, c.Sign(actor=LEADER), at(2026, 12, 4, 9))
    assert all(st.ended_at is not None for st in state.progress.steps.values())


def test_a_supplement_at_intake_ends_the_check_and_the_full_dossier_restarts_it() -> None:
    state = received(at(2026, 11, 23, 8))
    run(state, c.RequestSupplement(actor=HANDLER, missing=("charter",)), at(2026, 11, 24, 9))
    assert state.progress.steps["intake"].ended_at == at(2026, 11, 24, 9)
    run(state, c.ReceiveSupplement(actor=HANDLER), at(2026, 11, 27, 9))  # Friday
    intake = state.progress.steps["intake"]
    assert (intake.started_at, intake.due_date, intake.ended_at) == (
        at(2026, 11, 27, 9),
        date(2026, 12, 1),
        None,
    )


def test_ending_the_dossier_closes_its_open_steps() -> None:
    state = received(at(2026, 11, 23, 8))
    run(state, c.Withdraw(actor=HANDLER, reason="applicant withdrew"), at(2026, 11, 24, 9))
    assert state.progress.steps["intake"].ended_at == at(2026, 11, 24, 9)
    assert step_timers(state) == set()


def test_steps_survive_the_json_column() -> None:
    state = received(at(2025, 12, 31, 9))
    run(state, c.FlagStepOverdue(actor=SYSTEM), at(2026, 1, 7, 8))
    again = Progress.from_json(state.progress.to_json())
    assert again.steps == state.progress.steps
