"""What a dossier contributes to the monitoring counters (pure: rows in, counter keys out)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from flows.procedures.schema import ConsultationStatus, Status
from models.consultation import Consultation
from models.dossier import Dossier

RECEIVED, ENDED, CONSULTATION, STAGE = "received", "ended", "consultation", "stage"

DECISION_STATUSES = (Status.approved.value, Status.refused.value, Status.forwarded.value)
FINAL_STATUSES = (*DECISION_STATUSES, Status.withdrawn.value, Status.rejected_at_intake.value)
OPEN_STATUSES = (
    Status.received.value,
    Status.awaiting_supplement.value,
    Status.in_review.value,
    Status.awaiting_decision.value,
)

# Consultation categories, by what became of the request.
PENDING = "pending"  # requested or overdue: still waiting for the agency
ANSWERED_ON_TIME = "answered_on_time"  # answered on or before the request's due date
ANSWERED_LATE = "answered_late"  # answered after it
DEEMED_CONSENT = "deemed_consent"  # silence taken as agreement where the procedure says so
CANCELLED = "cancelled"  # the dossier ended before the agency answered
ANSWERED = (ANSWERED_ON_TIME, ANSWERED_LATE)

NONE = -1  # "no working-day count" in a counter key


class Key(NamedTuple):
    """One counter: a fact on a day for a procedure and receiving agency, with its details."""

    fact: str
    day: date
    procedure: str
    receiving_agency: str
    agency: str = ""
    category: str = ""
    timeliness: str = ""
    working_days: int = NONE


def consultation_category(status: str, answered_late: bool | None) -> str:
    """The counter category of a request in this status."""
    if status == ConsultationStatus.answered.value:
        return ANSWERED_LATE if answered_late else ANSWERED_ON_TIME
    if status == ConsultationStatus.deemed_consent.value:
        return DEEMED_CONSENT
    if status == ConsultationStatus.cancelled.value:
        return CANCELLED
    return PENDING


def ended_key(
    *,
    day: date,
    procedure: str,
    receiving_agency: str,
    status: str,
    timeliness: str | None,
    working_days_used: int | None,
) -> Key:
    """The counter of a dossier that ended on `day` in a final status."""
    decision = status in DECISION_STATUSES
    return Key(
        ENDED,
        day,
        procedure,
        receiving_agency,
        category=status,
        timeliness=(timeliness or "late") if decision else "",
        working_days=working_days_used if decision and working_days_used is not None else NONE,
    )


def consultation_key(
    *,
    requested_on: date,
    procedure: str,
    receiving_agency: str,
    agency: str,
    status: str,
    answered_late: bool | None,
    response_working_days: int | None,
) -> Key:
    """The counter of one request, by the day it was made and what became of it."""
    category = consultation_category(status, answered_late)
    days = response_working_days if category in ANSWERED else None
    return Key(
        CONSULTATION,
        requested_on,
        procedure,
        receiving_agency,
        agency=agency,
        category=category,
        working_days=days if days is not None else NONE,
    )


def stage_key(
    *,
    ended_on: date,
    procedure: str,
    receiving_agency: str,
    stage: str,
    agency: str | None,
    working_days: int,
) -> Key:
    """The counter of one finished step."""
    return Key(
        STAGE,
        ended_on,
        procedure,
        receiving_agency,
        agency=agency or "",
        category=stage,
        working_days=working_days,
    )


def dossier_keys(row: Dossier, consultations: Iterable[Consultation]) -> Counter[Key]:
    """Every counter the dossier and its requests add one to, as they stand now."""
    keys: Counter[Key] = Counter()
    keys[Key(RECEIVED, row.received_on, row.procedure, row.receiving_agency)] += 1
    if row.completed_on is not None and row.status in FINAL_STATUSES:
        keys[
            ended_key(
                day=row.completed_on,
                procedure=row.procedure,
                receiving_agency=row.receiving_agency,
                status=row.status,
                timeliness=row.timeliness,
                working_days_used=row.working_days_used,
            )
        ] += 1
    for x in consultations:
        keys[
            consultation_key(
                requested_on=x.requested_on,
                procedure=row.procedure,
                receiving_agency=row.receiving_agency,
                agency=x.agency_code,
                status=x.status,
                answered_late=x.answered_late,
                response_working_days=x.response_working_days,
            )
        ] += 1
    return keys
