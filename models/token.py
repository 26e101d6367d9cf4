"""API tokens: random bearer secrets stored only as SHA-256 hashes, each owned by a user."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import UtcDateTime, utcnow


class ApiToken(SQLModel, table=True):
    """One credential of a user; it acts with the user's role and agency."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=120, description="A label, e.g. the system that uses it.")
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()
