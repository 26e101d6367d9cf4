"""The working-day calendar with the administrators' overrides from the database."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from flows.calendar import WorkingCalendar
from models.calendar_override import CalendarOverride

_cache: dict[tuple[frozenset[date], frozenset[date]], WorkingCalendar] = {}


def load_calendar(session: Session) -> WorkingCalendar:
    """holidays.VN plus the stored overrides (calendars are cached per set of overrides)."""
    rows = session.exec(select(CalendarOverride)).all()
    extra_holidays = frozenset(r.day for r in rows if r.kind == "holiday")
    extra_working = frozenset(r.day for r in rows if r.kind == "working_day")
    key = (extra_holidays, extra_working)
    calendar = _cache.get(key)
    if calendar is None:
        if len(_cache) > 32:
            _cache.clear()
        calendar = _cache[key] = WorkingCalendar(extra_holidays, extra_working)
    return calendar
