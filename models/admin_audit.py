"""Audit trail of administration: users, tokens, agencies, calendar, procedure versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class AdminEvent(SQLModel, table=True):
    """One administrative change, with who made it and the values before and after, chained
    to the previous administrative event (one chain for the whole administration)."""

    # One successor per event: the chain cannot fork even if two appends raced.
    __table_args__ = (Index("ux_adminevent_chain", "prev_hash", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UtcDateTime, index=True)
    actor: str = Field(max_length=120)
    actor_role: str = Field(max_length=20)
    entity: str = Field(max_length=40, index=True, description="user, token, agency, ...")
    entity_key: str = Field(max_length=120)
    action: str = Field(max_length=40)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    prev_hash: str = Field(
        max_length=64,
        description="Hex SHA-256 of the previous administrative event (64 zeros for the first).",
    )
    hash: str = Field(
        max_length=64,
        description="Hex SHA-256 of this event's content and prev_hash (models.audit_chain).",
    )
