"""The working-day calendar with the administrators' overrides and the office-hours setting."""

from __future__ import annotations

from sqlmodel import Session

from config.settings import Settings, get_settings
from flows.calendar import WorkingCalendar
from flows.service.reference import reference


def load_calendar(session: Session, settings: Settings | None = None) -> WorkingCalendar:
    """holidays.VN < shipped yearly data < stored overrides, with the office-hours cut-off.

    `settings` defaults to `get_settings()`; one calendar per set of overrides and cut-off
    (flows.service.reference), so the per-day cache of a calendar survives between requests.
    """
    cutoff = (settings or get_settings()).office_hours_cutoff()
    return reference(session).calendar(cutoff)
