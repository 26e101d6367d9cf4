"""Administrator overrides of the working-day calendar (local holidays, extra working days)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class CalendarOverride(SQLModel, table=True):
    """A day whose working status differs from holidays.VN."""

    day: date = Field(primary_key=True)
    kind: str = Field(max_length=20, description="holiday or working_day")
    note: str = Field(default="", max_length=300)
    source: str = Field(
        default="",
        max_length=300,
        description="The document that decided it, e.g. 12729/VPCP-KGVX of 25/12/2025.",
    )
