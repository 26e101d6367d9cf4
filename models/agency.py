"""Agency registry (cơ quan): partner agencies are configuration, never hard-coded."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Agency(SQLModel, table=True):
    """A ministry, department or committee that receives, decides or is consulted."""

    code: str = Field(primary_key=True, max_length=40, description="Stable short code, e.g. BCA.")
    name_vi: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    email: str = Field(default="", max_length=320, description="Where requests are e-mailed.")
    active: bool = Field(default=True, description="Deactivated agencies are not consulted.")
