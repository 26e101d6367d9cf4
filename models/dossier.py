"""Dossiers (hồ sơ) and the per-day sequence behind their codes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Index
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime

_CODE = re.compile(r"^(?P<agency>.+)-\d{8}-\d+$")
_VN = ZoneInfo("Asia/Ho_Chi_Minh")


def agency_of_code(code: str) -> str:
    """The receiving-agency prefix of a dossier code (``UBCT-PCPNN-20261123-0001``), or ''."""
    match = _CODE.match(code)
    return match.group("agency") if match else ""


def _local_day(instant: datetime | None) -> date | None:
    if instant is None:
        return None
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return aware.astimezone(_VN).date()


def _received_on(context: DefaultExecutionContext) -> date | None:
    """Insert default: the local date of `received_at` (for inserts that leave it out)."""
    params: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return _local_day(params.get("received_at"))


def _receiving_agency(context: DefaultExecutionContext) -> str:
    """Insert default: the receiving-agency prefix of the dossier code."""
    params: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return agency_of_code(str(params.get("code") or ""))


class Dossier(SQLModel, table=True):
    """One application under review; its state is the engine's state, persisted."""

    __table_args__ = (
        Index("ix_dossier_status_legal_due", "status", "legal_due_date"),
        # Pending dossiers (monitoring): the open ones are those without a completion date.
        Index(
            "ix_dossier_pending",
            "completed_on",
            "procedure",
            "receiving_agency",
            "legal_due_date",
            "suspended",
            "received_on",
        ),
    )

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
    ngo_id: str | None = Field(
        default=None,
        index=True,
        max_length=36,
        description="The NGO in the register (ngo.id) it is about: applicant or donor. No "
        "foreign key: SQLite could drop the column only by copying the dossier table.",
    )
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
    received_on: date = Field(
        index=True,
        sa_column_kwargs={"default": _received_on},
        description="Receipt date in Hà Nội (ngày tiếp nhận hồ sơ): the day `received` counts.",
    )
    receiving_agency: str = Field(
        max_length=40,
        sa_column_kwargs={"default": _receiving_agency},
        description="Code of the agency that received the dossier (cơ quan tiếp nhận): the "
        "prefix of the dossier code.",
    )
    completed_on: date | None = Field(
        default=None,
        description="Local date the dossier ended: decision signed (ngày trả kết quả), "
        "withdrawn, or refused at intake; empty while pending.",
    )
    working_days_used: int | None = Field(
        default=None,
        description="Of a signed decision: working days from the working day after acceptance "
        "up to and including the signature date, minus the working days the clock was stopped.",
    )
    imported: bool = Field(
        default=False, description="Loaded from historical (paper) records by an import."
    )
    progress: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSON,
        description="The rest of the engine's state, serialised once from DossierState "
        "(required agencies, once-only counts, step deadlines): new state needs no new column.",
    )
    step_due_date: date | None = Field(
        default=None,
        index=True,
        description="Earliest due date of the steps still open (from `progress`): the "
        "worklist finds dossiers with a late step by it.",
    )
    version: int = Field(default=1, description="Incremented on every change (ETag).")


class DossierSequence(SQLModel, table=True):
    """Last sequence number used per receiving agency and receipt date."""

    agency_code: str = Field(primary_key=True, max_length=40)
    day: date = Field(primary_key=True)
    last: int = Field(default=0)
