"""Files an NGO sent (bank notices, plans, reports), kept in the register with their checksum."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class NgoDocument(SQLModel, table=True):
    """A file received from an NGO; the content is stored with it so one transaction keeps both."""

    id: str = Field(primary_key=True, max_length=36)
    ngo_id: str = Field(foreign_key="ngo.id", index=True, max_length=36)
    name: str = Field(max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=120)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)
    uploaded_at: datetime = Field(sa_type=UtcDateTime)
    uploaded_by: str = Field(max_length=120)


# Listing documents must not load their bytes.
NgoDocument.__mapper__.get_property("content").deferred = True  # type: ignore[attr-defined]
