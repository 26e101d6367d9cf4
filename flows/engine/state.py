"""The in-memory state of a dossier that the pure engine decides on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flows.procedures.schema import (
    OPEN_CONSULTATION_STATUSES,
    TERMINAL_STATUSES,
    ConsultationStatus,
    Opinion,
    Outcome,
    Status,
)


@dataclass(frozen=True)
class Actor:
    """Who acts: a named user with a role, an agency for agency users, or the system."""

    name: str
    role: str
    agency: str | None = None


SYSTEM = Actor(name="system", role="system")


@dataclass
class ConsultationState:
    """One request for an agency's opinion, with its own due date."""

    id: str
    agency: str
    status: ConsultationStatus
    requested_at: datetime
    due_date: date
    working_days: int
    reminded_at: datetime | None = None
    overdue_at: datetime | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    answered_late: bool | None = None
    opinion: Opinion | None = None
    comments: str = ""
    letter_number: str | None = None
    letter_date: date | None = None
    letter_document_id: str | None = None
    recorded_by: str | None = None

    @property
    def is_open(self) -> bool:
        """Still waiting for an answer (requested or overdue)."""
        return self.status in OPEN_CONSULTATION_STATUSES


@dataclass
class Proposal:
    """The handler's draft decision (dự thảo) awaiting the leader's signature."""

    outcome: Outcome
    reasons: str
    validity_years: int | None
    proposed_by: str
    proposed_at: datetime


@dataclass
class Decision:
    """The signed decision: a certificate/approval, a refusal with reasons, or a forwarding."""

    outcome: Outcome
    reasons: str
    validity_years: int | None
    valid_from: date | None
    valid_until: date | None
    certificate_number: str | None
    signed_by: str
    signed_at: datetime
    on_time: bool
    timeliness: str  # early, on_time or late, against the statutory appointment date
    working_days_used: int


@dataclass
class StepProgress:
    """One step's own deadline (bước): when it started, when it is due, when it ended."""

    started_at: datetime
    due_date: date | None
    ended_at: datetime | None = None
    overdue_at: datetime | None = None


@dataclass
class Progress:
    """Engine state kept in one JSON column: adding to it needs no new column or mapping."""

    required_agencies: list[str] = field(default_factory=list)
    """Agencies the law requires to be consulted (resolved from the fields at acceptance)."""
    action_counts: dict[str, int] = field(default_factory=dict)
    """How often each once-only action was taken, keyed "action" or "action:phase"."""
    steps: dict[str, StepProgress] = field(default_factory=dict)
    """Each step's deadline by step name."""
    certificate_valid_until: str | None = None
    """ISO end of the certificate a renewal, amendment or re-issue concerns (from the registry)."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form for the dossier row."""
        return {
            "required_agencies": list(self.required_agencies),
            "certificate_valid_until": self.certificate_valid_until,
            "action_counts": dict(self.action_counts),
            "steps": {
                name: {
                    "started_at": st.started_at.isoformat(),
                    "due_date": st.due_date.isoformat() if st.due_date else None,
                    "ended_at": st.ended_at.isoformat() if st.ended_at else None,
                    "overdue_at": st.overdue_at.isoformat() if st.overdue_at else None,
                }
                for name, st in self.steps.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Progress:
        """The progress stored on a dossier row ({} for rows written before it existed)."""
        data = data or {}

        def instant(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        steps: dict[str, StepProgress] = {}
        for name, st in (data.get("steps") or {}).items():
            started = instant(st.get("started_at"))
            if started is None:
                continue
            steps[name] = StepProgress(
                started_at=started,
                due_date=date.fromisoformat(st["due_date"]) if st.get("due_date") else None,
                ended_at=instant(st.get("ended_at")),
                overdue_at=instant(st.get("overdue_at")),
            )
        return cls(
            required_agencies=list(data.get("required_agencies") or []),
            action_counts={k: int(v) for k, v in (data.get("action_counts") or {}).items()},
            steps=steps,
            certificate_valid_until=data.get("certificate_valid_until"),
        )


@dataclass
class DossierState:
    """Everything the engine needs to know about one dossier."""

    id: str
    code: str
    procedure: str
    procedure_version: int
    status: Status
    received_at: datetime
    accepted_at: datetime | None = None
    due_date: date | None = None
    legal_due_date: date | None = None
    suspended: bool = False
    suspended_since: datetime | None = None
    suspended_working_days: int = 0
    intake_supplement_requested: bool = False
    missing: list[str] = field(default_factory=list)
    assignee: str | None = None
    consultations: list[ConsultationState] = field(default_factory=list)
    proposal: Proposal | None = None
    decision: Decision | None = None
    extended: bool = False
    completed_at: datetime | None = None
    version: int = 0
    fields: dict[str, Any] = field(default_factory=dict)  # the procedure's own dossier fields
    progress: Progress = field(default_factory=Progress)

    @property
    def is_terminal(self) -> bool:
        """Whether the dossier is finished (no further action possible)."""
        return self.status in TERMINAL_STATUSES

    def consultation(self, consultation_id: str) -> ConsultationState | None:
        """A consultation of this dossier by id."""
        for c in self.consultations:
            if c.id == consultation_id:
                return c
        return None

    def open_consultations(self) -> list[ConsultationState]:
        """The consultations still waiting for an answer."""
        return [c for c in self.consultations if c.is_open]
