"""Reports NGOs send: the annual report (Form 05 of Decree 58) and aid implementation reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Numeric
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class NgoReport(SQLModel, table=True):
    """One report received from an NGO (báo cáo định kỳ)."""

    id: str = Field(primary_key=True, max_length=36)
    ngo_id: str = Field(foreign_key="ngo.id", index=True, max_length=36)
    kind: str = Field(max_length=30, description="annual (Form 05) or aid_implementation")
    period_year: int = Field(index=True)
    received_on: date
    projects: int = Field(default=0, description="Projects carried out in the period.")
    funds_disbursed: Decimal = Field(
        default=Decimal(0), sa_type=Numeric(20, 2), description="Funds disbursed (giải ngân)."
    )
    currency: str = Field(default="USD", max_length=3)
    provinces: list[str] = Field(default_factory=list, sa_type=JSON)
    aid_dossier_id: str | None = Field(
        default=None, foreign_key="dossier.id", max_length=36, description="The aid reported on."
    )
    obligation_id: str | None = Field(default=None, foreign_key="obligation.id", max_length=36)
    note: str | None = Field(default=None, max_length=2000)
    recorded_by: str = Field(max_length=120)
    recorded_at: datetime = Field(sa_type=UtcDateTime)
