"""Request and response shapes of the NGO register: NGOs, obligations, reports, inspections."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, EmailStr, Field

from models.schemas import CertificatePublic, DocumentPublic, Strict

RiskGroup = Literal["low", "medium", "high"]


class NgoRisk(BaseModel):
    """An NGO's risk score and group with the reasons (the scorecard version that gave them)."""

    score: int
    group: RiskGroup
    reasons: list[dict[str, Any]]
    scorecard_version: int | None
    assessed_at: datetime | None


class AidPublic(BaseModel):
    """Approved aid (a programme, project or non-project aid) the NGO gives."""

    dossier_id: str
    code: str
    procedure: str
    subject: str
    amount: Decimal | None
    currency: str | None
    sector: str | None
    province: str | None
    status: str
    approved_on: date | None


class NgoDossier(BaseModel):
    """A dossier about the NGO."""

    id: str
    code: str
    procedure: str
    status: str
    subject: str
    received_at: datetime
    due_date: date | None


class ObligationPublic(BaseModel):
    """An obligation after approval (Decree 58/2022 Art 21)."""

    id: str
    ngo: str = Field(description="The NGO's id.")
    ngo_name: str
    kind: str
    title_vi: str
    title_en: str
    period_year: int | None
    due_date: date
    remind_on: date
    status: str = Field(description="open, met, overdue or cancelled")
    legal_basis: str
    certificate_number: str | None
    received_on: date | None
    met_late: bool | None
    note: str | None
    document_ref: str | None
    document_id: str | None
    reminded_at: datetime | None
    overdue_at: datetime | None


class ObligationFulfil(Strict):
    """What was received, meeting an obligation."""

    received_at: date = Field(description="The day it arrived (ngày nhận).")
    note: str | None = Field(default=None, max_length=2000)
    document_ref: str | None = Field(
        default=None, max_length=300, description="Number and date of the letter received."
    )
    document_id: str | None = Field(
        default=None,
        max_length=36,
        description="An uploaded document of one of the NGO's dossiers.",
    )


class ReportCreate(Strict):
    """A report received from the NGO: the annual report (Form 05) or an aid report."""

    kind: Literal["annual", "aid_implementation"]
    period_year: int = Field(ge=2000, le=2100)
    received_at: date
    projects: int = Field(default=0, ge=0, le=100_000)
    funds_disbursed: Decimal = Field(default=Decimal(0), ge=0, max_digits=18, decimal_places=2)
    currency: str = Field(default="USD", pattern="^[A-Z]{3}$")
    provinces: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=40
    )
    aid_dossier_id: str | None = Field(default=None, max_length=36)
    note: str | None = Field(default=None, max_length=2000)


class ReportPublic(BaseModel):
    """A report recorded in the register."""

    id: str
    ngo: str
    kind: str
    period_year: int
    received_on: date
    projects: int
    funds_disbursed: Decimal
    currency: str
    provinces: list[str]
    aid_dossier_id: str | None
    obligation_id: str | None
    on_time: bool | None
    note: str | None
    recorded_by: str
    recorded_at: datetime


class Finding(Strict):
    """One inspection finding."""

    severity: Literal["minor", "major"]
    text: str = Field(min_length=1, max_length=1000)


class InspectionRecord(Strict):
    """What an inspection found (kết luận kiểm tra)."""

    inspected_on: date
    inspectors: str = Field(min_length=1, max_length=300)
    findings: list[Finding] = Field(default_factory=list, max_length=50)
    follow_up_due: date | None = Field(
        default=None, description="Deadline to remedy the findings; becomes an obligation."
    )


class InspectionPlan(Strict):
    """Propose the year's inspection plan from the risk groups."""

    year: int = Field(ge=2000, le=2100)


class InspectionPublic(BaseModel):
    """A planned or performed inspection (hậu kiểm)."""

    id: str
    ngo: str
    ngo_name: str
    risk_group: str
    plan_year: int
    status: str
    reason: str
    inspected_on: date | None
    inspectors: str | None
    findings: list[dict[str, Any]]
    follow_up_obligation_id: str | None


class CertificateAct(Strict):
    """An administrative act on a certificate (Decree 58/2022 Art 7)."""

    act: Literal["suspend", "reinstate", "terminate", "revoke"]
    reason: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(min_length=1, max_length=300)
    decision_number: str | None = Field(default=None, max_length=120)
    decided_on: date | None = None


class NgoUpdate(Strict):
    """Corrections to an NGO's register entry."""

    name_vi: str | None = Field(default=None, max_length=300)
    name_original: str | None = Field(default=None, max_length=300)
    home_registration_number: str | None = Field(default=None, max_length=120)
    home_registration_valid_until: date | None = None
    contact_email: EmailStr | None = None
    contact_phone: str | None = Field(default=None, max_length=60)
    address: str | None = Field(default=None, max_length=500)


class NgoPublic(BaseModel):
    """An NGO in the register."""

    id: str
    name: str
    name_vi: str | None
    name_original: str | None
    country: str
    home_registration_number: str | None
    home_registration_valid_until: date | None
    contact_email: str | None
    contact_phone: str | None
    address: str | None
    certificates: list[CertificatePublic]
    aid: list[AidPublic]
    risk: NgoRisk


class NgoDetail(NgoPublic):
    """An NGO with everything about it."""

    dossiers: list[NgoDossier]
    documents: list[DocumentPublic] = Field(description="Files received from the NGO.")
    obligations: list[ObligationPublic]
    reports: list[ReportPublic]
    inspections: list[InspectionPublic]
    risk_history: list[dict[str, Any]]


class NgoPage(BaseModel):
    """A page of the register."""

    items: list[NgoPublic]
    total: int


class ObligationPage(BaseModel):
    """A page of obligations."""

    items: list[ObligationPublic]
    total: int
