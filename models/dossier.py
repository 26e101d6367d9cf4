"""Dossiers (hồ sơ) and the per-day sequence behind their codes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class Dossier(SQLModel, table=True):
    """One application under review; its state is the engine's state, persisted."""

    __table_args__ = (Index("ix_dossier_status_legal_due", "status", "legal_due_date"),)

    id: str = Field(primary_key=True, max_length=36)
    code: str = Field(
        unique=True,
        max_length=80,
        description="Receiving-agency code + receipt date + sequence (mã hồ sơ).",
    )
    procedure: str = Field(index=True, max_length=80)
    procedure_version: int = Field(description="The procedure version the dossier is pinned to.")
    status: str = Field(index=True, max_length=30)
    applicant_name: str = Field(max_length=300)
    applicant_country: str = Field(max_length=100)
    applicant_email: str = Field(max_length=320)
    applicant_language: str = Field(default="vi", max_length=2)
    subject: str = Field(max_length=500)
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    received_at: datetime = Field(sa_type=UtcDateTime)
    received_by: str = Field(max_length=120)
    accepted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    due_date: date | None = Field(
        default=None, index=True, description="Appointment date (ngày hẹn trả), after extensions."
    )
    legal_due_date: date | None = Field(
        default=None, index=True, description="Statutory date: total WD plus clock stops."
    )
    suspended: bool = Field(default=False)
    suspended_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    suspended_working_days: int = Field(default=0)
    intake_supplement_requested: bool = Field(default=False)
    missing: list[str] = Field(default_factory=list, sa_type=JSON)
    assignee: str | None = Field(default=None, index=True, max_length=120)
    proposal: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    decision: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    extended: bool = Field(default=False)
    completed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    on_time: bool | None = Field(default=None)
    timeliness: str | None = Field(
        default=None, max_length=10, description="early, on_time or late once completed"
    )
    version: int = Field(default=1, description="Incremented on every change (ETag).")


class DossierSequence(SQLModel, table=True):
    """Last sequence number used per receiving agency and receipt date."""

    agency_code: str = Field(primary_key=True, max_length=40)
    day: date = Field(primary_key=True)
    last: int = Field(default=0)
