"""apply(state, event): fold one event into the dossier state (pure, in place)."""

from __future__ import annotations

from flows.engine import events as e
from flows.engine import steps
from flows.engine.rules import count_keys
from flows.engine.state import ConsultationState, Decision, DossierState, Proposal
from flows.procedures.schema import ConsultationStatus, Status


def apply(state: DossierState, event: e.Event) -> DossierState:
    """Change the state as the event says; returns the same object for chaining."""
    match event:
        case e.Accepted():
            state.status = Status.in_review
            state.accepted_at = event.at
            state.due_date = event.due_date
            state.legal_due_date = event.due_date
            state.missing = []
        case e.SupplementRequested():
            _count(state, "request-supplement")
            state.status = Status.awaiting_supplement
            state.missing = list(event.missing)
            if not event.during_review:
                state.intake_supplement_requested = True
            if event.clock_stopped:
                state.suspended = True
                state.suspended_since = event.at
        case e.SupplementReceived():
            state.status = event.back_to
            state.missing = []
            if state.suspended:
                state.suspended = False
                state.suspended_since = None
                state.suspended_working_days += event.waited_working_days
                state.due_date = event.due_date
                state.legal_due_date = event.legal_due_date
        case e.IntakeRejected():
            state.status = Status.rejected_at_intake
            state.completed_at = event.at
        case e.Assigned():
            state.assignee = event.assignee
        case e.ConsultationRequested():
            state.consultations.append(
                ConsultationState(
                    id=event.consultation_id,
                    agency=event.agency,
                    status=ConsultationStatus.requested,
                    requested_at=event.at,
                    due_date=event.due_date,
                    working_days=event.working_days,
                )
            )
        case e.ConsultationAnswered():
            x = _consultation(state, event.consultation_id)
            x.status = ConsultationStatus.answered
            x.answered_at = event.at
            x.answered_by = event.answered_by
            x.answered_late = event.late
            x.opinion = event.opinion
            x.comments = event.comments
            x.letter_number = event.letter_number
            x.letter_date = event.letter_date
            x.letter_document_id = event.letter_document_id
            x.recorded_by = event.recorded_by
        case e.ConsultationCancelled():
            _consultation(state, event.consultation_id).status = ConsultationStatus.cancelled
        case e.DecisionProposed():
            state.status = Status.awaiting_decision
            state.proposal = Proposal(
                outcome=event.outcome,
                reasons=event.reasons,
                validity_years=event.validity_years,
                proposed_by=event.proposed_by,
                proposed_at=event.at,
            )
        case e.DecisionReturned():
            state.status = Status.in_review
            state.proposal = None
        case e.DecisionSigned():
            state.status = event.status
            state.completed_at = event.at
            state.decision = Decision(
                outcome=event.outcome,
                reasons=event.reasons,
                validity_years=event.validity_years,
                valid_from=event.valid_from,
                valid_until=event.valid_until,
                certificate_number=event.certificate_number,
                signed_by=event.signed_by,
                signed_at=event.at,
                on_time=event.on_time,
                timeliness=event.timeliness,
                working_days_used=event.working_days_used,
            )
        case e.Extended():
            _count(state, "extend")
            state.extended = True
            state.due_date = event.due_date
        case e.Withdrawn():
            state.status = Status.withdrawn
            state.completed_at = event.at
            if state.suspended:
                state.suspended_working_days += event.waited_working_days
            state.suspended = False
            state.suspended_since = None
        case e.ConsultationReminded():
            _consultation(state, event.consultation_id).reminded_at = event.at
        case e.ConsultationOverdue():
            x = _consultation(state, event.consultation_id)
            x.status = ConsultationStatus.overdue
            x.overdue_at = event.at
        case e.ConsultationDeemedConsent():
            x = _consultation(state, event.consultation_id)
            x.status = ConsultationStatus.deemed_consent
            x.overdue_at = event.at
        case e.StepOverdue():
            steps.mark_overdue(state, event)
        case e.DossierAtRisk() | e.DossierLate():
            pass  # recorded in the audit trail and notified; the clock itself is unchanged
        case _:
            raise TypeError(f"unknown event {type(event).__name__}")
    return state


def _count(state: DossierState, action: str) -> None:
    """Count a once-only action, overall and in the phase it was taken in."""
    counts = state.progress.action_counts
    for key in count_keys(action, state):
        counts[key] = counts.get(key, 0) + 1


def _consultation(state: DossierState, consultation_id: str) -> ConsultationState:
    """The consultation an event names; events only name existing ones."""
    x = state.consultation(consultation_id)
    if x is None:
        raise KeyError(consultation_id)
    return x
