"""Outbox: every message to send is a row written with the change that caused it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime, utcnow


class Outbox(SQLModel, table=True):
    """One e-mail to deliver; delivered by the deliver-notifications flow."""

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: str = Field(primary_key=True, max_length=36)
    dossier_id: str | None = Field(
        default=None, foreign_key="dossier.id", index=True, max_length=36
    )
    recipient: str = Field(max_length=320)
    template: str = Field(max_length=80)
    language: str = Field(default="vi", max_length=2)
    context: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default="pending", max_length=20)
    attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    claimed_until: datetime | None = Field(
        default=None,
        sa_type=UtcDateTime,
        description="While status is sending: a deliverer's lease; past it, anyone may retry.",
    )
    message_id: str = Field(max_length=200)
    last_error: str | None = Field(default=None)
