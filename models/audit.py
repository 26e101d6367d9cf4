"""Audit trail: every change, with actor, time, before/after status (phiếu kiểm soát, form 06)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class AuditEvent(SQLModel, table=True):
    """One action on a dossier and what it changed, chained to the dossier's previous event."""

    # One successor per event: two appends racing on a dossier cannot both commit.
    __table_args__ = (Index("ux_auditevent_chain", "dossier_id", "prev_hash", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=36)
    at: datetime = Field(sa_type=UtcDateTime)
    actor: str = Field(max_length=120)
    actor_role: str = Field(max_length=20)
    action: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str = Field(max_length=30)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    prev_hash: str = Field(
        max_length=64,
        description="Hex SHA-256 of the dossier's previous event (64 zeros for its first).",
    )
    hash: str = Field(
        max_length=64,
        description="Hex SHA-256 of this event's content and prev_hash (models.audit_chain): "
        "an edited, removed or reordered event no longer matches.",
    )
