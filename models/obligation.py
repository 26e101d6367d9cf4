"""Obligations after approval (Decree 58/2022 Art 21) and their follow-up."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class Obligation(SQLModel, table=True):
    """Something an NGO owes the authorities by a date (nghĩa vụ sau cấp phép)."""

    # The sweep's two questions: open ones past due, open ones whose reminder day has come.
    __table_args__ = (
        Index("ix_obligation_status_due", "status", "due_date"),
        Index("ix_obligation_status_remind", "status", "remind_on"),
    )

    id: str = Field(primary_key=True, max_length=36)
    ngo_id: str = Field(foreign_key="ngo.id", index=True, max_length=36)
    certificate_id: str | None = Field(
        default=None, foreign_key="certificate.id", index=True, max_length=36
    )
    dossier_id: str | None = Field(
        default=None, foreign_key="dossier.id", max_length=36, description="What created it."
    )
    kind: str = Field(max_length=40)
    period_year: int | None = Field(default=None, description="The year an annual report covers.")
    due_date: date
    remind_on: date
    status: str = Field(default="open", max_length=20, description="open, met, overdue, cancelled")
    legal_basis: str = Field(max_length=300)
    created_at: datetime = Field(sa_type=UtcDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    overdue_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    received_on: date | None = Field(default=None, description="When what was owed arrived.")
    met_late: bool | None = None
    note: str | None = Field(default=None, max_length=2000)
    document_ref: str | None = Field(
        default=None, max_length=300, description="The letter or document received (số văn bản)."
    )
    document_id: str | None = Field(
        default=None, foreign_key="ngodocument.id", max_length=36, description="The file received."
    )
    recorded_by: str | None = Field(default=None, max_length=120)
    recorded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
