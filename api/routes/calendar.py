"""Calendar overrides (admin): local holidays and extra working days on top of holidays.VN."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from api.deps import Caller, CallerDep, EngineDep, NowDep, require
from flows.service import calendar_admin
from models.schemas import Strict

router = APIRouter(tags=["calendar"])
Admin = Annotated[Caller, Depends(require("admin"))]


class OverrideBody(Strict):
    """What the day becomes."""

    kind: Literal["holiday", "working_day"] = Field(examples=["holiday"])
    note: str = Field(
        default="", max_length=300, examples=["Provincial anniversary (Decision 45/QĐ-UBND)"]
    )


class OverridePublic(BaseModel):
    """A day whose working status differs from the national calendar."""

    day: date
    kind: str
    note: str


@router.get("/calendar/overrides", response_model=list[OverridePublic])
def list_(_: CallerDep, engine: EngineDep) -> list[OverridePublic]:
    """Every override, by day."""
    return [
        OverridePublic(day=o.day, kind=o.kind, note=o.note)
        for o in calendar_admin.list_overrides(engine)
    ]


@router.put(
    "/calendar/overrides/{day}",
    response_model=OverridePublic,
    responses={403: {"description": "admins only"}},
)
def put(
    day: date, body: OverrideBody, caller: Admin, engine: EngineDep, now: NowDep
) -> OverridePublic:
    """Make the day a holiday or a working day; new deadlines follow it."""
    o = calendar_admin.set_override(engine, day, body.kind, body.note, actor=caller.actor, now=now)
    return OverridePublic(day=o.day, kind=o.kind, note=o.note)


@router.delete(
    "/calendar/overrides/{day}",
    status_code=204,
    responses={403: {"description": "admins only"}, 404: {"description": "none"}},
)
def delete(day: date, caller: Admin, engine: EngineDep, now: NowDep) -> Response:
    """Remove the override."""
    calendar_admin.delete_override(engine, day, actor=caller.actor, now=now)
    return Response(status_code=204)
