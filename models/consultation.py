"""Consultation requests (lấy ý kiến) to partner agencies, each with its own due date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class Consultation(SQLModel, table=True):
    """One agency's request; the agency sees only its own."""

    __table_args__ = (Index("ix_consultation_agency_status", "agency_code", "status"),)

    id: str = Field(primary_key=True, max_length=36)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=36)
    position: int = Field(description="Order within the dossier.")
    agency_code: str = Field(foreign_key="agency.code", max_length=40)
    status: str = Field(max_length=20)
    requested_at: datetime = Field(sa_type=UtcDateTime)
    due_date: date
    working_days: int
    reminded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    overdue_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    answered_by: str | None = Field(default=None, max_length=120)
    answered_late: bool | None = Field(default=None)
    opinion: str | None = Field(default=None, max_length=30)
    comments: str = Field(default="")
