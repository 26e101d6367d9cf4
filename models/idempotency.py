"""Stored answers of requests sent with an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class IdempotencyRecord(SQLModel, table=True):
    """The first result of (caller, request, key); a retry gets it back and changes nothing."""

    scope: str = Field(primary_key=True, max_length=300)
    key: str = Field(primary_key=True, max_length=200)
    fingerprint: str = Field(max_length=64, description="SHA-256 of the request body.")
    status_code: int
    body: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(sa_type=UtcDateTime)
