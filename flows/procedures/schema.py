"""The declarative format of a procedure definition (thủ tục hành chính), versioned data."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from flows.procedures.fields import FieldsBase, fields_class

# Bounds of what an administrator may publish: far above every definition shipped, far below
# what would make each list answer heavy (a 10 MB legal basis served to every role).
MAX_TITLE = 300
MAX_LEGAL_BASIS = 2000
MAX_NOTE = 2000
MAX_AGENCIES = 50
MAX_DEADLINE_DAYS = 120  # as commands (flows.engine.decide.MAX_WORKING_DAYS)
AgencyCode = Annotated[str, Field(min_length=1, max_length=40)]


def _fields_class(value: Any) -> type[FieldsBase]:
    """The fields model itself, or the one a stored definition names."""
    return fields_class(value)


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


class StepStart(StrEnum):
    """What opens a step's own deadline."""

    received = "received"  # the dossier was received (completeness check)
    accepted = "accepted"  # accepted as complete and valid (sending the requests)
    consulted = "consulted"  # the first consultation request went out (agencies answer)
    proposed = "proposed"  # a draft decision reached the deciding body (its own period)


class Step(BaseModel):
    """A named step of the procedure as the law describes it, with its own deadline.

    A step with `working_days` and `starts_on` is a real deadline: it opens when `starts_on`
    happens, is due that many working days later, closes with any of `ends_with`, and the
    sweep marks it overdue when it is still open after its due date.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    title_vi: str
    title_en: str
    role: Role = Field(description="Who acts in this step (whose turn it is).")
    statuses: tuple[Status, ...]
    working_days: int | None = Field(
        default=None, description="Working days the step may take (None: bounded by the total)."
    )
    starts_on: StepStart | None = Field(
        default=None, description="What opens the step's deadline (None: no deadline of its own)."
    )
    ends_with: tuple[str, ...] = Field(default=(), description="Actions that complete the step.")
    legal_basis: str = ""


class ConsultationSource(StrEnum):
    """Where a required consultation's agencies come from."""

    standing = "standing"  # the listed agencies, always
    provinces = "provinces"  # the People's Committee of each province in a dossier field
    activity_fields = "activity_fields"  # the ministry of each activity field in a dossier field
    when_field = "when_field"  # the listed agencies when a yes/no dossier field is true


class RequiredConsultation(BaseModel):
    """Agencies the law requires to be consulted, resolved from the dossier and the registry."""

    model_config = ConfigDict(frozen=True)

    source: ConsultationSource
    agencies: tuple[str, ...] = ()
    field: str | None = Field(default=None, description="The dossier field it reads.")
    legal_basis: str


class OnceOnly(BaseModel):
    """An action the law allows a limited number of times (default once), with its basis."""

    model_config = ConfigDict(frozen=True)

    action: str
    phase: str | None = Field(
        default=None, description="intake or review: counted separately (None: in any phase)."
    )
    times: int = Field(default=1, ge=0)
    legal_basis: str

    @property
    def key(self) -> str:
        """The counter's key in the dossier's progress."""
        return f"{self.action}:{self.phase}" if self.phase else self.action


class CertificateEffect(StrEnum):
    """What signing an approval does to the certificate registry."""

    issue = "issue"
    renew = "renew"
    amend = "amend"
    reissue = "reissue"
    close = "close"


class CertificateRule(BaseModel):
    """The certificate a procedure issues or changes (Decree 58/2022 Art 9–17)."""

    model_config = ConfigDict(frozen=True)

    type: str = Field(description="operation, office or project_office")
    effect: CertificateEffect
    heading_vi: str = Field(description="The certificate's title on the signed document.")
    number_prefix: str | None = Field(
        default=None, description="Suffix of a new certificate's number, e.g. GĐK or VPĐD."
    )
    keeps_term: bool = Field(
        default=False, description="Amendment and re-issue keep the certificate's term."
    )
    renews_from_expiry: bool = Field(
        default=False, description="A renewal filed before expiry runs from the old expiry."
    )
    home_registration_field: str | None = Field(
        default=None,
        description="Dossier field with the end of the NGO's home-country registration: the "
        "certificate never runs beyond it (Decree 58/2022 Art 9).",
    )
    obligations_vi: str = Field(
        default="", description="What the decision letter reminds the NGO it must do after it."
    )
    obligations_en: str = ""
    legal_basis: str = ""


class ForwardRule(BaseModel):
    """When the outcome must be 'forwarded to the competent authority' (and only then)."""

    model_config = ConfigDict(frozen=True)

    when_any_field: tuple[str, ...] = Field(
        description="Yes/no or list dossier fields; any true or non-empty one means forward."
    )
    text_vi: str
    text_en: str


class IntakeWindow(BaseModel):
    """A dossier is received only within a period after a date in its fields."""

    model_config = ConfigDict(frozen=True)

    field: str
    months: int = Field(ge=1)
    legal_basis: str


class ProcedureDefinition(BaseModel):
    """A versioned procedure: everything the engine needs to run a dossier of this kind."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="Stable procedure code, e.g. ngo.operation.issue.")
    version: int = Field(ge=1, description="Dossiers pin the version they started on.")
    title_vi: str = Field(min_length=1, max_length=MAX_TITLE)
    title_en: str = Field(min_length=1, max_length=MAX_TITLE)
    legal_basis: str = Field(
        max_length=MAX_LEGAL_BASIS,
        description="Articles of law; figures marked 'assumed' are defaults.",
    )
    level: str = Field(description="national or provincial")
    receiving_agency: str = Field(description="Agency code that receives the dossier.")
    deciding_agency: str = Field(description="Agency code whose leader signs the decision.")
    intake_working_days: int = Field(
        ge=0, le=MAX_DEADLINE_DAYS, description="Completeness check deadline (WD)."
    )
    total_working_days: int = Field(
        ge=1, le=MAX_DEADLINE_DAYS, description="Total time from a valid dossier (WD)."
    )
    consultation_working_days: int = Field(
        ge=0, le=MAX_DEADLINE_DAYS, description="Time each agency has to answer."
    )
    reminder_working_days_before: int = Field(
        default=2,
        ge=0,
        le=MAX_DEADLINE_DAYS,
        description="Reminder to an agency this many WD before its due date.",
    )
    at_risk_working_days: int = Field(
        default=3,
        ge=0,
        le=MAX_DEADLINE_DAYS,
        description="Warn the handler when this many WD remain.",
    )
    consultation_mode: ConsultationMode
    default_agencies: tuple[AgencyCode, ...] = Field(default=(), max_length=MAX_AGENCIES)
    silence_rule: SilenceRule
    clock_stops_on_supplement: bool = Field(
        description="A supplement request during review stops the legal clock."
    )
    outcomes: tuple[Outcome, ...] = (Outcome.approve, Outcome.refuse)
    validity_years_max: int | None = Field(
        default=None,
        ge=1,
        le=10,
        description="Longest validity a certificate of this kind may have.",
    )
    certificate: CertificateRule | None = Field(
        default=None, description="The certificate it issues or changes, and how."
    )
    fields_schema: Annotated[
        type[FieldsBase],
        BeforeValidator(_fields_class),
        PlainSerializer(lambda cls: cls.__name__, return_type=str),
    ] = Field(description="The pydantic model of the dossier's own fields.")
    required_consultations: tuple[RequiredConsultation, ...] = Field(
        default=(), description="Agencies the law requires to answer before a decision."
    )
    once_only: tuple[OnceOnly, ...] = Field(
        default=(), description="Actions allowed a limited number of times, with their basis."
    )
    forward: ForwardRule | None = Field(
        default=None, description="When the only outcome is forwarding to the competent body."
    )
    intake_window: IntakeWindow | None = None
    due_anchor_field: str | None = Field(
        default=None,
        description="A date field the total period counts from instead of acceptance (the "
        "province's receipt of the Committee's letter).",
    )
    outcome_titles_vi: dict[Outcome, str] = Field(
        default_factory=dict, description="How this procedure words its outcomes."
    )
    outcome_titles_en: dict[Outcome, str] = Field(default_factory=dict)
    applicant_is_agency: bool = Field(
        default=False,
        description="The dossier comes from another state body (no right to complain or sue "
        "is stated to it).",
    )
    accepts_new: bool = Field(
        default=True, description="False: running dossiers finish, no new one is received."
    )
    retired_note: str = Field(default="", max_length=MAX_NOTE)
    steps: tuple[Step, ...]
    transitions: tuple[Transition, ...]

    @model_validator(mode="before")
    @classmethod
    def _from_earlier_layout(cls, data: Any) -> Any:
        """Versions stored before certificate and forward rules had their own objects."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        kind = data.pop("certificate_type", None)
        prefix = data.pop("certificate_number_prefix", None)
        effect = data.pop("certificate_action", None)
        if "certificate" not in data and kind and effect:
            data["certificate"] = {
                "type": kind,
                "effect": effect,
                "heading_vi": "",
                "number_prefix": prefix,
                "keeps_term": effect in ("amend", "reissue"),
            }
        flag = data.pop("forward_when_field", None)
        if "forward" not in data and flag:
            data["forward"] = {"when_any_field": [flag], "text_vi": "", "text_en": ""}
        return data

    def outcome_title(self, outcome: Outcome, lang: str = "vi") -> str:
        """The outcome in this procedure's words ("đồng ý" for a provincial opinion)."""
        titles = self.outcome_titles_vi if lang == "vi" else self.outcome_titles_en
        return titles.get(outcome, "")

    def step(self, name: str) -> Step | None:
        """A step by name."""
        for st in self.steps:
            if st.name == name:
                return st
        return None

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
