"""Vietnamese working-day calendar (ngày làm việc) in three layers, each day with its source.

From the bottom up: holidays.VN (the `holidays` package, pinned in pyproject.toml), the official
yearly decisions shipped as data (`flows/calendar_data/<year>.toml`: holidays and day swaps
decided by the Prime Minister or the Ministry of Home Affairs, each with its document), and the
administrators' overrides (table `calendaroverride`). A higher layer wins on its day.

An optional office-hours cut-off reads an instant received after it, or on a non-working day, as
received on the next working day.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOLIDAYS_VERSION = version("holidays")
DATA_PACKAGE = "flows"
DATA_DIR = "calendar_data"
WEEK_SOURCE = "Quyết định 188/1999/QĐ-TTg (tuần làm việc 40 giờ: thứ Hai - thứ Sáu)"


def local_date(instant: datetime) -> date:
    """Calendar date of an aware instant in Asia/Ho_Chi_Minh."""
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(VN_TZ).date()


def as_date(day: date | datetime) -> date:
    """A date as is, or the local date of an instant."""
    return local_date(day) if isinstance(day, datetime) else day


class DayKind(StrEnum):
    """What a decision makes of a day."""

    holiday = "holiday"  # ngày nghỉ: a day off
    working_day = "working_day"  # ngày làm việc (làm bù): a day worked, e.g. a swapped Saturday


class Layer(StrEnum):
    """Which layer of the calendar decided a day."""

    week = "week"  # Monday-Friday worked, Saturday-Sunday off
    holidays_vn = "holidays_vn"  # the holidays package
    shipped = "shipped"  # an official yearly decision shipped in flows/calendar_data
    override = "override"  # an administrator's override


@dataclass(frozen=True)
class CalendarEntry:
    """A decided day: a day off or a day worked, with the document that decided it."""

    day: date
    kind: DayKind
    name_vi: str = ""
    name_en: str = ""
    source: str = ""
    note: str = ""
    open: bool = False  # its legal status is not settled: an administrator should decide


@dataclass(frozen=True)
class DayInfo:
    """Whether a day is worked, and which layer and document say so."""

    day: date
    working: bool
    layer: Layer
    name_vi: str
    name_en: str
    source: str
    origin: str  # where the layer's answer lives: a package version, a data file, the database
    note: str = ""
    open: bool = False

    @property
    def weekend(self) -> bool:
        """Saturday or Sunday."""
        return self.day.weekday() >= 5


class CalendarDataError(ValueError):
    """A yearly calendar file that does not say what it must, named with the wrong part."""


def _entry(raw: Any, where: str, year: int) -> CalendarEntry:
    if not isinstance(raw, dict):
        raise CalendarDataError(f"{where}: each [[days]] entry must be a table")
    unknown = set(raw) - {"date", "kind", "name_vi", "name_en", "source", "note", "open"}
    if unknown:
        raise CalendarDataError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    day = raw.get("date")
    if not isinstance(day, date) or isinstance(day, datetime):
        raise CalendarDataError(f"{where}: date must be a TOML date (YYYY-MM-DD)")
    if day.year != year:
        raise CalendarDataError(f"{where}: {day} is not in {year}")
    try:
        kind = DayKind(str(raw.get("kind")))
    except ValueError as exc:
        raise CalendarDataError(f"{where}: kind must be holiday or working_day") from exc
    texts = {key: raw.get(key, "") for key in ("name_vi", "name_en", "source", "note")}
    for key, value in texts.items():
        if not isinstance(value, str):
            raise CalendarDataError(f"{where}: {key} must be text")
    for key in ("name_vi", "name_en", "source"):
        if not texts[key].strip():
            raise CalendarDataError(f"{where}: {key} is required")
    is_open = raw.get("open", False)
    if not isinstance(is_open, bool):
        raise CalendarDataError(f"{where}: open must be true or false")
    return CalendarEntry(day=day, kind=kind, open=is_open, **texts)


def parse_year(data: Mapping[str, Any], name: str) -> tuple[int, str, tuple[CalendarEntry, ...]]:
    """A yearly file's contents as (year, holidays version it was checked against, entries).

    The file holds `year = 2026`, `holidays_checked = "0.109"` and one `[[days]]` table per
    decided day: `date`, `kind` (holiday or working_day), `name_vi`, `name_en`, `source` (the
    document: number, date, issuer), optional `note` and `open = true` for a day whose legal
    status an administrator must settle.
    """
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise CalendarDataError(f"{name}: year must be a number")
    checked = data.get("holidays_checked")
    if not isinstance(checked, str) or not checked:
        raise CalendarDataError(f"{name}: holidays_checked must name the holidays version")
    days = data.get("days", [])
    if not isinstance(days, list):
        raise CalendarDataError(f"{name}: days must be an array of tables")
    entries = tuple(_entry(raw, f"{name} days[{i}]", year) for i, raw in enumerate(days))
    seen: set[date] = set()
    for entry in entries:
        if entry.day in seen:
            raise CalendarDataError(f"{name}: {entry.day} is given twice")
        seen.add(entry.day)
    return year, checked, entries


def load_year_file(path: Path) -> tuple[int, str, tuple[CalendarEntry, ...]]:
    """Read one yearly TOML file (see `parse_year`)."""
    with path.open("rb") as handle:
        return parse_year(tomllib.load(handle), path.name)


@lru_cache(maxsize=1)
def shipped_years() -> tuple[tuple[int, str, tuple[CalendarEntry, ...]], ...]:
    """Every yearly file shipped in flows/calendar_data, by year (read once per process)."""
    folder = resources.files(DATA_PACKAGE).joinpath(DATA_DIR)
    years = []
    for item in sorted(folder.iterdir(), key=lambda f: f.name):
        if not item.name.endswith(".toml"):
            continue
        year, checked, entries = parse_year(tomllib.loads(item.read_text("utf-8")), item.name)
        if item.name != f"{year}.toml":
            raise CalendarDataError(f"{item.name}: the file of year {year} is named {year}.toml")
        years.append((year, checked, entries))
    return tuple(years)


def shipped_entries() -> tuple[CalendarEntry, ...]:
    """Every shipped decided day."""
    return tuple(entry for _, _, entries in shipped_years() for entry in entries)


class WorkingCalendar:
    """Working days: Monday–Friday, minus public holidays, plus swap Saturdays and overrides.

    Periods count "from the working day after the triggering event" (Decree 118/2025; Civil Code
    2015 Art 147), so `add_working_days(d, 1)` is the first working day after `d`.

    Layers, lowest first: holidays.VN, the shipped yearly data (`shipped`, default the files in
    flows/calendar_data), the administrators' `overrides` (`extra_holidays` and
    `extra_working_days` are overrides without a source). With `office_hours_end`, an instant
    given to `add_working_days` or `working_days_between` counts as the next working day when
    it falls after that local time or on a non-working day; dates are taken as they are.
    """

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        *,
        overrides: Iterable[CalendarEntry] = (),
        shipped: Iterable[CalendarEntry] | None = None,
        office_hours_end: time | None = None,
    ) -> None:
        self._holidays = holidays.country_holidays("VN", language="vi")
        self._holidays_en: holidays.HolidayBase | None = None
        self._shipped = {e.day: e for e in (shipped_entries() if shipped is None else shipped)}
        own: dict[date, CalendarEntry] = {}
        for day in extra_holidays:
            own[day] = CalendarEntry(day, DayKind.holiday)
        for day in extra_working_days:
            own[day] = CalendarEntry(day, DayKind.working_day)
        for entry in overrides:
            own[entry.day] = entry
        self._overrides = own
        self.office_hours_end = office_hours_end
        self._cache: dict[date, bool] = {}

    # --- the status of a day (hot: cached per day) -------------------------------------------

    def is_working_day(self, day: date | datetime) -> bool:
        """Whether the day is a working day in Vietnam (after the data and overrides)."""
        d = as_date(day)
        cached = self._cache.get(d)
        if cached is None:
            entry = self._overrides.get(d) or self._shipped.get(d)
            if entry is not None:
                cached = entry.kind == DayKind.working_day
            else:
                cached = bool(self._holidays.is_working_day(d))
            self._cache[d] = cached
        return cached

    def counts_as(self, moment: date | datetime) -> date:
        """The day an event counts as happening on.

        A date is itself. An instant is its local date; with an office-hours cut-off, an instant
        after the cut-off or on a non-working day counts as received the next working day.
        """
        if not isinstance(moment, datetime):
            return moment
        if moment.tzinfo is None:
            raise ValueError("instants must be timezone-aware")
        local = moment.astimezone(VN_TZ)
        d = local.date()
        if self.office_hours_end is None:
            return d
        if self.is_working_day(d) and local.time() <= self.office_hours_end:
            return d
        return self.next_working_day(d)

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

        Zero gives the day `start` counts as; a negative count goes back in time the same way.
        """
        d = self.counts_as(start)
        if days >= 0:
            for _ in range(days):
                d = self.next_working_day(d)
        else:
            for _ in range(-days):
                d = self.previous_working_day(d)
        return d

    def working_days_between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days in (start, end]: how many have run from `start` to `end`.

        Negative when `end` is before `start` (the working days still to come). Instants count
        as the day `counts_as` gives, so a later instant never counts fewer days.
        """
        a, b = self.counts_as(start), self.counts_as(end)
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

    # --- the source of a day (for people: not hot) -------------------------------------------

    def day_info(self, day: date | datetime) -> DayInfo:
        """Whether the day is worked, its name and the layer and document that decided it."""
        d = as_date(day)
        below = self._below_overrides(d)
        override = self._overrides.get(d)
        if override is None:
            return below
        working = override.kind == DayKind.working_day
        keeps_name = working == below.working
        name_vi = override.name_vi or override.note or (below.name_vi if keeps_name else "")
        name_en = override.name_en or override.note or (below.name_en if keeps_name else "")
        return DayInfo(
            day=d,
            working=working,
            layer=Layer.override,
            name_vi=name_vi,
            name_en=name_en,
            source=override.source,
            origin="administrator",
            note=override.note,
        )

    def holiday_name(self, day: date, language: str = "vi") -> str | None:
        """The name of the day off, if the day is a holiday or a swapped day off."""
        info = self.day_info(day)
        if info.working:
            return None
        name = info.name_en if language == "en" else info.name_vi
        return name or None

    def year_days(self, year: int) -> list[DayInfo]:
        """The days of a year that differ from a plain week or carry a decision, by date.

        Every weekday off, every weekend day worked, and every day the shipped data or an
        administrator decided (even when it changes nothing, so each decision stays visible).
        """
        days = []
        d, last = date(year, 1, 1), date(year, 12, 31)
        while d <= last:
            weekend = d.weekday() >= 5
            decided = d in self._overrides or d in self._shipped
            if decided or self.is_working_day(d) == weekend:
                days.append(self.day_info(d))
            d += timedelta(days=1)
        return days

    def _english(self) -> holidays.HolidayBase:
        if self._holidays_en is None:
            self._holidays_en = holidays.country_holidays("VN", language="en_US")
        return self._holidays_en

    def _below_overrides(self, d: date) -> DayInfo:
        """The day as the shipped data, or else holidays.VN, or else the week decides it."""
        shipped = self._shipped.get(d)
        if shipped is not None:
            return DayInfo(
                day=d,
                working=shipped.kind == DayKind.working_day,
                layer=Layer.shipped,
                name_vi=shipped.name_vi,
                name_en=shipped.name_en,
                source=shipped.source,
                origin=f"{DATA_PACKAGE}/{DATA_DIR}/{d.year}.toml",
                note=shipped.note,
                open=shipped.open,
            )
        working = bool(self._holidays.is_working_day(d))
        weekend = d.weekday() >= 5
        name_vi = self._holidays.get(d)
        if name_vi is None and working == weekend:
            name_vi = ""  # a weekend day worked by a swap: holidays.VN decided it, unnamed
        if name_vi is None:
            return DayInfo(
                day=d,
                working=working,
                layer=Layer.week,
                name_vi="",
                name_en="",
                source=WEEK_SOURCE,
                origin="week",
            )
        name_en = self._english().get(d) or ""
        if working and weekend:
            name_vi, name_en = "Ngày làm việc bù (hoán đổi ngày nghỉ)", "Worked day (day swap)"
        return DayInfo(
            day=d,
            working=working,
            layer=Layer.holidays_vn,
            name_vi=str(name_vi),
            name_en=str(name_en),
            source=f"holidays.VN {HOLIDAYS_VERSION}",
            origin=f"holidays {HOLIDAYS_VERSION}",
        )
