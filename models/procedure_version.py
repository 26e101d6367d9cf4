"""Procedure versions published by administrators (built-in versions live in code)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class ProcedureVersion(SQLModel, table=True):
    """One immutable published version of a procedure definition."""

    code: str = Field(primary_key=True, max_length=80)
    version: int = Field(primary_key=True)
    definition: dict[str, Any] = Field(sa_type=JSON)
    note: str = Field(default="", max_length=2000)
    published_at: datetime = Field(sa_type=UtcDateTime)
    published_by: str = Field(max_length=120)
