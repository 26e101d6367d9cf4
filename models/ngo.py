"""The NGO register (sổ theo dõi tổ chức phi chính phủ nước ngoài): one row per organisation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class Ngo(SQLModel, table=True):
    """A foreign NGO known to the authorities, with its current risk assessment."""

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=300, description="Name as registered (tên tổ chức).")
    name_vi: str | None = Field(default=None, max_length=300, description="Tên tiếng Việt.")
    name_original: str | None = Field(
        default=None, max_length=300, description="Name in the original language (tên gốc)."
    )
    match_key: str = Field(
        unique=True, max_length=420, description="Folded name and country: how dossiers find it."
    )
    country: str = Field(max_length=100, description="Country of registration (quốc tịch).")
    home_registration_number: str | None = Field(
        default=None, max_length=120, description="Home-country registration (giấy phép thành lập)."
    )
    home_registration_valid_until: date | None = None
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=60)
    address: str | None = Field(default=None, max_length=500)
    risk_score: int = Field(default=0)
    risk_group: str = Field(default="low", index=True, max_length=10, description="low/medium/high")
    risk_reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    risk_scorecard_version: int | None = None
    risk_assessed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
