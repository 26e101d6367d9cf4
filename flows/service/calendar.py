"""The working-day calendar with the administrators' overrides and the office-hours setting."""

from __future__ import annotations

from datetime import time

from sqlmodel import Session, select

from config.settings import Settings, get_settings
from flows.calendar import CalendarEntry, DayKind, WorkingCalendar
from models.calendar_override import CalendarOverride

_Key = tuple[frozenset[tuple[object, ...]], time | None]
_cache: dict[_Key, WorkingCalendar] = {}


def load_calendar(session: Session, settings: Settings | None = None) -> WorkingCalendar:
    """holidays.VN < shipped yearly data < stored overrides, with the office-hours cut-off.

    `settings` defaults to `get_settings()`; calendars are cached per set of overrides and
    cut-off, so the per-day cache of a calendar survives between requests.
    """
    rows = session.exec(select(CalendarOverride)).all()
    cutoff = (settings or get_settings()).office_hours_cutoff()
    key: _Key = (frozenset((r.day, r.kind, r.note, r.source) for r in rows), cutoff)
    calendar = _cache.get(key)
    if calendar is None:
        if len(_cache) > 32:
            _cache.clear()
        overrides = [
            CalendarEntry(day=r.day, kind=DayKind(r.kind), note=r.note, source=r.source)
            for r in rows
        ]
        calendar = _cache[key] = WorkingCalendar(overrides=overrides, office_hours_end=cutoff)
    return calendar
