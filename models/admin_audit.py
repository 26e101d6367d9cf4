"""Audit trail of administration: users, tokens, agencies, calendar, procedure versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class AdminEvent(SQLModel, table=True):
    """One administrative change, with who made it and the values before and after."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UtcDateTime, index=True)
    actor: str = Field(max_length=120)
    actor_role: str = Field(max_length=20)
    entity: str = Field(max_length=40, index=True, description="user, token, agency, ...")
    entity_key: str = Field(max_length=120)
    action: str = Field(max_length=40)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
