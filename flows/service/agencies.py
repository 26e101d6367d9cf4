"""Agency registry administration: reorganisations are configuration, never code."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, EmailStr, Field, model_validator
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from flows.engine.state import Actor
from flows.errors import Conflict, NotFound
from flows.service.admin_audit import record_admin
from models.agency import Agency
from models.db import read_session, write_session
from models.schemas import AgencyPublic, Strict
from models.types import utcnow

log = logging.getLogger("ngo_review.agencies")

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{1,39}$"
MUTABLE = ("name_vi", "name_en", "email", "active", "provinces", "activity_fields")
SYSTEM = Actor("system", "system")


class AgencyCreate(Strict):
    """A new agency in the registry, e.g. the successor of a merged ministry."""

    code: str = Field(
        pattern=CODE_PATTERN,
        examples=["BTC-KHDT"],
        description="Stable short code: capitals, digits and hyphens, 2-40 long.",
    )
    name_vi: str = Field(
        min_length=1, max_length=300, examples=["Bộ Tài chính (Khối Kế hoạch và Đầu tư)"]
    )
    name_en: str = Field(
        min_length=1, max_length=300, examples=["Ministry of Finance (Planning and Investment)"]
    )
    email: EmailStr | Literal[""] = Field(
        default="",
        examples=["btc-khdt@agencies.example.org"],
        description="Where requests are e-mailed; may be empty.",
    )
    active: bool = Field(
        default=True, examples=[True], description="Inactive agencies cannot be newly consulted."
    )
    provinces: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list,
        max_length=50,
        examples=[["Quảng Trị"]],
        description="Provinces it answers for as People's Committee (consulted on issuance "
        "and renewal for the NGOs operating there).",
    )
    activity_fields: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list,
        max_length=100,
        examples=[["y tế", "health"]],
        description="Activity fields it manages as ministry (consulted when registered).",
    )


class AgencyUpdate(Strict):
    """Changes to an agency: any of its names, e-mail or active flag (at least one)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"active": False},
                {
                    "name_vi": "Văn phòng Ủy ban nhân dân tỉnh Quảng Trị",
                    "name_en": "Office of the Quảng Trị People's Committee",
                    "email": "vp-ubnd-qt@agencies.example.org",
                },
            ]
        }
    )

    name_vi: str | None = Field(default=None, min_length=1, max_length=300)
    name_en: str | None = Field(default=None, min_length=1, max_length=300)
    email: EmailStr | Literal[""] | None = Field(
        default=None, description='"" removes the e-mail address.'
    )
    active: bool | None = Field(
        default=None, description="false: no new consultations; history is kept."
    )
    provinces: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, max_length=50, description="Replaces the provinces it answers for."
    )
    activity_fields: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, max_length=100, description="Replaces the activity fields it manages."
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> AgencyUpdate:
        """At least one field, and none of them null."""
        if not self.model_fields_set:
            raise ValueError(f"give at least one of: {', '.join(MUTABLE)}")
        nulls = sorted(f for f in self.model_fields_set if getattr(self, f) is None)
        if nulls:
            raise ValueError(f"may not be null: {', '.join(nulls)}")
        return self


def _public(row: Agency) -> AgencyPublic:
    """The API shape of one agency."""
    return AgencyPublic.model_validate(row, from_attributes=True)


def list_agencies(engine: Engine, active: bool | None = None) -> list[AgencyPublic]:
    """Every agency by code, optionally only the active or only the inactive ones."""
    query = select(Agency)
    if active is not None:
        query = query.where(col(Agency.active) == active)
    with read_session(engine) as session:
        return [_public(r) for r in session.exec(query.order_by(col(Agency.code))).all()]


def get_agency(engine: Engine, code: str) -> AgencyPublic:
    """One agency by code, or NotFound."""
    with read_session(engine) as session:
        row = session.get(Agency, code)
        if row is None:
            raise NotFound(f"no agency {code!r}")
        return _public(row)


def create_agency(
    engine: Engine, data: AgencyCreate, *, actor: Actor = SYSTEM, now: datetime | None = None
) -> AgencyPublic:
    """Add an agency to the registry (audited); an existing code is a Conflict."""
    now = now or utcnow()
    try:
        with write_session(engine) as session:
            if session.get(Agency, data.code) is not None:
                raise Conflict(f"agency {data.code!r} already exists; change it with PATCH")
            row = Agency.model_validate(data.model_dump())
            session.add(row)
            session.flush()
            created = _public(row)
            record_admin(
                session,
                actor=actor,
                entity="agency",
                key=data.code,
                action="create",
                before=None,
                after=created.model_dump(),
                at=now,
            )
    except IntegrityError as exc:  # a concurrent create of the same code won the race
        raise Conflict(f"agency {data.code!r} already exists; change it with PATCH") from exc
    log.info("agency %s created by %s: %s", data.code, actor.name, created.model_dump())
    return created


def update_agency(
    engine: Engine,
    code: str,
    data: AgencyUpdate,
    *,
    actor: Actor = SYSTEM,
    now: datetime | None = None,
) -> AgencyPublic:
    """Change an agency's names, e-mail or active flag (audited); consultations are untouched."""
    now = now or utcnow()
    changes = data.model_dump(include=set(MUTABLE), exclude_unset=True)
    with write_session(engine) as session:
        row = session.get(Agency, code)
        if row is None:
            raise NotFound(f"no agency {code!r}")
        before = {name: getattr(row, name) for name in changes}
        for name, value in changes.items():
            setattr(row, name, value)
        session.add(row)
        session.flush()
        updated = _public(row)
        record_admin(
            session,
            actor=actor,
            entity="agency",
            key=code,
            action="update",
            before=before,
            after=changes,
            at=now,
        )
    log.info("agency %s updated by %s: %s -> %s", code, actor.name, before, changes)
    return updated
