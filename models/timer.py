"""Timers: every deadline is a row, fired by the deadline sweep exactly once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime, utcnow


class Timer(SQLModel, table=True):
    """A deadline that acts when due: reminder, overdue, late, at-risk."""

    __table_args__ = (Index("ix_timer_pending_due", "fired_at", "cancelled_at", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=36)
    consultation_id: str | None = Field(default=None, foreign_key="consultation.id", max_length=36)
    due_at: datetime = Field(sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    fired_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
