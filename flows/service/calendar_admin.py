"""Administrators' overrides of the working-day calendar, and the year as the calendar reads it.

An override wins over the shipped yearly data, which wins over holidays.VN. A year's decision
(several days decided by one document, e.g. a Prime Minister's day swap) is stored as one
override per day, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from config.settings import Settings
from flows.calendar import HOLIDAYS_VERSION, DayInfo, DayKind
from flows.engine.state import Actor
from flows.errors import InvalidInput, NotFound
from flows.service.admin_audit import record_admin
from flows.service.calendar import load_calendar
from models.calendar_override import CalendarOverride
from models.db import read_session, write_session
from models.types import utcnow

KINDS = tuple(kind.value for kind in DayKind)
SYSTEM = Actor("system", "system")


@dataclass(frozen=True)
class DecidedDay:
    """One day of a year's decision: what it becomes, and its name."""

    day: date
    kind: str
    note: str = ""


@dataclass(frozen=True)
class CalendarYear:
    """A year as the calendar reads it: its decided days, each with its layer and document."""

    year: int
    days: list[DayInfo]
    holidays_version: str
    office_hours_end: time | None


def list_overrides(engine: Engine) -> list[CalendarOverride]:
    """Every override, by day."""
    with read_session(engine) as session:
        return list(
            session.exec(select(CalendarOverride).order_by(col(CalendarOverride.day))).all()
        )


def _values(row: CalendarOverride) -> dict[str, Any]:
    """What the audit trail records of an override (the source only once there is one)."""
    values: dict[str, Any] = {"kind": row.kind, "note": row.note}
    if row.source:
        values["source"] = row.source
    return values


def _set(
    session: Session,
    decided: DecidedDay,
    source: str,
    *,
    actor: Actor,
    now: datetime,
) -> CalendarOverride:
    if decided.kind not in KINDS:
        raise InvalidInput(f"kind must be one of: {', '.join(KINDS)}")
    found = session.get(CalendarOverride, decided.day)
    before = _values(found) if found else None
    row = found or CalendarOverride(day=decided.day, kind=decided.kind)
    row.kind, row.note, row.source = decided.kind, decided.note, source
    session.add(row)
    record_admin(
        session,
        actor=actor,
        entity="calendar",
        key=decided.day.isoformat(),
        action="set",
        before=before,
        after=_values(row),
        at=now,
    )
    return row


def set_override(
    engine: Engine,
    day: date,
    kind: str,
    note: str,
    *,
    source: str = "",
    actor: Actor = SYSTEM,
    now: datetime | None = None,
) -> CalendarOverride:
    """Make a day a holiday or a working day (replacing any earlier override of that day).

    Deadlines computed from now on follow it; appointment dates already given stay as given.
    """
    with write_session(engine) as session:
        return _set(session, DecidedDay(day, kind, note), source, actor=actor, now=now or utcnow())


def record_year(
    engine: Engine,
    year: int,
    days: Sequence[DecidedDay],
    source: str,
    *,
    actor: Actor = SYSTEM,
    now: datetime | None = None,
) -> list[CalendarOverride]:
    """Store a year's decision: every day it names, with its one source document, or none.

    Each day replaces an earlier override of that day; deadlines computed from now on follow.
    """
    if not source.strip():
        raise InvalidInput("source: name the document that decided it (number, date, issuer)")
    if not days:
        raise InvalidInput("days: list at least one day")
    outside = sorted({d.day.isoformat() for d in days if d.day.year != year})
    if outside:
        raise InvalidInput(f"days: not in {year}: {', '.join(outside)}")
    seen: set[date] = set()
    for decided in days:
        if decided.day in seen:
            raise InvalidInput(f"days: {decided.day} is given twice")
        seen.add(decided.day)
    at = now or utcnow()
    with write_session(engine) as session:
        rows = [
            _set(session, decided, source.strip(), actor=actor, now=at)
            for decided in sorted(days, key=lambda d: d.day)
        ]
    return rows


def delete_override(
    engine: Engine, day: date, *, actor: Actor = SYSTEM, now: datetime | None = None
) -> None:
    """Remove an override: the day follows the shipped data, or else holidays.VN, again."""
    with write_session(engine) as session:
        row = session.get(CalendarOverride, day)
        if row is None:
            raise NotFound(f"no override on {day}")
        record_admin(
            session,
            actor=actor,
            entity="calendar",
            key=day.isoformat(),
            action="delete",
            before=_values(row),
            after=None,
            at=now or utcnow(),
        )
        session.delete(row)


def calendar_year(engine: Engine, year: int, settings: Settings | None = None) -> CalendarYear:
    """Every weekday off and weekend day worked of the year, and every decided day, by date."""
    with read_session(engine) as session:
        calendar = load_calendar(session, settings)
    return CalendarYear(
        year=year,
        days=calendar.year_days(year),
        holidays_version=HOLIDAYS_VERSION,
        office_hours_end=calendar.office_hours_end,
    )
