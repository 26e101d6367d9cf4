"""The risk scorecard (versioned criteria) and each assessment it produced."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class RiskScorecard(SQLModel, table=True):
    """One version of the criteria (tiêu chí đánh giá rủi ro); the highest is in force."""

    version: int = Field(primary_key=True)
    criteria: dict[str, Any] = Field(sa_type=JSON)
    note: str = Field(default="", max_length=500)
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(sa_type=UtcDateTime)


class RiskAssessment(SQLModel, table=True):
    """An NGO's score and group as computed at one moment, with the reasons."""

    id: int | None = Field(default=None, primary_key=True)
    ngo_id: str = Field(foreign_key="ngo.id", index=True, max_length=36)
    at: datetime = Field(sa_type=UtcDateTime)
    scorecard_version: int
    score: int
    group: str = Field(max_length=10)
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    cause: str = Field(max_length=80)
