"""Certificate registry: issued NGO certificates and everything done to them since."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class Certificate(SQLModel, table=True):
    """A certificate (giấy đăng ký) as it stands now."""

    id: str = Field(primary_key=True, max_length=36)
    number: str = Field(unique=True, max_length=120)
    type: str = Field(index=True, max_length=30, description="operation, office or project_office")
    ngo_name: str = Field(max_length=300)
    country: str = Field(max_length=100)
    status: str = Field(
        default="active",
        index=True,
        max_length=20,
        description="active, suspended, closed, terminated or revoked (Decree 58/2022 Art 7)",
    )
    ngo_id: str | None = Field(
        default=None, index=True, max_length=36, description="Its NGO in the register (ngo.id)."
    )
    valid_from: date | None = None
    valid_until: date | None = Field(default=None, index=True)
    details: dict[str, Any] = Field(
        default_factory=dict, sa_type=JSON, description="Provinces, fields of activity, office, ..."
    )
    issued_by_dossier: str = Field(foreign_key="dossier.id", max_length=36)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class CertificateEvent(SQLModel, table=True):
    """One step of a certificate's history: issued, renewed, amended, re-issued, closed by a
    procedure, or suspended, reinstated, terminated, revoked by an administrative act."""

    id: int | None = Field(default=None, primary_key=True)
    certificate_id: str = Field(foreign_key="certificate.id", index=True, max_length=36)
    dossier_id: str | None = Field(
        default=None, foreign_key="dossier.id", max_length=36, description="Empty for an act."
    )
    action: str = Field(max_length=20)
    at: datetime = Field(sa_type=UtcDateTime)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
