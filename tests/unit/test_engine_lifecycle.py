"""Issuing an operation certificate end to end through the pure engine (decide, then apply)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from flows.engine import allowed_actions, apply, decide
from flows.engine import commands as c
from flows.engine import events as e
from flows.engine.clock import working_days_used
from flows.engine.state import SYSTEM, Actor, DossierState
from flows.errors import Conflict, Forbidden, InvalidInput, NotAllowed, NotFound
from flows.procedures.schema import (
    ConsultationStatus,
    Opinion,
    Outcome,
    ProcedureDefinition,
    Role,
    SilenceRule,
    Status,
)
from tests.unit.engine_setup import CAL, OFFICE, OPERATION, VN

HANDLER = Actor(name="nguyen.van.an", role="handler")
LEADER = Actor(name="tran.thi.binh", role="leader")
MANAGER = Actor(name="le.van.cuong", role="manager")
AGENCIES = ("BCA", "BTC", "BNV", "NHNN", "UBND-QT")


def agency(code: str) -> Actor:
    return Actor(name=f"officer@{code.lower()}", role="agency", agency=code)


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def new_dossier(
    received_at: datetime | None = None, procedure: ProcedureDefinition = OPERATION
) -> DossierState:
    return DossierState(
        id=str(uuid.uuid4()),
        code="T-1",
        procedure=procedure.code,
        procedure_version=procedure.version,
        status=Status.received,
        received_at=received_at or at(2026, 11, 16),
    )


def run(
    state: DossierState,
    command: c.Command,
    now: datetime,
    procedure: ProcedureDefinition = OPERATION,
) -> list[e.Event]:
    """decide, then apply every event; returns the events."""
    events = decide(state, command, now=now, procedure=procedure, calendar=CAL)
    for event in events:
        apply(state, event)
    return events


def accepted(procedure: ProcedureDefinition = OPERATION) -> DossierState:
    """A dossier accepted on Monday 23 November 2026 at 10:00 (due Wed 6 Jan 2027)."""
    state = new_dossier(procedure=procedure)
    run(state, c.Accept(actor=HANDLER), at(2026, 11, 23, 10), procedure)
    return state


def consulted() -> DossierState:
    """Accepted, and the five agencies consulted on Wednesday 25 November 2026."""
    state = accepted()
    run(state, c.Consult(actor=HANDLER, agencies=AGENCIES), at(2026, 11, 25))
    return state


def awaiting_decision(procedure: ProcedureDefinition = OPERATION) -> DossierState:
    """Accepted and proposed for approval (no consultation) on Friday 4 December 2026."""
    state = accepted(procedure)
    run(state, c.Propose(actor=HANDLER, outcome=Outcome.approve), at(2026, 12, 4), procedure)
    return state


# --- The whole issuance ---------------------------------------------------------------------


def test_the_whole_issuance_of_an_operation_certificate() -> None:
    state = new_dossier(at(2026, 11, 16))
    assert allowed_actions(state, OPERATION) == [
        "accept",
        "request-supplement",
        "reject-intake",
        "assign",
        "withdraw",
    ]

    # Intake: the charter is missing (form 02).
    events = run(
        state, c.RequestSupplement(actor=HANDLER, missing=(" Điều lệ ", "")), at(2026, 11, 17)
    )
    assert [type(x) for x in events] == [e.SupplementRequested]
    assert state.status == Status.awaiting_supplement
    assert state.missing == ["Điều lệ"]
    assert state.intake_supplement_requested
    assert not state.suspended
    assert state.accepted_at is None

    events = run(state, c.ReceiveSupplement(actor=HANDLER), at(2026, 11, 19))
    assert state.status == Status.received
    assert state.missing == []
    assert state.due_date is None

    # Accepted on Mon 23 Nov 2026: 30 WD over the Cultural Day and New Year's Day.
    run(state, c.Accept(actor=HANDLER), at(2026, 11, 23, 10))
    assert state.status == Status.in_review
    assert state.accepted_at == at(2026, 11, 23, 10)
    assert state.due_date == date(2027, 1, 6)
    assert state.legal_due_date == date(2027, 1, 6)

    run(state, c.Assign(actor=HANDLER, assignee="nguyen.van.an"), at(2026, 11, 23, 11))
    assert state.assignee == "nguyen.van.an"

    # Consultation of five agencies on Wed 25 Nov: each has 10 WD, due Wed 9 Dec 2026.
    events = run(state, c.Consult(actor=HANDLER, agencies=AGENCIES), at(2026, 11, 25))
    assert [x.agency for x in state.consultations] == list(AGENCIES)
    assert len({x.id for x in state.consultations}) == 5
    for x in state.consultations:
        assert x.status == ConsultationStatus.requested
        assert x.working_days == 10
        assert x.due_date == date(2026, 12, 9)
        assert x.due_date == CAL.add_working_days(at(2026, 11, 25), 10)
    assert "propose" not in allowed_actions(state, OPERATION)

    # Each agency answers its own request.
    for i, x in enumerate(state.consultations):
        assert "propose" not in allowed_actions(state, OPERATION)
        opinion = Opinion.agree_with_conditions if x.agency == "BCA" else Opinion.agree
        events = run(
            state,
            c.Respond(
                actor=agency(x.agency), consultation_id=x.id, opinion=opinion, comments="ý kiến"
            ),
            at(2026, 12, 1 + i % 3, 14),
        )
        assert [type(ev) for ev in events] == [e.ConsultationAnswered]
        assert x.status == ConsultationStatus.answered
        assert x.answered_by == f"officer@{x.agency.lower()}"
        assert x.answered_late is False
        assert x.opinion == opinion
    assert state.open_consultations() == []
    assert "respond" not in allowed_actions(state, OPERATION)

    run(state, c.Propose(actor=HANDLER, outcome=Outcome.approve, validity_years=3), at(2026, 12, 4))
    assert state.status == Status.awaiting_decision
    assert state.proposal is not None and state.proposal.validity_years == 3
    assert allowed_actions(state, OPERATION, role="leader") == ["assign", "sign", "return"]

    run(state, c.Sign(actor=LEADER), at(2026, 12, 7, 16))
    assert state.status == Status.approved
    assert state.is_terminal
    assert state.completed_at == at(2026, 12, 7, 16)
    decision = state.decision
    assert decision is not None
    assert decision.outcome == Outcome.approve
    assert decision.certificate_number == "T-1/GĐK"
    assert decision.signed_by == "tran.thi.binh"
    assert decision.valid_from == date(2026, 12, 7)
    assert decision.valid_until == date(2029, 12, 6)
    assert decision.valid_until <= date(2029, 12, 7)
    assert decision.on_time is True
    # Wed 25, Thu 26, Fri 27, Mon 30 Nov, Tue 1 .. Fri 4, Mon 7 Dec.
    assert decision.working_days_used == 9
    assert allowed_actions(state, OPERATION) == []


def test_approval_defaults_to_the_longest_validity() -> None:
    state = accepted(OFFICE)
    run(state, c.Propose(actor=HANDLER, outcome=Outcome.approve), at(2026, 12, 4), OFFICE)
    assert state.proposal is not None and state.proposal.validity_years == 5
    run(state, c.Sign(actor=LEADER), at(2026, 12, 7), OFFICE)
    assert state.decision is not None
    assert state.decision.certificate_number == "T-1/VPĐD"
    assert state.decision.valid_until == date(2031, 12, 6)


# --- Intake -----------------------------------------------------------------------------------


def test_a_second_intake_supplement_request_is_not_allowed() -> None:
    state = new_dossier()
    run(state, c.RequestSupplement(actor=HANDLER, missing=("Điều lệ",)), at(2026, 11, 17))
    run(state, c.ReceiveSupplement(actor=HANDLER), at(2026, 11, 18))
    with pytest.raises(NotAllowed) as info:
        decide(
            state,
            c.RequestSupplement(actor=HANDLER, missing=("Lý lịch",)),
            now=at(2026, 11, 19),
            procedure=OPERATION,
            calendar=CAL,
        )
    assert info.value.allowed_actions == allowed_actions(state, OPERATION)
    assert "request-supplement" not in info.value.allowed_actions
    assert "accept" in info.value.allowed_actions


def test_a_supplement_request_must_list_the_missing_items() -> None:
    state = new_dossier()
    with pytest.raises(InvalidInput):
        decide(
            state,
            c.RequestSupplement(actor=HANDLER, missing=(" ", "")),
            now=at(2026, 11, 17),
            procedure=OPERATION,
            calendar=CAL,
        )


def test_rejecting_at_intake_needs_a_reason_and_ends_the_dossier() -> None:
    state = new_dossier()
    with pytest.raises(InvalidInput):
        decide(
            state,
            c.RejectIntake(actor=HANDLER, reason="  "),
            now=at(2026, 11, 17),
            procedure=OPERATION,
            calendar=CAL,
        )
    run(state, c.RejectIntake(actor=HANDLER, reason="not a foreign NGO"), at(2026, 11, 17))
    assert state.status == Status.rejected_at_intake
    assert state.completed_at == at(2026, 11, 17)
    assert allowed_actions(state, OPERATION) == []


def test_rejecting_at_intake_is_impossible_after_acceptance() -> None:
    state = accepted()
    run(state, c.RequestSupplement(actor=HANDLER, missing=("x",)), at(2026, 12, 7))
    assert "reject-intake" not in allowed_actions(state, OPERATION)
    with pytest.raises(NotAllowed):
        decide(
            state,
            c.RejectIntake(actor=HANDLER, reason="late"),
            now=at(2026, 12, 8),
            procedure=OPERATION,
            calendar=CAL,
        )


# --- Stopping the clock -----------------------------------------------------------------------


def test_a_supplement_during_review_stops_the_clock_and_moves_the_due_dates() -> None:
    state = accepted()
    assert state.due_date == date(2027, 1, 6)
    run(
        state,
        c.RequestSupplement(actor=HANDLER, missing=("Báo cáo tài chính",)),
        at(2026, 12, 7, 9),
    )
    assert state.status == Status.awaiting_supplement
    assert state.suspended
    assert state.suspended_since == at(2026, 12, 7, 9)
    assert not state.intake_supplement_requested
    used = working_days_used(state, CAL, at(2026, 12, 7, 9))
    assert used == 9
    assert working_days_used(state, CAL, at(2026, 12, 10, 15)) == used

    events = run(state, c.ReceiveSupplement(actor=HANDLER), at(2026, 12, 11, 15))
    received = events[0]
    assert isinstance(received, e.SupplementReceived)
    assert received.waited_working_days == 4  # Tue 8 .. Fri 11 Dec
    assert state.status == Status.in_review
    assert not state.suspended and state.suspended_since is None
    assert state.suspended_working_days == 4
    assert state.due_date == date(2027, 1, 12)  # Wed 6 Jan + 4 WD
    assert state.legal_due_date == date(2027, 1, 12)
    assert CAL.working_days_between(date(2027, 1, 6), state.due_date) == 4
    assert working_days_used(state, CAL, at(2026, 12, 11, 15)) == used
    assert working_days_used(state, CAL, at(2026, 12, 14)) == used + 1


def test_a_second_supplement_during_review_is_refused_with_its_rule() -> None:
    state = accepted()
    run(state, c.RequestSupplement(actor=HANDLER, missing=("a",)), at(2026, 12, 7))
    run(state, c.ReceiveSupplement(actor=HANDLER), at(2026, 12, 11))
    assert state.suspended_working_days == 4
    assert state.legal_due_date == CAL.add_working_days(date(2027, 1, 6), 4)
    with pytest.raises(NotAllowed, match="request-supplement during review is allowed 1 time"):
        run(state, c.RequestSupplement(actor=HANDLER, missing=("b",)), at(2026, 12, 14))
    assert "request-supplement" not in allowed_actions(state, OPERATION)


def test_withdrawing_while_suspended_does_not_count_the_wait() -> None:
    state = accepted()
    run(state, c.RequestSupplement(actor=HANDLER, missing=("a",)), at(2026, 12, 7))
    before = working_days_used(state, CAL, at(2026, 12, 11))
    assert before == 9
    run(state, c.Withdraw(actor=HANDLER, reason="the NGO gives up"), at(2026, 12, 11))
    assert state.status == Status.withdrawn
    # The clock was stopped from Mon 7 to Fri 11 Dec: those 4 WD must not count.
    assert working_days_used(state, CAL, at(2026, 12, 11)) == before


# --- Lateness ---------------------------------------------------------------------------------


def test_an_extension_sets_a_new_date_but_the_dossier_stays_late() -> None:
    state = awaiting_decision()
    events = run(
        state, c.Extend(actor=HANDLER, reason="chờ ý kiến", working_days=5), at(2026, 12, 30)
    )
    extended = events[0]
    assert isinstance(extended, e.Extended)
    assert extended.previous_due_date == date(2027, 1, 6)
    assert state.extended
    assert state.due_date == date(2027, 1, 13)  # Thu 7, Fri 8, Mon 11, Tue 12, Wed 13
    assert state.legal_due_date == date(2027, 1, 6)
    run(state, c.Sign(actor=LEADER), at(2027, 1, 5))
    assert state.decision is not None
    assert state.decision.on_time is False


def test_an_extension_needs_a_reason_and_a_sensible_length() -> None:
    state = accepted()
    for command in (
        c.Extend(actor=HANDLER, reason="", working_days=5),
        c.Extend(actor=HANDLER, reason="x", working_days=0),
        c.Extend(actor=HANDLER, reason="x", working_days=300),
    ):
        with pytest.raises(InvalidInput):
            decide(state, command, now=at(2026, 12, 30), procedure=OPERATION, calendar=CAL)


def test_an_extension_after_the_due_date_counts_from_today() -> None:
    state = accepted()
    run(state, c.Extend(actor=HANDLER, reason="late", working_days=2), at(2027, 1, 11))
    assert state.due_date == date(2027, 1, 13)


def test_signing_after_the_legal_due_date_is_late() -> None:
    state = awaiting_decision()
    run(state, c.Sign(actor=LEADER), at(2027, 1, 7, 8))
    assert state.decision is not None
    assert state.decision.on_time is False
    assert state.decision.working_days_used == 31


def test_signing_on_the_legal_due_date_is_on_time() -> None:
    state = awaiting_decision()
    run(state, c.Sign(actor=LEADER), at(2027, 1, 6, 23, 59))
    assert state.decision is not None
    assert state.decision.on_time is True
    assert state.decision.working_days_used == 30


# --- Consultations ----------------------------------------------------------------------------


def test_an_agency_cannot_answer_another_agencys_request() -> None:
    state = consulted()
    bca = state.consultations[0]
    assert bca.agency == "BCA"
    with pytest.raises(NotFound):
        decide(
            state,
            c.Respond(actor=agency("BTC"), consultation_id=bca.id),
            now=at(2026, 12, 1),
            procedure=OPERATION,
            calendar=CAL,
        )
    with pytest.raises(NotFound):
        decide(
            state,
            c.Respond(actor=agency("BCA"), consultation_id="no-such-id"),
            now=at(2026, 12, 1),
            procedure=OPERATION,
            calendar=CAL,
        )


def test_an_agency_cannot_answer_twice() -> None:
    state = consulted()
    bca = state.consultations[0]
    run(state, c.Respond(actor=agency("BCA"), consultation_id=bca.id), at(2026, 12, 1))
    with pytest.raises(Conflict, match="already answered"):
        decide(
            state,
            c.Respond(actor=agency("BCA"), consultation_id=bca.id, opinion=Opinion.object),
            now=at(2026, 12, 2),
            procedure=OPERATION,
            calendar=CAL,
        )
    assert bca.opinion == Opinion.agree


def test_the_last_answer_twice_is_not_allowed() -> None:
    state = accepted()
    run(state, c.Consult(actor=HANDLER, agencies=("BCA",)), at(2026, 11, 25))
    x = state.consultations[0]
    run(state, c.Respond(actor=agency("BCA"), consultation_id=x.id), at(2026, 12, 1))
    with pytest.raises(NotAllowed) as info:
        decide(
            state,
            c.Respond(actor=agency("BCA"), consultation_id=x.id),
            now=at(2026, 12, 2),
            procedure=OPERATION,
            calendar=CAL,
        )
    assert info.value.allowed_actions == allowed_actions(state, OPERATION)
    assert "respond" not in info.value.allowed_actions


def test_consulting_an_agency_already_waited_for_is_a_conflict() -> None:
    state = consulted()
    with pytest.raises(Conflict, match="BCA"):
        decide(
            state,
            c.Consult(actor=HANDLER, agencies=("BCA", "BYT")),
            now=at(2026, 11, 26),
            procedure=OPERATION,
            calendar=CAL,
        )
    run(state, c.Consult(actor=HANDLER, agencies=("BYT",)), at(2026, 11, 26))
    assert state.consultations[-1].due_date == date(2026, 12, 10)


def test_consulting_without_agencies_uses_the_defaults() -> None:
    state = accepted()
    run(state, c.Consult(actor=HANDLER), at(2026, 11, 25))
    assert [x.agency for x in state.consultations] == list(OPERATION.default_agencies)


def test_consultation_length_is_bounded() -> None:
    state = accepted()
    for days in (0, 121):
        with pytest.raises(InvalidInput):
            decide(
                state,
                c.Consult(actor=HANDLER, agencies=("BCA",), working_days=days),
                now=at(2026, 11, 25),
                procedure=OPERATION,
                calendar=CAL,
            )


def test_propose_waits_for_every_agency_in_time() -> None:
    state = consulted()
    for x in state.consultations[:-1]:
        run(state, c.Respond(actor=agency(x.agency), consultation_id=x.id), at(2026, 12, 1))
    assert state.consultations[-1].status == ConsultationStatus.requested
    with pytest.raises(NotAllowed) as info:
        decide(
            state, c.Propose(actor=HANDLER), now=at(2026, 12, 2), procedure=OPERATION, calendar=CAL
        )
    assert info.value.allowed_actions == allowed_actions(state, OPERATION)
    assert "propose" not in info.value.allowed_actions


def test_an_overdue_agency_may_still_answer_late_after_the_proposal() -> None:
    state = consulted()
    for x in state.consultations[:-1]:
        run(state, c.Respond(actor=agency(x.agency), consultation_id=x.id), at(2026, 12, 1))
    late = state.consultations[-1]
    # The deadline sweep marks the request overdue after Wed 9 Dec (silence rule: overdue).
    run(state, c.ExpireConsultation(actor=SYSTEM, consultation_id=late.id), at(2026, 12, 10, 0))
    assert late.status == ConsultationStatus.overdue
    assert late.overdue_at == at(2026, 12, 10, 0)
    run(state, c.Propose(actor=HANDLER), at(2026, 12, 10, 9))
    assert state.status == Status.awaiting_decision
    assert "respond" in allowed_actions(state, OPERATION)
    run(state, c.Respond(actor=agency(late.agency), consultation_id=late.id), at(2026, 12, 11))
    assert late.status == ConsultationStatus.answered
    assert late.answered_late is True


def test_signing_cancels_the_requests_still_overdue() -> None:
    state = consulted()
    for x in state.consultations:
        run(state, c.ExpireConsultation(actor=SYSTEM, consultation_id=x.id), at(2026, 12, 10, 0))
    assert {x.status for x in state.consultations} == {ConsultationStatus.overdue}
    run(state, c.Propose(actor=HANDLER), at(2026, 12, 10))
    events = run(state, c.Sign(actor=LEADER), at(2026, 12, 11))
    assert sum(isinstance(x, e.ConsultationCancelled) for x in events) == 5
    assert {x.status for x in state.consultations} == {ConsultationStatus.cancelled}


def test_withdrawal_cancels_open_consultations() -> None:
    state = consulted()
    first = state.consultations[0]
    run(state, c.Respond(actor=agency(first.agency), consultation_id=first.id), at(2026, 12, 1))
    events = run(state, c.Withdraw(actor=HANDLER, reason="the NGO withdraws"), at(2026, 12, 2))
    assert [type(x) for x in events] == [e.ConsultationCancelled] * 4 + [e.Withdrawn]
    assert state.status == Status.withdrawn
    assert first.status == ConsultationStatus.answered
    assert [x.status for x in state.consultations[1:]] == [ConsultationStatus.cancelled] * 4
    assert state.open_consultations() == []
    assert allowed_actions(state, OPERATION) == []


def test_withdrawal_needs_a_reason() -> None:
    state = consulted()
    with pytest.raises(InvalidInput):
        decide(
            state, c.Withdraw(actor=HANDLER), now=at(2026, 12, 2), procedure=OPERATION, calendar=CAL
        )


# --- The deadline sweep (system commands) -----------------------------------------------------


def test_the_sweep_reminds_an_agency_once() -> None:
    state = consulted()
    bca = state.consultations[0]
    events = run(
        state, c.RemindConsultation(actor=SYSTEM, consultation_id=bca.id), at(2026, 12, 7, 0)
    )
    reminded = events[0]
    assert isinstance(reminded, e.ConsultationReminded) and len(events) == 1
    assert reminded.due_date == date(2026, 12, 9)
    assert bca.reminded_at == at(2026, 12, 7, 0)
    assert bca.status == ConsultationStatus.requested
    with pytest.raises(NotAllowed) as info:
        decide(
            state,
            c.RemindConsultation(actor=SYSTEM, consultation_id=bca.id),
            now=at(2026, 12, 8),
            procedure=OPERATION,
            calendar=CAL,
        )
    assert info.value.allowed_actions == allowed_actions(state, OPERATION)


def test_a_request_expires_only_after_its_due_date() -> None:
    state = consulted()
    bca = state.consultations[0]
    expire = c.ExpireConsultation(actor=SYSTEM, consultation_id=bca.id)
    with pytest.raises(NotAllowed):
        decide(state, expire, now=at(2026, 12, 9, 23, 59), procedure=OPERATION, calendar=CAL)
    events = run(state, expire, at(2026, 12, 10, 0))
    assert [type(x) for x in events] == [e.ConsultationOverdue]
    assert bca.status == ConsultationStatus.overdue
    assert bca.is_open
    with pytest.raises(NotAllowed):
        decide(state, expire, now=at(2026, 12, 11), procedure=OPERATION, calendar=CAL)


def test_silence_is_deemed_consent_where_the_procedure_says_so() -> None:
    deemed = OPERATION.model_copy(
        update={"code": "test.deemed", "silence_rule": SilenceRule.deemed_consent}
    )
    state = accepted(deemed)
    run(state, c.Consult(actor=HANDLER, agencies=("BCA",)), at(2026, 11, 25), deemed)
    x = state.consultations[0]
    events = run(
        state, c.ExpireConsultation(actor=SYSTEM, consultation_id=x.id), at(2026, 12, 10), deemed
    )
    assert [type(ev) for ev in events] == [e.ConsultationDeemedConsent]
    assert x.status == ConsultationStatus.deemed_consent
    assert x.opinion is None and x.answered_by is None  # a system outcome, not an answer
    assert state.open_consultations() == []
    assert "respond" not in allowed_actions(state, deemed)
    assert "propose" in allowed_actions(state, deemed)


def test_the_sweep_flags_a_dossier_at_risk() -> None:
    state = accepted()
    # On Wed 30 Dec four working days remain (31 Dec, 4, 5, 6 Jan): not yet at risk.
    with pytest.raises(NotAllowed):
        decide(
            state,
            c.FlagAtRisk(actor=SYSTEM),
            now=at(2026, 12, 30),
            procedure=OPERATION,
            calendar=CAL,
        )
    events = run(state, c.FlagAtRisk(actor=SYSTEM), at(2026, 12, 31))
    flagged = events[0]
    assert isinstance(flagged, e.DossierAtRisk) and len(events) == 1
    # Mon 4, Tue 5, Wed 6 Jan (Fri 1 Jan is New Year's Day).
    assert flagged.working_days_left == 3
    assert state.status == Status.in_review


def test_a_dossier_is_flagged_late_only_after_its_appointment_date() -> None:
    state = awaiting_decision()
    with pytest.raises(NotAllowed):
        decide(
            state,
            c.FlagLate(actor=SYSTEM),
            now=at(2027, 1, 6, 23, 59),
            procedure=OPERATION,
            calendar=CAL,
        )
    events = run(state, c.FlagLate(actor=SYSTEM), at(2027, 1, 7, 0))
    assert [type(x) for x in events] == [e.DossierLate]
    assert state.status == Status.awaiting_decision


def test_a_suspended_dossier_is_never_flagged() -> None:
    state = accepted()
    run(state, c.RequestSupplement(actor=HANDLER, missing=("x",)), at(2026, 12, 7))
    for command in (c.FlagAtRisk(actor=SYSTEM), c.FlagLate(actor=SYSTEM)):
        with pytest.raises(NotAllowed):
            decide(state, command, now=at(2027, 2, 1), procedure=OPERATION, calendar=CAL)


def test_system_actions_are_for_the_system_only() -> None:
    state = consulted()
    with pytest.raises(Forbidden):
        decide(
            state,
            c.FlagAtRisk(actor=HANDLER),
            now=at(2026, 12, 30),
            procedure=OPERATION,
            calendar=CAL,
        )
    with pytest.raises(Forbidden):
        decide(
            state,
            c.ExpireConsultation(actor=MANAGER, consultation_id=state.consultations[0].id),
            now=at(2026, 12, 30),
            procedure=OPERATION,
            calendar=CAL,
        )
    with pytest.raises(Forbidden):
        decide(
            state, c.Propose(actor=SYSTEM), now=at(2026, 12, 30), procedure=OPERATION, calendar=CAL
        )


# --- Decisions --------------------------------------------------------------------------------


def test_a_refusal_must_give_reasons() -> None:
    state = accepted()
    with pytest.raises(InvalidInput, match="reasons"):
        decide(
            state,
            c.Propose(actor=HANDLER, outcome=Outcome.refuse, reasons="  "),
            now=at(2026, 12, 4),
            procedure=OPERATION,
            calendar=CAL,
        )


def test_a_refusal_with_reasons_is_signed_without_certificate() -> None:
    state = accepted()
    run(
        state,
        c.Propose(
            actor=HANDLER, outcome=Outcome.refuse, reasons="Art 6 breached", validity_years=3
        ),
        at(2026, 12, 4),
    )
    assert state.proposal is not None and state.proposal.validity_years is None
    run(state, c.Sign(actor=LEADER), at(2026, 12, 7))
    assert state.status == Status.refused
    assert state.decision is not None
    assert state.decision.certificate_number is None
    assert state.decision.valid_until is None
    assert state.decision.reasons == "Art 6 breached"


def test_forwarding_is_not_an_outcome_of_certificate_procedures() -> None:
    state = accepted()
    with pytest.raises(InvalidInput, match="outcome"):
        decide(
            state,
            c.Propose(actor=HANDLER, outcome=Outcome.forward, reasons="security"),
            now=at(2026, 12, 4),
            procedure=OPERATION,
            calendar=CAL,
        )


@pytest.mark.parametrize(
    ("procedure", "years"),
    [(OPERATION, 4), (OPERATION, 0), (OFFICE, 6), (OFFICE, -1)],
    ids=["operation-4", "operation-0", "office-6", "office-negative"],
)
def test_validity_outside_the_limits_is_invalid(procedure: ProcedureDefinition, years: int) -> None:
    state = accepted(procedure)
    with pytest.raises(InvalidInput, match="validity_years"):
        decide(
            state,
            c.Propose(actor=HANDLER, outcome=Outcome.approve, validity_years=years),
            now=at(2026, 12, 4),
            procedure=procedure,
            calendar=CAL,
        )


def test_the_leader_may_return_the_draft_with_a_comment() -> None:
    state = awaiting_decision()
    with pytest.raises(InvalidInput):
        decide(
            state, c.Return(actor=LEADER), now=at(2026, 12, 7), procedure=OPERATION, calendar=CAL
        )
    run(state, c.Return(actor=LEADER, comment="shorter term"), at(2026, 12, 7))
    assert state.status == Status.in_review
    assert state.proposal is None
    run(state, c.Propose(actor=HANDLER, validity_years=2), at(2026, 12, 8))
    run(state, c.Sign(actor=LEADER), at(2026, 12, 9))
    assert state.decision is not None
    assert state.decision.valid_until == date(2028, 12, 8)


# --- Roles and disallowed actions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "state_factory"),
    [
        (c.Accept(actor=LEADER), new_dossier),
        (c.Accept(actor=agency("BCA")), new_dossier),
        (c.Accept(actor=MANAGER), new_dossier),
        (c.Sign(actor=HANDLER), awaiting_decision),
        (c.Propose(actor=LEADER), accepted),
        (c.Propose(actor=agency("BCA")), accepted),
        (c.Respond(actor=HANDLER, consultation_id="x"), consulted),
        (c.Withdraw(actor=Actor(name="admin", role="admin"), reason="x"), accepted),
        (c.Extend(actor=Actor(name="system", role="system"), reason="x"), accepted),
    ],
    ids=lambda x: x.__name__ if callable(x) else None,
)
def test_a_wrong_role_is_forbidden(command: c.Command, state_factory: object) -> None:
    assert callable(state_factory)
    state = state_factory()
    with pytest.raises(Forbidden):
        decide(state, command, now=at(2026, 12, 8), procedure=OPERATION, calendar=CAL)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(
            new_dossier(),
            c.Accept(actor=HANDLER),
            now=datetime(2026, 11, 23, 9),
            procedure=OPERATION,
            calendar=CAL,
        )


def _command_for(action: str, state: DossierState) -> c.Command:
    """A well-formed command of the action, by an actor of a permitted role."""
    open_ = state.open_consultations()
    commands: dict[str, c.Command] = {
        "accept": c.Accept(actor=HANDLER),
        "request-supplement": c.RequestSupplement(actor=HANDLER, missing=("x",)),
        "receive-supplement": c.ReceiveSupplement(actor=HANDLER),
        "reject-intake": c.RejectIntake(actor=HANDLER, reason="x"),
        "assign": c.Assign(actor=HANDLER, assignee="someone"),
        "consult": c.Consult(actor=HANDLER, agencies=("BYT",)),
        "respond": (
            c.Respond(actor=agency(open_[0].agency), consultation_id=open_[0].id)
            if open_
            else c.Respond(actor=agency("BCA"), consultation_id="none")
        ),
        "propose": c.Propose(actor=HANDLER),
        "sign": c.Sign(actor=LEADER),
        "return": c.Return(actor=LEADER, comment="x"),
        "extend": c.Extend(actor=HANDLER, reason="x", working_days=3),
        "withdraw": c.Withdraw(actor=HANDLER, reason="x"),
        "remind": c.RemindConsultation(
            actor=SYSTEM, consultation_id=open_[0].id if open_ else "none"
        ),
        "expire-consultation": c.ExpireConsultation(
            actor=SYSTEM, consultation_id=open_[0].id if open_ else "none"
        ),
        "flag-at-risk": c.FlagAtRisk(actor=SYSTEM),
        "flag-late": c.FlagLate(actor=SYSTEM),
        "flag-step-overdue": c.FlagStepOverdue(actor=SYSTEM),
    }
    assert set(commands) == set(OPERATION.actions)
    return commands[action]


def _intake_supplement() -> DossierState:
    state = new_dossier()
    run(state, c.RequestSupplement(actor=HANDLER, missing=("x",)), at(2026, 11, 17))
    return state


def _intake_supplement_received() -> DossierState:
    state = _intake_supplement()
    run(state, c.ReceiveSupplement(actor=HANDLER), at(2026, 11, 18))
    return state


def _suspended_in_review() -> DossierState:
    state = consulted()
    run(state, c.RequestSupplement(actor=HANDLER, missing=("x",)), at(2026, 12, 7))
    return state


def _answered() -> DossierState:
    state = consulted()
    for x in state.consultations:
        run(state, c.Respond(actor=agency(x.agency), consultation_id=x.id), at(2026, 12, 1))
    return state


def _approved() -> DossierState:
    state = awaiting_decision()
    run(state, c.Sign(actor=LEADER), at(2026, 12, 7))
    return state


def _withdrawn() -> DossierState:
    state = consulted()
    run(state, c.Withdraw(actor=HANDLER, reason="x"), at(2026, 12, 7))
    return state


def _rejected() -> DossierState:
    state = new_dossier()
    run(state, c.RejectIntake(actor=HANDLER, reason="x"), at(2026, 11, 17))
    return state


STATES = {
    "received": new_dossier,
    "intake-supplement": _intake_supplement,
    "intake-supplement-received": _intake_supplement_received,
    "in-review": accepted,
    "consulting": consulted,
    "suspended": _suspended_in_review,
    "answered": _answered,
    "awaiting-decision": awaiting_decision,
    "approved": _approved,
    "withdrawn": _withdrawn,
    "rejected": _rejected,
}


@pytest.mark.parametrize("name", list(STATES))
def test_every_disallowed_action_names_the_allowed_ones(name: str) -> None:
    state = STATES[name]()
    allowed = allowed_actions(state, OPERATION)
    if state.is_terminal:
        assert allowed == []
    for action in OPERATION.actions:
        command = _command_for(action, state)
        if action in allowed_actions(state, OPERATION, role=command.actor.role):
            continue
        with pytest.raises(NotAllowed) as info:
            decide(state, command, now=at(2027, 1, 4), procedure=OPERATION, calendar=CAL)
        assert info.value.allowed_actions == allowed, action
        assert action not in info.value.allowed_actions


@pytest.mark.parametrize("name", list(STATES))
def test_every_allowed_human_action_can_be_taken(name: str) -> None:
    state = STATES[name]()
    for action in allowed_actions(state, OPERATION):
        events = decide(
            state,
            _command_for(action, state),
            now=at(2027, 1, 4),
            procedure=OPERATION,
            calendar=CAL,
        )
        assert events, action


@pytest.mark.parametrize("name", list(STATES))
def test_allowed_actions_per_role_are_a_subset(name: str) -> None:
    state = STATES[name]()
    everything = allowed_actions(state, OPERATION)
    by_role = [
        a
        for role in ("handler", "leader", "agency")
        for a in allowed_actions(state, OPERATION, role=role)
    ]
    assert set(by_role) == set(everything)
    assert allowed_actions(state, OPERATION, role="manager") == []
    system_only = {t.action for t in OPERATION.transitions if t.roles == (Role.system,)}
    assert system_only == {
        "remind",
        "expire-consultation",
        "flag-at-risk",
        "flag-late",
        "flag-step-overdue",
    }
    assert not system_only & set(everything), "system actions are not offered to people"
    assert set(allowed_actions(state, OPERATION, role="system")) <= system_only
