"""Events: what happened to a dossier, in the past tense; `apply` folds them into state."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar

from flows.procedures.schema import Opinion, Outcome, Status


@dataclass(frozen=True)
class Event:
    """Base of every event; `name` is what the audit trail shows."""

    name: ClassVar[str] = ""
    at: datetime

    def details(self) -> dict[str, Any]:
        """JSON-ready fields of the event (for the audit trail)."""
        # Fields are flat values (no nested dataclasses): no deep copy of asdict() needed.
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self) if f.name != "at"}


def _jsonable(value: Any) -> Any:
    """Dates as ISO strings, enums as values, tuples as lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Accepted(Event):
    """Dossier accepted as complete and valid; receipt and appointment slip (form 01)."""

    name: ClassVar[str] = "DossierAccepted"
    due_date: date


@dataclass(frozen=True)
class SupplementRequested(Event):
    """Missing items requested in writing (form 02)."""

    name: ClassVar[str] = "SupplementRequested"
    missing: tuple[str, ...]
    note: str
    during_review: bool
    clock_stopped: bool


@dataclass(frozen=True)
class SupplementReceived(Event):
    """The applicant supplied what was missing; the clock resumes."""

    name: ClassVar[str] = "SupplementReceived"
    note: str
    back_to: Status
    waited_working_days: int
    due_date: date | None
    legal_due_date: date | None


@dataclass(frozen=True)
class IntakeRejected(Event):
    """The dossier was refused at intake."""

    name: ClassVar[str] = "IntakeRejected"
    reason: str


@dataclass(frozen=True)
class Assigned(Event):
    """A handler was made responsible."""

    name: ClassVar[str] = "Assigned"
    assignee: str
    previous: str | None


@dataclass(frozen=True)
class ConsultationRequested(Event):
    """A consultation request was sent to an agency with its own due date."""

    name: ClassVar[str] = "ConsultationRequested"
    consultation_id: str
    agency: str
    due_date: date
    working_days: int


@dataclass(frozen=True)
class ConsultationAnswered(Event):
    """An agency gave its written opinion."""

    name: ClassVar[str] = "ConsultationAnswered"
    consultation_id: str
    agency: str
    opinion: Opinion
    comments: str
    answered_by: str
    late: bool
    letter_number: str | None = None
    letter_date: date | None = None
    letter_document_id: str | None = None
    recorded_by: str | None = None  # the handler who recorded a paper answer


@dataclass(frozen=True)
class ConsultationCancelled(Event):
    """A request no longer needed (dossier decided or withdrawn)."""

    name: ClassVar[str] = "ConsultationCancelled"
    consultation_id: str
    agency: str


@dataclass(frozen=True)
class DecisionProposed(Event):
    """The handler drafted the decision."""

    name: ClassVar[str] = "DecisionProposed"
    outcome: Outcome
    reasons: str
    validity_years: int | None
    proposed_by: str


@dataclass(frozen=True)
class DecisionReturned(Event):
    """The leader returned the draft to the handler."""

    name: ClassVar[str] = "DecisionReturned"
    comment: str


@dataclass(frozen=True)
class DecisionSigned(Event):
    """The leader signed: certificate/approval, refusal or forwarding."""

    name: ClassVar[str] = "DecisionSigned"
    outcome: Outcome
    status: Status
    reasons: str
    validity_years: int | None
    valid_from: date | None
    valid_until: date | None
    certificate_number: str | None
    signed_by: str
    on_time: bool
    timeliness: str
    working_days_used: int


@dataclass(frozen=True)
class Extended(Event):
    """Apology and extension letter (form 04) with a new appointment date."""

    name: ClassVar[str] = "Extended"
    reason: str
    working_days: int
    previous_due_date: date | None
    due_date: date


@dataclass(frozen=True)
class Withdrawn(Event):
    """The applicant withdrew the dossier."""

    name: ClassVar[str] = "Withdrawn"
    reason: str
    waited_working_days: int = 0  # a wait on a supplement ends here; it never counted


@dataclass(frozen=True)
class ConsultationReminded(Event):
    """A reminder went to the agency before its due date."""

    name: ClassVar[str] = "ConsultationReminded"
    consultation_id: str
    agency: str
    due_date: date


@dataclass(frozen=True)
class ConsultationOverdue(Event):
    """The agency did not answer by its due date; handler and managers are told."""

    name: ClassVar[str] = "ConsultationOverdue"
    consultation_id: str
    agency: str
    due_date: date


@dataclass(frozen=True)
class ConsultationDeemedConsent(Event):
    """Silence past the due date taken as agreement, as the procedure says (system outcome)."""

    name: ClassVar[str] = "ConsultationDeemedConsent"
    consultation_id: str
    agency: str
    due_date: date


@dataclass(frozen=True)
class DossierAtRisk(Event):
    """Few working days remain before the appointment date."""

    name: ClassVar[str] = "DossierAtRisk"
    due_date: date
    working_days_left: int


@dataclass(frozen=True)
class DossierLate(Event):
    """The appointment date passed without a result."""

    name: ClassVar[str] = "DossierLate"
    due_date: date


@dataclass(frozen=True)
class StepOverdue(Event):
    """A step's own deadline passed while it was open; the dossier may still go on."""

    name: ClassVar[str] = "StepOverdue"
    step: str
    due_date: date
