"""Documents uploaded to a dossier, checksummed with SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class Document(SQLModel, table=True):
    """A file of the dossier; the content is stored with it so one transaction keeps both."""

    id: str = Field(primary_key=True, max_length=36)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=36)
    name: str = Field(max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=120)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)
    uploaded_at: datetime = Field(sa_type=UtcDateTime)
    uploaded_by: str = Field(max_length=120)


# Listing documents must not load their bytes.
Document.__mapper__.get_property("content").deferred = True  # type: ignore[attr-defined]
