"""API tokens: random bearer secrets stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import UtcDateTime, utcnow


class ApiToken(SQLModel, table=True):
    """One user's credential, with the role it carries (and the agency, for agency users)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, max_length=120, description="The user's name, shown as actor.")
    role: str = Field(max_length=20)
    agency_code: str | None = Field(default=None, foreign_key="agency.code", max_length=40)
    email: str = Field(default="", max_length=320)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()
