"""Audit trail: every change, with actor, time, before/after status (phiếu kiểm soát, form 06)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class AuditEvent(SQLModel, table=True):
    """One action on a dossier and what it changed."""

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=36)
    at: datetime = Field(sa_type=UtcDateTime)
    actor: str = Field(max_length=120)
    actor_role: str = Field(max_length=20)
    action: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str = Field(max_length=30)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
