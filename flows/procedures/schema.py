"""The declarative format of a procedure definition (thủ tục hành chính), versioned data."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    """Who acts: the five roles of API.md, plus the system actor of the deadline sweep."""

    handler = "handler"
    leader = "leader"
    manager = "manager"
    agency = "agency"
    admin = "admin"
    system = "system"


class Status(StrEnum):
    """Dossier statuses (trạng thái hồ sơ)."""

    received = "received"
    awaiting_supplement = "awaiting_supplement"
    in_review = "in_review"
    awaiting_decision = "awaiting_decision"
    approved = "approved"
    refused = "refused"
    forwarded = "forwarded"
    rejected_at_intake = "rejected_at_intake"
    withdrawn = "withdrawn"


TERMINAL_STATUSES = frozenset(
    {Status.approved, Status.refused, Status.forwarded, Status.rejected_at_intake, Status.withdrawn}
)


class ConsultationStatus(StrEnum):
    """Status of one consultation request (lấy ý kiến)."""

    requested = "requested"
    answered = "answered"
    overdue = "overdue"
    deemed_consent = "deemed_consent"
    cancelled = "cancelled"


OPEN_CONSULTATION_STATUSES = frozenset({ConsultationStatus.requested, ConsultationStatus.overdue})


class Opinion(StrEnum):
    """An agency's written opinion."""

    agree = "agree"
    agree_with_conditions = "agree_with_conditions"
    object = "object"


class SilenceRule(StrEnum):
    """What an agency's silence past its due date means."""

    overdue = "overdue"  # marked overdue; handler and managers are told
    deemed_consent = "deemed_consent"  # "không có ý kiến coi như đồng ý": silence is agreement


class ConsultationMode(StrEnum):
    """How the consulted agencies are chosen."""

    default = "default"  # the procedure's default list, which the handler may change
    chosen = "chosen"  # only the agencies the handler chooses (amendment: those concerned)
    none = "none"  # nobody is consulted (re-issue)


class Outcome(StrEnum):
    """Possible results of a decision."""

    approve = "approve"
    refuse = "refuse"
    forward = "forward"  # aid touching security, defence or religion: to the competent authority


class Transition(BaseModel):
    """One action: who may take it, from which statuses, and where it leads (None: stays)."""

    model_config = ConfigDict(frozen=True)

    action: str
    roles: tuple[Role, ...]
    from_statuses: tuple[Status, ...]
    to_status: Status | None = None
    title_vi: str = ""
    title_en: str = ""


class Step(BaseModel):
    """A named step of the procedure as the law describes it, with its time allowance."""

    model_config = ConfigDict(frozen=True)

    name: str
    title_vi: str
    title_en: str
    role: Role
    statuses: tuple[Status, ...]
    working_days: int | None = Field(
        default=None, description="Working days the step may take (None: bounded by the total)."
    )


class ProcedureDefinition(BaseModel):
    """A versioned procedure: everything the engine needs to run a dossier of this kind."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="Stable procedure code, e.g. ngo.operation.issue.")
    version: int = Field(ge=1, description="Dossiers pin the version they started on.")
    title_vi: str
    title_en: str
    legal_basis: str = Field(description="Articles of law; figures marked 'assumed' are defaults.")
    level: str = Field(description="national or provincial")
    receiving_agency: str = Field(description="Agency code that receives the dossier.")
    deciding_agency: str = Field(description="Agency code whose leader signs the decision.")
    intake_working_days: int = Field(ge=0, description="Completeness check deadline (WD).")
    total_working_days: int = Field(ge=1, description="Total time from a valid dossier (WD).")
    consultation_working_days: int = Field(ge=0, description="Time each agency has to answer.")
    reminder_working_days_before: int = Field(
        default=2, ge=0, description="Reminder to an agency this many WD before its due date."
    )
    at_risk_working_days: int = Field(
        default=3, ge=0, description="Warn the handler when this many WD remain."
    )
    consultation_mode: ConsultationMode
    default_agencies: tuple[str, ...] = ()
    silence_rule: SilenceRule
    clock_stops_on_supplement: bool = Field(
        description="A supplement request during review stops the legal clock."
    )
    outcomes: tuple[Outcome, ...] = (Outcome.approve, Outcome.refuse)
    validity_years_max: int | None = Field(
        default=None, description="Longest validity a certificate of this kind may have."
    )
    certificate_type: str | None = None
    certificate_number_prefix: str | None = Field(
        default=None, description="Prefix of the certificate number, e.g. GĐK or VPĐD."
    )
    fields_schema: str = Field(description="Name of the pydantic model of the dossier fields.")
    certificate_action: str | None = Field(
        default=None,
        description="issue, renew, amend, reissue or close: what signing an "
        "approval does to the certificate registry.",
    )
    forward_when_field: str | None = Field(
        default=None,
        description="A yes/no dossier field that, when true, makes 'forward' "
        "the only possible outcome (aid touching security, defence or religion).",
    )
    steps: tuple[Step, ...]
    transitions: tuple[Transition, ...]

    def transition(self, action: str) -> Transition | None:
        """The transition for an action, if the procedure has it."""
        for t in self.transitions:
            if t.action == action:
                return t
        return None

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action name the procedure knows, in definition order."""
        return tuple(t.action for t in self.transitions)
