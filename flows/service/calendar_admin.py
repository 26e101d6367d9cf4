"""Administrators' overrides of the working-day calendar (local holidays, extra working days)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from flows.engine.state import Actor
from flows.errors import InvalidInput, NotFound
from flows.service.admin_audit import record_admin
from models.calendar_override import CalendarOverride
from models.db import read_session, write_session
from models.types import utcnow

KINDS = ("holiday", "working_day")
SYSTEM = Actor("system", "system")


def list_overrides(engine: Engine) -> list[CalendarOverride]:
    """Every override, by day."""
    with read_session(engine) as session:
        return list(
            session.exec(select(CalendarOverride).order_by(col(CalendarOverride.day))).all()
        )


def set_override(
    engine: Engine,
    day: date,
    kind: str,
    note: str,
    *,
    actor: Actor = SYSTEM,
    now: datetime | None = None,
) -> CalendarOverride:
    """Make a day a holiday or a working day (replacing any earlier override of that day).

    Deadlines computed from now on follow it; appointment dates already given stay as given.
    """
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of: {', '.join(KINDS)}")
    with write_session(engine) as session:
        found = session.get(CalendarOverride, day)
        before = {"kind": found.kind, "note": found.note} if found else None
        row = found or CalendarOverride(day=day, kind=kind)
        row.kind, row.note = kind, note
        session.add(row)
        record_admin(
            session,
            actor=actor,
            entity="calendar",
            key=day.isoformat(),
            action="set",
            before=before,
            after={"kind": kind, "note": note},
            at=now or utcnow(),
        )
        return row


def delete_override(
    engine: Engine, day: date, *, actor: Actor = SYSTEM, now: datetime | None = None
) -> None:
    """Remove an override: the day follows holidays.VN again."""
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
            before={"kind": row.kind, "note": row.note},
            after=None,
            at=now or utcnow(),
        )
        session.delete(row)
