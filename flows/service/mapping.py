"""Between database rows and the engine's in-memory DossierState."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flows.calendar import WorkingCalendar, local_date
from flows.engine.state import ConsultationState, Decision, DossierState, Progress, Proposal
from flows.engine.steps import next_due
from flows.procedures.schema import ConsultationStatus, Opinion, Outcome, Status
from models.consultation import Consultation
from models.dossier import Dossier


def to_state(row: Dossier, consultations: list[Consultation]) -> DossierState:
    """The engine state of a dossier row and its consultation rows."""
    return DossierState(
        id=row.id,
        code=row.code,
        procedure=row.procedure,
        procedure_version=row.procedure_version,
        status=Status(row.status),
        received_at=row.received_at,
        accepted_at=row.accepted_at,
        due_date=row.due_date,
        legal_due_date=row.legal_due_date,
        suspended=row.suspended,
        suspended_since=row.suspended_since,
        suspended_working_days=row.suspended_working_days,
        intake_supplement_requested=row.intake_supplement_requested,
        missing=list(row.missing),
        assignee=row.assignee,
        consultations=[
            _consultation_state(c) for c in sorted(consultations, key=lambda c: c.position)
        ],
        proposal=_proposal(row.proposal),
        decision=_decision(row.decision),
        extended=row.extended,
        completed_at=row.completed_at,
        version=row.version,
        fields=dict(row.fields),
        progress=Progress.from_json(row.progress),
    )


def _consultation_state(c: Consultation) -> ConsultationState:
    return ConsultationState(
        id=c.id,
        agency=c.agency_code,
        status=ConsultationStatus(c.status),
        requested_at=c.requested_at,
        due_date=c.due_date,
        working_days=c.working_days,
        reminded_at=c.reminded_at,
        overdue_at=c.overdue_at,
        answered_at=c.answered_at,
        answered_by=c.answered_by,
        answered_late=c.answered_late,
        opinion=Opinion(c.opinion) if c.opinion else None,
        comments=c.comments,
        letter_number=c.letter_number,
        letter_date=c.letter_date,
        letter_document_id=c.letter_document_id,
        recorded_by=c.recorded_by,
    )


def _proposal(data: dict[str, Any] | None) -> Proposal | None:
    if not data:
        return None
    return Proposal(
        outcome=Outcome(data["outcome"]),
        reasons=data["reasons"],
        validity_years=data["validity_years"],
        proposed_by=data["proposed_by"],
        proposed_at=datetime.fromisoformat(data["proposed_at"]),
    )


def _decision(data: dict[str, Any] | None) -> Decision | None:
    if not data:
        return None
    return Decision(
        outcome=Outcome(data["outcome"]),
        reasons=data["reasons"],
        validity_years=data["validity_years"],
        valid_from=_date(data["valid_from"]),
        valid_until=_date(data["valid_until"]),
        certificate_number=data["certificate_number"],
        signed_by=data["signed_by"],
        signed_at=datetime.fromisoformat(data["signed_at"]),
        on_time=data["on_time"],
        timeliness=data.get("timeliness", "late"),
        working_days_used=data["working_days_used"],
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _put(row: Any, **values: Any) -> None:
    """Set only what changed: an ORM (and pydantic) attribute set costs ~20 µs, and a command
    changes a few of the ~40 fields it would otherwise rewrite."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def write_state(
    state: DossierState,
    row: Dossier,
    consultations: dict[str, Consultation],
    calendar: WorkingCalendar | None = None,
) -> list[Consultation]:
    """Copy the state onto the dossier row; returns consultation rows to add (new ones).

    Also stores what the monitoring figures aggregate: the completion date, the working days
    a decision used, each request's dates and (given the calendar) its response working days.
    """
    p = state.proposal
    d = state.decision
    _put(
        row,
        status=state.status.value,
        accepted_at=state.accepted_at,
        due_date=state.due_date,
        legal_due_date=state.legal_due_date,
        suspended=state.suspended,
        suspended_since=state.suspended_since,
        suspended_working_days=state.suspended_working_days,
        intake_supplement_requested=state.intake_supplement_requested,
        missing=list(state.missing),
        assignee=state.assignee,
        extended=state.extended,
        completed_at=state.completed_at,
        progress=state.progress.to_json(),
        step_due_date=next_due(state.progress),
        proposal=None
        if p is None
        else {
            "outcome": p.outcome.value,
            "reasons": p.reasons,
            "validity_years": p.validity_years,
            "proposed_by": p.proposed_by,
            "proposed_at": p.proposed_at.isoformat(),
        },
        decision=None
        if d is None
        else {
            "outcome": d.outcome.value,
            "reasons": d.reasons,
            "validity_years": d.validity_years,
            "valid_from": _iso(d.valid_from),
            "valid_until": _iso(d.valid_until),
            "certificate_number": d.certificate_number,
            "signed_by": d.signed_by,
            "signed_at": d.signed_at.isoformat(),
            "on_time": d.on_time,
            "timeliness": d.timeliness,
            "working_days_used": d.working_days_used,
        },
        on_time=d.on_time if d is not None else None,
        timeliness=d.timeliness if d is not None else None,
        working_days_used=d.working_days_used if d is not None else None,
        completed_on=local_date(state.completed_at) if state.completed_at else None,
    )
    new_rows: list[Consultation] = []
    for position, x in enumerate(state.consultations):
        c = consultations.get(x.id)
        if c is None:
            c = Consultation(
                id=x.id,
                dossier_id=state.id,
                position=position,
                agency_code=x.agency,
                status=x.status.value,
                requested_at=x.requested_at,
                requested_on=local_date(x.requested_at),
                due_date=x.due_date,
                working_days=x.working_days,
            )
            new_rows.append(c)
        answered_before = c.answered_at
        _put(
            c,
            status=x.status.value,
            due_date=x.due_date,
            working_days=x.working_days,
            reminded_at=x.reminded_at,
            overdue_at=x.overdue_at,
            answered_at=x.answered_at,
            answered_by=x.answered_by,
            answered_late=x.answered_late,
            opinion=x.opinion.value if x.opinion else None,
            comments=x.comments,
            letter_number=x.letter_number,
            letter_date=x.letter_date,
            letter_document_id=x.letter_document_id,
            recorded_by=x.recorded_by,
            answered_on=local_date(x.answered_at) if x.answered_at else None,
        )
        if x.answered_at is None:
            _put(c, response_working_days=None)
        elif calendar is not None and (
            c.response_working_days is None or answered_before != x.answered_at
        ):
            c.response_working_days = calendar.working_days_between(x.requested_at, x.answered_at)
    return new_rows
