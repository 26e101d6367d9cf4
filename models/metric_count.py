"""Counters behind the monitoring figures, kept per day and per month as things happen."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class MetricCount(SQLModel, table=True):
    """How many dossiers, requests or steps share one key on one day (or in one month).

    Every command adds and removes its dossier's contribution in its own transaction, so the
    figures of any period are sums over a few of these rows, never a scan of the dossiers.
    Keys without a value use '' (texts) and -1 (working days), never NULL.
    """

    __table_args__ = {"sqlite_with_rowid": False}

    fact: str = Field(
        primary_key=True,
        max_length=20,
        description="received (by receipt date), ended (by completion date), consultation "
        "(by request date), stage (by the step's end date).",
    )
    grain: str = Field(
        primary_key=True,
        max_length=5,
        description="day; month (day is then the 1st); all (all time, day is 0001-01-01).",
    )
    day: date = Field(primary_key=True)
    procedure: str = Field(primary_key=True, max_length=80)
    receiving_agency: str = Field(primary_key=True, max_length=40)
    agency: str = Field(primary_key=True, max_length=40, description="The consulted agency, or ''.")
    category: str = Field(
        primary_key=True,
        max_length=30,
        description="ended: the final status; consultation: pending, answered_on_time, "
        "answered_late, deemed_consent or cancelled; stage: the step's name; received: ''.",
    )
    timeliness: str = Field(
        primary_key=True, max_length=10, description="early, on_time or late (decisions), or ''."
    )
    working_days: int = Field(
        primary_key=True,
        description="ended decisions: working days used; answered requests: response working "
        "days; stage: its working days; otherwise -1.",
    )
    count: int = Field(default=0)
