"""Agency registry (cơ quan): partner agencies are configuration, never hard-coded."""

from __future__ import annotations

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel


class Agency(SQLModel, table=True):
    """A ministry, department or committee that receives, decides or is consulted."""

    code: str = Field(primary_key=True, max_length=40, description="Stable short code, e.g. BCA.")
    name_vi: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    email: str = Field(default="", max_length=320, description="Where requests are e-mailed.")
    active: bool = Field(default=True, description="Deactivated agencies are not consulted.")
    provinces: list[str] = Field(
        default_factory=list,
        sa_type=JSON,
        description="Provinces this agency answers for (the People's Committee of a province "
        "of operation is consulted on issuance and renewal: Decree 58/2022 Art 11).",
    )
    activity_fields: list[str] = Field(
        default_factory=list,
        sa_type=JSON,
        description="Activity fields this ministry manages (lĩnh vực hoạt động): consulted when "
        "a dossier registers one of them.",
    )
