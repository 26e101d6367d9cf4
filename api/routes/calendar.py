"""The working-day calendar: a year's days with their sources; administrators' overrides.

Layers, lowest first: holidays.VN, the official yearly data shipped with ngo-review, the
administrators' overrides (one day, or a year's decision with one source document).
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field

from api.deps import Caller, CallerDep, EngineDep, NowDep, require
from flows.calendar import DayInfo, Layer
from flows.service import calendar_admin
from flows.service.calendar_admin import DecidedDay
from models.calendar_override import CalendarOverride
from models.schemas import Strict

router = APIRouter(tags=["calendar"])
Admin = Annotated[Caller, Depends(require("admin"))]
Year = Annotated[int, Path(ge=2000, le=2100, examples=[2026])]
SOURCE_EXAMPLE = "Công văn 12729/VPCP-KGVX ngày 25/12/2025 (Văn phòng Chính phủ)"


class OverrideBody(Strict):
    """What the day becomes, and the document that decided it."""

    kind: Literal["holiday", "working_day"] = Field(examples=["holiday"])
    note: str = Field(
        default="", max_length=300, examples=["Provincial anniversary (Decision 45/QĐ-UBND)"]
    )
    source: str = Field(default="", max_length=300, examples=[SOURCE_EXAMPLE])


class OverridePublic(BaseModel):
    """A day whose working status an administrator decided, over the shipped calendar."""

    day: date
    kind: str
    note: str
    source: str

    @classmethod
    def of(cls, row: CalendarOverride) -> OverridePublic:
        """The stored override as published."""
        return cls(day=row.day, kind=row.kind, note=row.note, source=row.source)


class DecidedDayBody(Strict):
    """One day of a year's decision."""

    day: date = Field(examples=["2026-01-02"])
    kind: Literal["holiday", "working_day"] = Field(examples=["holiday"])
    note: str = Field(default="", max_length=300, examples=["Nghỉ Tết Dương lịch (hoán đổi)"])


class YearDecisionBody(Strict):
    """Several days decided by one document (e.g. the Prime Minister's yearly day swap)."""

    source: str = Field(min_length=1, max_length=300, examples=[SOURCE_EXAMPLE])
    days: list[DecidedDayBody] = Field(min_length=1, max_length=60)


class CalendarDayPublic(BaseModel):
    """A day of the year that is not a plain Monday-Friday workday or weekend, or was decided."""

    day: date
    weekday: int = Field(description="0 Monday ... 6 Sunday")
    working: bool
    name_vi: str
    name_en: str
    layer: Layer = Field(
        description="who decided: holidays.VN, the shipped yearly data, or an administrator"
    )
    source: str = Field(description="the deciding document (or the holidays.VN version)")
    origin: str = Field(description="the package version, data file or 'administrator'")
    note: str
    open: bool = Field(description="legal status not settled: an administrator should decide")

    @classmethod
    def of(cls, info: DayInfo) -> CalendarDayPublic:
        """The calendar's answer about the day as published."""
        return cls(
            day=info.day,
            weekday=info.day.weekday(),
            working=info.working,
            name_vi=info.name_vi,
            name_en=info.name_en,
            layer=info.layer,
            source=info.source,
            origin=info.origin,
            note=info.note,
            open=info.open,
        )


class CalendarYearPublic(BaseModel):
    """Every weekday off and weekend day worked of a year, and every decided day."""

    year: int
    holidays_version: str = Field(description="the pinned version of the holidays package")
    office_hours_end: time | None = Field(
        description="after it, a dossier counts as received the next working day"
    )
    days: list[CalendarDayPublic]


@router.get("/calendar/overrides", response_model=list[OverridePublic])
def list_(_: CallerDep, engine: EngineDep) -> list[OverridePublic]:
    """Every override, by day."""
    return [OverridePublic.of(o) for o in calendar_admin.list_overrides(engine)]


@router.get("/calendar/{year}", response_model=CalendarYearPublic)
def year_(year: Year, _: CallerDep, engine: EngineDep) -> CalendarYearPublic:
    """The year's weekdays off and weekend days worked, each with its name and source."""
    found = calendar_admin.calendar_year(engine, year)
    return CalendarYearPublic(
        year=found.year,
        holidays_version=found.holidays_version,
        office_hours_end=found.office_hours_end,
        days=[CalendarDayPublic.of(d) for d in found.days],
    )


@router.post(
    "/calendar/years/{year}",
    response_model=list[OverridePublic],
    responses={403: {"description": "admins only"}, 422: {"description": "a day not in year"}},
)
def decide_year(
    year: Year, body: YearDecisionBody, caller: Admin, engine: EngineDep, now: NowDep
) -> list[OverridePublic]:
    """Record a year's decision: each day becomes an override carrying the one source."""
    rows = calendar_admin.record_year(
        engine,
        year,
        [DecidedDay(d.day, d.kind, d.note) for d in body.days],
        body.source,
        actor=caller.actor,
        now=now,
    )
    return [OverridePublic.of(row) for row in rows]


@router.put(
    "/calendar/overrides/{day}",
    response_model=OverridePublic,
    responses={403: {"description": "admins only"}},
)
def put(
    day: date, body: OverrideBody, caller: Admin, engine: EngineDep, now: NowDep
) -> OverridePublic:
    """Make the day a holiday or a working day; new deadlines follow it."""
    row = calendar_admin.set_override(
        engine, day, body.kind, body.note, source=body.source, actor=caller.actor, now=now
    )
    return OverridePublic.of(row)


@router.delete(
    "/calendar/overrides/{day}",
    status_code=204,
    responses={403: {"description": "admins only"}, 404: {"description": "none"}},
)
def delete(day: date, caller: Admin, engine: EngineDep, now: NowDep) -> Response:
    """Remove the override."""
    calendar_admin.delete_override(engine, day, actor=caller.actor, now=now)
    return Response(status_code=204)
