"""Consultation requests (lấy ý kiến) to partner agencies, each with its own due date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Index
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime

_VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _requested_on(context: DefaultExecutionContext) -> date | None:
    """Insert default: the local date of `requested_at` (for inserts that leave it out)."""
    params: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    instant: datetime | None = params.get("requested_at")
    if instant is None:
        return None
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return aware.astimezone(_VN).date()


class Consultation(SQLModel, table=True):
    """One agency's request; the agency sees only its own."""

    __table_args__ = (
        Index("ix_consultation_agency_status", "agency_code", "status"),
        # Open requests by due date (at-risk prediction), covering what it reads.
        Index("ix_consultation_status_due", "status", "due_date", "agency_code", "dossier_id"),
    )

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
    requested_on: date = Field(
        sa_column_kwargs={"default": _requested_on},
        description="Local date of the request (ngày gửi văn bản lấy ý kiến); its period "
        "counts from the next working day.",
    )
    answered_on: date | None = Field(
        default=None, description="Local date of the agency's written answer, if any."
    )
    response_working_days: int | None = Field(
        default=None,
        description="Working days from the working day after the request up to and including "
        "the answer (answered requests only).",
    )
    letter_number: str | None = Field(
        default=None,
        max_length=80,
        description="Number of the agency's official letter (số văn bản).",
    )
    letter_date: date | None = Field(default=None, description="Date of the official letter.")
    letter_document_id: str | None = Field(
        default=None, max_length=36, description="The signed letter, stored as a dossier document."
    )
    recorded_by: str | None = Field(
        default=None,
        max_length=120,
        description="The handler who recorded an answer received on paper (None: the agency).",
    )
