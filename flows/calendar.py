"""Vietnamese working-day calendar (ngày làm việc): holidays.VN plus administrator overrides."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(instant: datetime) -> date:
    """Calendar date of an aware instant in Asia/Ho_Chi_Minh."""
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(VN_TZ).date()


def as_date(day: date | datetime) -> date:
    """A date as is, or the local date of an instant."""
    return local_date(day) if isinstance(day, datetime) else day


class WorkingCalendar:
    """Working days: Monday–Friday, minus public holidays, plus swap Saturdays and overrides.

    Periods count "from the working day after the triggering event" (Decree 118/2025; Civil Code
    2015 Art 147), so `add_working_days(d, 1)` is the first working day after `d`.
    """

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        self._holidays = holidays.country_holidays("VN")
        self._extra_holidays = frozenset(extra_holidays)
        self._extra_working_days = frozenset(extra_working_days)
        self._cache: dict[date, bool] = {}

    def is_working_day(self, day: date | datetime) -> bool:
        """Whether the day is a working day in Vietnam (after overrides)."""
        d = as_date(day)
        cached = self._cache.get(d)
        if cached is not None:
            return cached
        if d in self._extra_working_days:
            result = True
        elif d in self._extra_holidays:
            result = False
        else:
            result = bool(self._holidays.is_working_day(d))
        self._cache[d] = result
        return result

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's name, if the day is one."""
        name = self._holidays.get(day)
        return str(name) if name is not None else None

    def next_working_day(self, day: date | datetime) -> date:
        """The first working day strictly after the day."""
        d = as_date(day) + timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def previous_working_day(self, day: date | datetime) -> date:
        """The last working day strictly before the day."""
        d = as_date(day) - timedelta(days=1)
        while not self.is_working_day(d):
            d -= timedelta(days=1)
        return d

    def add_working_days(self, start: date | datetime, days: int) -> date:
        """The date `days` working days after `start` (counting from the next working day).

        Zero gives `start` itself; a negative count goes back in time the same way.
        """
        d = as_date(start)
        if days >= 0:
            for _ in range(days):
                d = self.next_working_day(d)
        else:
            for _ in range(-days):
                d = self.previous_working_day(d)
        return d

    def working_days_between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days in (start, end]: how many have run from `start` to `end`.

        Negative when `end` is before `start` (the working days still to come).
        """
        a, b = as_date(start), as_date(end)
        if a == b:
            return 0
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        d = a + timedelta(days=1)
        while d <= b:
            if self.is_working_day(d):
                count += 1
            d += timedelta(days=1)
        return sign * count
