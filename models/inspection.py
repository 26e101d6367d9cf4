"""Post-checks (hậu kiểm): planned and performed inspections of NGOs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class Inspection(SQLModel, table=True):
    """One inspection of an NGO: proposed by the yearly plan, then recorded with findings."""

    __table_args__ = (UniqueConstraint("ngo_id", "plan_year", name="uq_inspection_ngo_year"),)

    id: str = Field(primary_key=True, max_length=36)
    ngo_id: str = Field(foreign_key="ngo.id", index=True, max_length=36)
    plan_year: int = Field(index=True)
    status: str = Field(default="planned", max_length=20, description="planned, done, cancelled")
    reason: str = Field(max_length=500, description="Why the plan includes it (risk group).")
    planned_at: datetime = Field(sa_type=UtcDateTime)
    planned_by: str = Field(max_length=120)
    inspected_on: date | None = None
    inspectors: str | None = Field(default=None, max_length=300)
    findings: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=JSON, description="[{severity: minor|major, text}]"
    )
    follow_up_obligation_id: str | None = Field(
        default=None, foreign_key="obligation.id", max_length=36
    )
    recorded_by: str | None = Field(default=None, max_length=120)
    recorded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
