"""Handling any sequence of commands keeps the engine's invariants (property-based)."""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hypothesis import Phase, given, note, settings
from hypothesis import strategies as st

from flows.calendar import local_date
from flows.engine import allowed_actions, apply, decide
from flows.engine import commands as c
from flows.engine import events as e
from flows.engine.clock import working_days_used
from flows.engine.decide import MAX_WORKING_DAYS
from flows.engine.state import Actor, DossierState
from flows.engine.steps import late_steps, track
from flows.errors import Conflict, DossierError, Forbidden, InvalidInput, NotAllowed, NotFound
from flows.procedures.agencies import REFERENCE_AGENCIES
from flows.procedures.schema import (
    TERMINAL_STATUSES,
    ConsultationStatus,
    Opinion,
    Outcome,
    ProcedureDefinition,
    Role,
    SilenceRule,
    Status,
)
from tests.unit.engine_setup import CAL, OFFICE, OPERATION, VN

# A variant where an agency's silence counts as agreement, so deemed consent also occurs.
DEEMED = OPERATION.model_copy(
    update={"code": "test.deemed", "version": 1, "silence_rule": SilenceRule.deemed_consent}
)
PROCEDURES = (OPERATION, OFFICE, DEEMED)

AGENCY_CODES = tuple(a["code"] for a in REFERENCE_AGENCIES)
ENDED = frozenset(
    {ConsultationStatus.answered, ConsultationStatus.deemed_consent, ConsultationStatus.cancelled}
)

TEXTS = ("", "  ", "lý do", "Điều lệ", "x")
DAYS = (1, 2, 5, 10, 15, -1, 0, MAX_WORKING_DAYS, MAX_WORKING_DAYS + 1)


def _filled(text: str) -> bool:
    return bool(text.strip())


@dataclass
class Step:
    """One step of a random sequence, as the checks see it."""

    procedure: ProcedureDefinition
    action: str
    now: datetime
    before: DossierState
    after: DossierState
    command: c.Command
    valid: bool = True
    allowed: list[str] = field(default_factory=list)
    allowed_for_role: list[str] = field(default_factory=list)
    unchanged_by_decide: bool = True
    error: DossierError | None = None
    events: list[e.Event] = field(default_factory=list)


Check = Callable[[Step], None]


# Ending a dossier early is possible from almost anywhere: make it rarer, so that runs go deep;
# and agencies answer more often than anyone else acts, as they are many.
WEIGHTS = {"withdraw": 0.1, "reject-intake": 0.1, "respond": 3.0, "consult": 2.0}


def _pick_action(rng: random.Random, state: DossierState, procedure: ProcedureDefinition) -> str:
    """Mostly an action possible now (for some role), sometimes any action at all."""
    possible = sorted({a for role in Role for a in allowed_actions(state, procedure, role=role)})
    if possible and rng.random() < 0.8:
        weights = [WEIGHTS.get(a, 1.0) for a in possible]
        return rng.choices(possible, weights)[0]
    return rng.choice(procedure.actions)


def _pick_consultation(rng: random.Random, state: DossierState) -> str:
    """Mostly an existing request, open ones first; sometimes an unknown id."""
    if state.consultations and rng.random() < 0.9:
        pool = state.open_consultations() if rng.random() < 0.5 else []
        return rng.choice(pool or state.consultations).id
    return str(uuid.UUID(int=rng.getrandbits(128)))


def _actor(
    rng: random.Random,
    action: str,
    state: DossierState,
    procedure: ProcedureDefinition,
    consultation_id: str,
) -> Actor:
    """Mostly a permitted role; an agency user mostly of the agency asked."""
    t = procedure.transition(action)
    assert t is not None
    role = rng.choice(t.roles) if rng.random() < 0.85 else rng.choice(list(Role))
    agency = None
    if role == Role.agency:
        x = state.consultation(consultation_id)
        agency = x.agency if x is not None and rng.random() < 0.75 else rng.choice(AGENCY_CODES)
    return Actor(name=f"{role}-user", role=str(role), agency=agency)


def _command(
    rng: random.Random,
    action: str,
    state: DossierState,
    procedure: ProcedureDefinition,
    now: datetime,
) -> tuple[c.Command, bool]:
    """A random command of the action, and whether its arguments are valid here."""
    cid = _pick_consultation(rng, state)
    actor = _actor(rng, action, state, procedure, cid)
    text = rng.choice(TEXTS)
    if action == "accept":
        return c.Accept(actor=actor), True
    if action == "request-supplement":
        missing = tuple(rng.choice(TEXTS) for _ in range(rng.randint(0, 3)))
        return c.RequestSupplement(actor=actor, missing=missing), any(map(_filled, missing))
    if action == "receive-supplement":
        return c.ReceiveSupplement(actor=actor), True
    if action == "reject-intake":
        return c.RejectIntake(actor=actor, reason=text), _filled(text)
    if action == "assign":
        return c.Assign(actor=actor, assignee=text), _filled(text)
    if action == "consult":
        agencies = tuple(rng.choice((*AGENCY_CODES, " ")) for _ in range(rng.randint(0, 3)))
        days = rng.choice((None, None, *DAYS))
        chosen = [a.strip() for a in agencies if a.strip()]
        if not chosen:  # the defaults not yet asked (all of them when every one was)
            asked = {x.agency for x in state.consultations if x.status != "cancelled"}
            defaults = list(procedure.default_agencies)
            chosen = [a for a in defaults if a not in asked] or defaults
        busy = {x.agency for x in state.open_consultations()} & set(chosen)
        valid = bool(chosen) and (days is None or 1 <= days <= MAX_WORKING_DAYS) and not busy
        return c.Consult(actor=actor, agencies=agencies, working_days=days), valid
    x = state.consultation(cid)
    if action == "respond":
        valid = x is not None and x.agency == actor.agency and x.is_open
        return c.Respond(
            actor=actor, consultation_id=cid, opinion=rng.choice(list(Opinion)), comments=text
        ), valid
    if action == "propose":
        outcome = rng.choice([Outcome.approve, Outcome.approve, Outcome.refuse, Outcome.forward])
        years = rng.choice([None, None, -1, 0, 1, 2, 3, 4, 5, 6])
        valid = outcome in procedure.outcomes
        if outcome != Outcome.approve:
            valid = valid and _filled(text)
        elif procedure.validity_years_max is not None and years is not None:
            valid = valid and 1 <= years <= procedure.validity_years_max
        return c.Propose(actor=actor, outcome=outcome, reasons=text, validity_years=years), valid
    if action == "sign":
        return c.Sign(actor=actor), True
    if action == "return":
        return c.Return(actor=actor, comment=text), _filled(text)
    if action == "extend":
        days = rng.choice(DAYS)
        return (
            c.Extend(actor=actor, reason=text, working_days=days),
            _filled(text) and 1 <= days <= MAX_WORKING_DAYS,
        )
    if action == "withdraw":
        return c.Withdraw(actor=actor, reason=text), _filled(text)
    waiting = x is not None and x.status == ConsultationStatus.requested
    if action == "remind":
        return (
            c.RemindConsultation(actor=actor, consultation_id=cid),
            waiting and x is not None and x.reminded_at is None,
        )
    if action == "expire-consultation":
        # The sweep expires a request only once its due date has passed.
        return (
            c.ExpireConsultation(actor=actor, consultation_id=cid),
            waiting and x is not None and local_date(now) > x.due_date,
        )
    if action == "flag-at-risk":
        # At risk only once few working days remain.
        return c.FlagAtRisk(actor=actor), (
            state.due_date is not None
            and CAL.working_days_between(now, state.due_date) <= procedure.at_risk_working_days
        )
    if action == "flag-late":
        # Late only once the appointment date has passed.
        return c.FlagLate(actor=actor), (
            state.due_date is not None and local_date(now) > state.due_date
        )
    if action == "flag-step-overdue":
        # Only an open step past its own due date can be flagged.
        return c.FlagStepOverdue(actor=actor), bool(late_steps(state, local_date(now)))
    raise AssertionError(f"no generator for {action}")


Run = tuple[str, date, int, list[tuple[int, int]]]
BY_CODE = {p.code: p for p in PROCEDURES}
RUNS = st.tuples(
    st.sampled_from(sorted(BY_CODE)),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)),
    st.integers(min_value=1, max_value=40),  # how many steps are run
    # (hours that pass before the step, seed of the step's random choices)
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=96), st.integers(min_value=0, max_value=2**32 - 1)
        ),
        min_size=40,
        max_size=40,
    ),
)


def drive(run: Run, check: Check) -> None:
    """Run a random sequence of up to 40 commands, calling `check` after each one."""
    code, day, length, steps = run
    procedure = BY_CODE[code]
    now = datetime.combine(day, time(8), tzinfo=VN)
    state = DossierState(
        id=str(uuid.UUID(int=day.toordinal())),
        code="T-1",
        procedure=procedure.code,
        procedure_version=procedure.version,
        status=Status.received,
        received_at=now,
    )
    for hours, seed in steps[:length]:
        now += timedelta(hours=hours)
        rng = random.Random(seed)
        action = _pick_action(rng, state, procedure)
        command, valid = _command(rng, action, state, procedure, now)
        before = copy.deepcopy(state)
        step = Step(
            procedure=procedure,
            action=action,
            now=now,
            before=before,
            after=before,
            command=command,
            valid=valid,
            allowed=allowed_actions(state, procedure),
            allowed_for_role=allowed_actions(state, procedure, role=command.actor.role),
        )
        try:
            step.events = decide(state, command, now=now, procedure=procedure, calendar=CAL)
        except (NotAllowed, Forbidden, InvalidInput, NotFound, Conflict) as error:
            step.error = error
        step.unchanged_by_decide = state == before
        for event in step.events:
            apply(state, event)
        if step.error is None:
            track(state, command.action, now, procedure, CAL)  # as the service does
        step.after = copy.deepcopy(state)
        note(
            f"{now:%a %d/%m/%Y %H:%M} {action} by {command.actor.role}"
            f"{'/' + command.actor.agency if command.actor.agency else ''}: "
            f"{type(step.error).__name__ if step.error else 'ok'} -> {state.status}"
            f"{' (suspended)' if state.suspended else ''}"
        )
        check(step)


# Seeds do not shrink into anything simpler, so skip shrinking; `note` prints the steps taken.
PROPERTY = settings(
    max_examples=200, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate]
)


@PROPERTY
@given(run=RUNS)
def test_a_dossier_always_has_exactly_one_known_status(run: Run) -> None:
    def check(step: Step) -> None:
        assert isinstance(step.after.status, Status)
        assert step.after.status in set(Status)
        if step.error is None:
            assert step.events, "a successful command records at least one event"

    drive(run, check)


@PROPERTY
@given(run=RUNS)
def test_not_allowed_names_exactly_the_allowed_actions(run: Run) -> None:
    def check(step: Step) -> None:
        if isinstance(step.error, NotAllowed):
            assert step.error.allowed_actions == allowed_actions(step.before, step.procedure)
            assert step.error.allowed_actions == step.allowed
            assert step.action not in step.error.allowed_actions, (
                f"{step.action} refused as NotAllowed ({step.error.detail}) "
                f"yet listed as allowed: {step.error.allowed_actions}"
            )

    drive(run, check)


@PROPERTY
@given(run=RUNS)
def test_an_allowed_action_with_valid_arguments_succeeds(run: Run) -> None:
    def check(step: Step) -> None:
        permitted = step.action in step.allowed_for_role
        if permitted and step.valid:
            assert not isinstance(step.error, NotAllowed), step.error
            assert step.error is None, step.error
        if step.error is None:
            assert permitted and step.valid
        if isinstance(step.error, Forbidden):
            t = step.procedure.transition(step.action)
            assert t is not None and step.command.actor.role not in t.roles

    drive(run, check)


@PROPERTY
@given(run=RUNS)
def test_decide_never_changes_the_state_it_is_given(run: Run) -> None:
    def check(step: Step) -> None:
        assert step.unchanged_by_decide, step.action

    drive(run, check)


@PROPERTY
@given(run=RUNS)
def test_a_finished_dossier_has_no_open_consultation_and_no_action(run: Run) -> None:
    def check(step: Step) -> None:
        state = step.after
        if not state.is_terminal:
            return
        assert state.status in TERMINAL_STATUSES
        assert state.open_consultations() == []
        for x in state.consultations:
            assert x.status in ENDED
            if x.status == ConsultationStatus.answered:
                assert x.answered_at is not None
                # overdue first, then answered: the answer is marked late.
                if x.overdue_at is not None:
                    assert x.answered_late
        assert not state.suspended
        assert state.completed_at is not None
        assert allowed_actions(state, step.procedure) == []
        for role in Role:
            assert allowed_actions(state, step.procedure, role=role) == []

    drive(run, check)


@PROPERTY
@given(run=RUNS)
def test_the_clock_never_runs_while_suspended(run: Run) -> None:
    frozen: list[int | None] = []

    def check(step: Step) -> None:
        if step.before.suspended and step.after.suspended:
            assert frozen
            assert working_days_used(step.after, CAL, step.now) == frozen[-1]
            assert working_days_used(step.before, CAL, step.now) == frozen[-1]
        if step.after.suspended and not step.before.suspended:
            assert step.after.status == Status.awaiting_supplement
            frozen.append(working_days_used(step.after, CAL, step.now))
            assert frozen[-1] == working_days_used(step.before, CAL, step.now)

    drive(run, check)


@PROPERTY
@given(run=RUNS)
def test_leaving_a_suspension_does_not_count_the_wait(run: Run) -> None:
    def check(step: Step) -> None:
        if step.before.suspended and not step.after.suspended:
            assert working_days_used(step.after, CAL, step.now) == working_days_used(
                step.before, CAL, step.now
            ), f"after {step.action}"

    drive(run, check)


# --- Deterministic cases the properties above found ----------------------------------------


def _at(day: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=VN)


def test_a_second_answer_is_refused_without_offering_respond() -> None:
    state = DossierState(
        id=str(uuid.uuid4()),
        code="T-1",
        procedure=OPERATION.code,
        procedure_version=1,
        status=Status.received,
        received_at=_at(23, 11),
    )
    handler = Actor(name="h", role="handler")
    for command, now in (
        (c.Accept(actor=handler), _at(23, 11)),
        (c.Consult(actor=handler, agencies=("BCA", "BTC")), _at(25, 11)),
    ):
        for event in decide(state, command, now=now, procedure=OPERATION, calendar=CAL):
            apply(state, event)
    bca = state.consultations[0]
    answer = c.Respond(actor=Actor(name="a", role="agency", agency="BCA"), consultation_id=bca.id)
    for event in decide(state, answer, now=_at(1), procedure=OPERATION, calendar=CAL):
        apply(state, event)
    # Another agency is still open, so `respond` stays allowed for the dossier; this request's
    # recorded answer is what the second one conflicts with.
    try:
        decide(state, answer, now=_at(2), procedure=OPERATION, calendar=CAL)
    except Conflict as error:
        assert "already answered" in error.detail
    else:
        raise AssertionError("a second answer must be refused")
