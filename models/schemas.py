"""Request and response shapes of the API (the *Create / *Public side of each entity)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

Language = Literal["vi", "en"]
# A procedure's own fields are a dozen or so; more keys than this is not a dossier (and would
# make one "unknown field" error per key).
MAX_PROCEDURE_FIELDS = 40


class Strict(BaseModel):
    """Input models reject unknown keys, so a typo is a 422 rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Applicant(Strict):
    """The foreign NGO that applies (tổ chức đề nghị)."""

    name: str = Field(min_length=1, max_length=300, examples=["Save the Rivers Foundation"])
    country: str = Field(min_length=1, max_length=100, examples=["Norway"])
    email: EmailStr = Field(examples=["contact@savetherivers.example"])
    language: Language = Field(default="vi", description="Language of messages to the applicant.")


class DossierCreate(BaseModel):
    """A new dossier; procedure-specific fields go at the top level next to these."""

    model_config = ConfigDict(
        extra="allow",
        str_strip_whitespace=True,
        json_schema_extra={
            "maxProperties": 3 + MAX_PROCEDURE_FIELDS,
            "examples": [
                {
                    "procedure": "ngo.operation.issue",
                    "applicant": {
                        "name": "Save the Rivers Foundation",
                        "country": "Norway",
                        "email": "contact@savetherivers.example",
                        "language": "en",
                    },
                    "subject": "Operation registration for clean-water projects",
                    "provinces": ["Quảng Trị", "Huế"],
                    "activity_fields": ["water and sanitation"],
                    "requested_validity_years": 3,
                }
            ],
        },
    )

    procedure: str = Field(min_length=1, max_length=80)
    applicant: Applicant
    subject: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _few_fields(self) -> DossierCreate:
        """Each procedure field is then bounded by the procedure's own model."""
        extra = self.model_extra or {}
        if len(extra) > MAX_PROCEDURE_FIELDS:
            raise ValueError(f"at most {MAX_PROCEDURE_FIELDS} procedure fields, not {len(extra)}")
        return self


class ConsultationPublic(BaseModel):
    """One agency's consultation request as the API shows it."""

    id: str
    dossier_id: str
    dossier_code: str
    procedure: str
    subject: str
    applicant_name: str
    agency: str
    status: str
    requested_at: datetime
    due_date: date
    working_days: int
    reminded_at: datetime | None
    overdue_at: datetime | None
    answered_at: datetime | None
    answered_by: str | None
    answered_late: bool | None
    opinion: str | None
    comments: str
    letter_number: str | None = None
    letter_date: date | None = None
    letter_document_id: str | None = None
    recorded_by: str | None = None


class ProposalPublic(BaseModel):
    """The draft decision awaiting signature."""

    outcome: str
    reasons: str
    validity_years: int | None
    proposed_by: str
    proposed_at: datetime


class DecisionPublic(BaseModel):
    """The signed decision."""

    outcome: str
    reasons: str
    validity_years: int | None
    valid_from: date | None
    valid_until: date | None
    certificate_number: str | None
    signed_by: str
    signed_at: datetime
    on_time: bool
    timeliness: str = Field(description="early, on_time or late against the statutory date")
    working_days_used: int


class ApplicantPublic(BaseModel):
    """The applicant as shown; a paper dossier imported without an e-mail address has ''."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    country: str
    email: str = Field(description="E-mail address, or '' (an imported paper dossier).")
    language: Language


class StepPublic(BaseModel):
    """One step's own deadline as the law sets it (bước), once the step has started."""

    name: str
    title_vi: str
    title_en: str
    role: str
    started_at: datetime
    due_date: date | None = Field(description="Its working days after the start (local date).")
    ended_at: datetime | None
    overdue: bool = Field(description="Past its due date while open, or ended after it.")
    status: str = Field(description="open, done, overdue (open and late) or done_late.")


class DossierPublic(BaseModel):
    """A dossier with its clock, consultations, decision and what can be done next."""

    id: str
    code: str
    procedure: str
    procedure_version: int
    status: str
    applicant: ApplicantPublic
    ngo_id: str | None = Field(
        default=None, description="Its NGO in the register (`GET /ngos/{id}`): applicant or donor."
    )
    subject: str
    fields: dict[str, Any]
    received_at: datetime
    received_by: str
    accepted_at: datetime | None
    due_date: date | None = Field(description="Appointment date (ngày hẹn trả kết quả).")
    legal_due_date: date | None = Field(description="Statutory date, clock stops included.")
    working_days_used: int | None
    working_days_left: int | None
    is_overdue: bool
    suspended: bool
    missing: list[str]
    assignee: str | None
    extended: bool
    consultations: list[ConsultationPublic]
    required_agencies: list[str] = Field(
        default_factory=list,
        description="Agencies the law requires to answer before a decision is proposed "
        "(standing members, the provinces' People's Committees, the fields' ministries).",
    )
    open_required_agencies: list[str] = Field(
        default_factory=list, description="Required agencies whose request has not ended."
    )
    proposal: ProposalPublic | None
    decision: DecisionPublic | None
    completed_at: datetime | None
    allowed_actions: list[str]
    steps: list[StepPublic] = Field(
        default_factory=list, description="The procedure's steps that have started, in order."
    )
    step_overdue: bool = Field(
        default=False, description="A step is still open past its own due date."
    )
    version: int


class DossierPage(BaseModel):
    """A page of dossiers, soonest legal due date first."""

    items: list[DossierPublic]
    total: int


class HistoryItem(BaseModel):
    """One line of the processing control slip (phiếu kiểm soát quá trình, form 06)."""

    at: datetime
    actor: str
    actor_role: str
    action: str
    from_status: str | None
    to_status: str
    details: dict[str, Any]
    chain_intact: bool = Field(
        description="Whether this event and every one before it match their hashes and "
        "links, and none is missing from the trail; false: the trail was altered in the "
        "database from here on (see `ngo-review check`).",
    )


class DocumentPublic(BaseModel):
    """An uploaded document's metadata."""

    id: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


class AgencyPublic(BaseModel):
    """A partner agency."""

    code: str
    name_vi: str
    name_en: str
    email: str
    active: bool
    provinces: list[str] = Field(
        default_factory=list, description="Provinces it answers for as People's Committee."
    )
    activity_fields: list[str] = Field(
        default_factory=list, description="Activity fields it manages as ministry."
    )


class CertificateEventPublic(BaseModel):
    """One step of a certificate's history."""

    action: str
    at: datetime
    dossier_id: str | None = Field(description="The dossier that did it; empty for an act.")
    details: dict[str, Any]


class CertificatePublic(BaseModel):
    """A certificate in the registry, with its history."""

    id: str
    number: str
    type: str
    ngo_name: str
    country: str
    status: str
    valid_from: date | None
    valid_until: date | None
    details: dict[str, Any]
    issued_by_dossier: str
    history: list[CertificateEventPublic]


Role = Literal["handler", "leader", "manager", "agency", "admin"]
Username = Field(
    min_length=2, max_length=80, pattern=r"^[A-Za-z0-9._@-]+$", examples=["nguyen.van.an"]
)


class UserCreate(Strict):
    """A new person who signs in; the password is hashed with Argon2 and never shown again."""

    username: str = Username
    display_name: str = Field(min_length=1, max_length=120, examples=["Nguyễn Văn An"])
    role: Role
    agency: str | None = Field(
        default=None, max_length=40, description="Agency code; required for, and only for, agency."
    )
    email: EmailStr | Literal[""] = ""
    language: Language = "vi"
    password: str = Field(min_length=10, max_length=200, description="At least 10 characters.")


class UserUpdate(Strict):
    """Changes to a user; omitted fields stay as they are."""

    display_name: str | None = Field(default=None, min_length=1, max_length=120)
    role: Role | None = None
    agency: str | None = Field(default=None, max_length=40)
    email: EmailStr | Literal[""] | None = None
    language: Language | None = None
    active: bool | None = None
    password: str | None = Field(
        default=None,
        min_length=10,
        max_length=200,
        description="A new password (reset); ends the user's sessions.",
    )


class UserPublic(BaseModel):
    """A user as administrators see them (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    agency: str | None
    email: str
    language: str
    active: bool
    locked_until: datetime | None
    created_at: datetime


class TokenCreate(Strict):
    """A new API token for a user."""

    username: str = Username
    name: str = Field(
        default="api", min_length=1, max_length=120, description="A label: what the token is for."
    )
    expires_days: int | None = Field(
        default=None, ge=1, le=3650, description="Days until it expires; none: never."
    )


class TokenPublic(BaseModel):
    """A token's metadata; the secret itself is shown once, at creation."""

    id: int
    username: str
    name: str
    role: str
    agency: str | None = Field(default=None, description="The agency of an agency user's token.")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenPublic):
    """A new token with its secret (shown this once)."""

    token: str


class AdminEventPublic(BaseModel):
    """One administrative change: who made it, when, and the values before and after."""

    id: int
    at: datetime
    actor: str
    actor_role: str
    entity: str = Field(description="user, token, agency, calendar or procedure.")
    entity_key: str = Field(description="The username, token id, agency code, day or code.")
    action: str = Field(examples=["create", "update", "revoke", "set", "delete", "publish"])
    before: dict[str, Any] | None
    after: dict[str, Any] | None
