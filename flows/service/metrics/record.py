"""The write side: what one command leaves for the monitoring figures, in its transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from flows.calendar import WorkingCalendar, local_date
from flows.engine import events as e
from flows.engine.state import ConsultationState, DossierState
from flows.procedures.schema import ConsultationStatus
from flows.service.metrics.counters import add_counts, difference
from flows.service.metrics.facts import Key, dossier_keys, stage_key
from flows.service.rows import insert_rows
from models.audit import AuditEvent
from models.consultation import Consultation
from models.dossier import Dossier
from models.stage_time import StageTime

INTAKE, CONSULTATION, DRAFTING, SIGNATURE = "intake", "consultation", "drafting", "signature"
STAGES = (INTAKE, CONSULTATION, DRAFTING, SIGNATURE)


@dataclass(frozen=True)
class Step:
    """A finished step of one dossier."""

    stage: str
    started_on: date
    ended_on: date
    agency: str | None = None


def consultation_end(x: ConsultationState) -> date | None:
    """When a request stopped holding the dossier up: its answer, or its due date if silent."""
    if x.status == ConsultationStatus.answered and x.answered_at is not None:
        return local_date(x.answered_at)
    if x.status in (ConsultationStatus.deemed_consent, ConsultationStatus.overdue):
        return x.due_date
    return None


def finished_steps(
    before: DossierState, events: Iterable[e.Event], last_return: date | None
) -> list[Step]:
    """The steps the events end: acceptance ends intake, an answer (or deemed consent) ends
    that agency's consultation, a proposal ends drafting, the signature ends signature."""
    steps: list[Step] = []
    for event in events:
        if isinstance(event, e.Accepted):
            steps.append(Step(INTAKE, local_date(before.received_at), local_date(event.at)))
        elif isinstance(event, e.ConsultationAnswered | e.ConsultationDeemedConsent):
            x = before.consultation(event.consultation_id)
            if x is None:
                continue
            end = (
                event.due_date
                if isinstance(event, e.ConsultationDeemedConsent)
                else local_date(event.at)
            )
            steps.append(Step(CONSULTATION, local_date(x.requested_at), end, x.agency))
        elif isinstance(event, e.DecisionProposed) and before.accepted_at is not None:
            starts = [local_date(before.accepted_at)]
            starts += [d for d in map(consultation_end, before.consultations) if d is not None]
            if last_return is not None:
                starts.append(last_return)
            started = min(max(starts), local_date(event.at))
            steps.append(Step(DRAFTING, started, local_date(event.at)))
        elif isinstance(event, e.DecisionSigned) and before.proposal is not None:
            started = local_date(before.proposal.proposed_at)
            steps.append(Step(SIGNATURE, started, local_date(event.at)))
    return steps


def stage_rows(
    dossier: Dossier, steps: Iterable[Step], calendar: WorkingCalendar
) -> list[dict[str, Any]]:
    """The StageTime rows of finished steps (as columns: they are only ever inserted)."""
    return [
        {
            "dossier_id": dossier.id,
            "stage": step.stage,
            "agency_code": step.agency,
            "started_on": step.started_on,
            "ended_on": step.ended_on,
            "working_days": max(calendar.working_days_between(step.started_on, step.ended_on), 0),
            "procedure": dossier.procedure,
            "receiving_agency": dossier.receiving_agency,
        }
        for step in steps
    ]


def stage_counts(rows: Iterable[StageTime]) -> Counter[Key]:
    """The counters stored StageTime rows add one to."""
    return _stage_counts(row.model_dump() for row in rows)


def _stage_counts(rows: Iterable[dict[str, Any]]) -> Counter[Key]:
    """The counters finished steps (StageTime columns) add one to."""
    return Counter(
        stage_key(
            ended_on=row["ended_on"],
            procedure=row["procedure"],
            receiving_agency=row["receiving_agency"],
            stage=row["stage"],
            agency=row["agency_code"],
            working_days=row["working_days"],
        )
        for row in rows
    )


def _last_return(session: Session, dossier_id: str) -> date | None:
    """The local date the leader last sent the draft back, if ever."""
    at = session.exec(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.dossier_id == dossier_id, AuditEvent.action == "return"
        )
    ).one()
    return local_date(at) if at is not None else None


def record_metrics(
    session: Session,
    dossier: Dossier,
    consultations: list[Consultation],
    counted_before: Counter[Key],
    before: DossierState,
    events: list[e.Event],
    calendar: WorkingCalendar,
) -> None:
    """Steps the command finished, and the change in the dossier's counters."""
    proposed = any(isinstance(event, e.DecisionProposed) for event in events)
    last_return = _last_return(session, dossier.id) if proposed else None
    rows = stage_rows(dossier, finished_steps(before, events, last_return), calendar)
    insert_rows(session, StageTime, rows)
    counts = Counter(difference(counted_before, dossier_keys(dossier, consultations)))
    counts.update(_stage_counts(rows))
    add_counts(session, counts)
