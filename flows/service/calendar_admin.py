"""Administrators' overrides of the working-day calendar (local holidays, extra working days)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import col, select

from flows.errors import InvalidInput, NotFound
from models.calendar_override import CalendarOverride
from models.db import read_session, write_session

KINDS = ("holiday", "working_day")


def list_overrides(engine: Engine) -> list[CalendarOverride]:
    """Every override, by day."""
    with read_session(engine) as session:
        return list(session.exec(select(CalendarOverride)
                                 .order_by(col(CalendarOverride.day))).all())


def set_override(engine: Engine, day: date, kind: str, note: str) -> CalendarOverride:
    """Make a day a holiday or a working day (replacing any earlier override of that day).

    Deadlines computed from now on follow it; appointment dates already given stay as given.
    """
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of: {', '.join(KINDS)}")
    with write_session(engine) as session:
        row = session.get(CalendarOverride, day) or CalendarOverride(day=day, kind=kind)
        row.kind, row.note = kind, note
        session.add(row)
        return row


def delete_override(engine: Engine, day: date) -> None:
    """Remove an override: the day follows holidays.VN again."""
    with write_session(engine) as session:
        row = session.get(CalendarOverride, day)
        if row is None:
            raise NotFound(f"no override on {day}")
        session.delete(row)
