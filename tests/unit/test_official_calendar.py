"""The official yearly calendar shipped as data, its sources, and the office-hours cut-off."""

from __future__ import annotations

from datetime import date, datetime, time
from importlib.metadata import version
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from config.settings import Settings
from flows.calendar import (
    CalendarDataError,
    CalendarEntry,
    DayKind,
    Layer,
    WorkingCalendar,
    parse_year,
    shipped_years,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkingCalendar()
HOLIDAYS_VN_ONLY = WorkingCalendar(shipped=())
CUT_OFF = WorkingCalendar(office_hours_end=time(17, 0))
NEW_YEAR_2026 = "12729/VPCP-KGVX"


# --- The shipped data ---------------------------------------------------------------------------


def test_every_shipped_year_was_checked_against_the_pinned_holidays_version() -> None:
    """Bumping `holidays` fails here until someone re-checks each file and updates it."""
    years = shipped_years()
    assert [year for year, _, _ in years] == [2025, 2026]
    for year, checked, _ in years:
        assert checked == version("holidays"), f"{year}.toml: re-check against the new holidays"


def test_every_shipped_day_names_its_document() -> None:
    for _, _, entries in shipped_years():
        for entry in entries:
            assert entry.source and entry.name_vi and entry.name_en, entry.day


@pytest.mark.parametrize(
    ("data", "wrong"),
    [
        ({"holidays_checked": "0.109"}, "year must be a number"),
        ({"year": 2026}, "holidays_checked"),
        ({"year": 2026, "holidays_checked": "0.109", "days": [{"date": date(2027, 1, 1)}]}, "2027"),
        (
            {"year": 2026, "holidays_checked": "0.109", "days": [{"date": date(2026, 1, 2)}]},
            "kind must be holiday or working_day",
        ),
        (
            {
                "year": 2026,
                "holidays_checked": "0.109",
                "days": [{"date": date(2026, 1, 2), "kind": "holiday", "name_vi": "x"}],
            },
            "name_en is required",
        ),
        (
            {"year": 2026, "holidays_checked": "0.109", "days": [{"date": "2026-01-02"}]},
            "TOML date",
        ),
        (
            {
                "year": 2026,
                "holidays_checked": "0.109",
                "days": [{"date": date(2026, 1, 2), "x": 1}],
            },
            "unknown keys x",
        ),
    ],
)
def test_a_wrong_yearly_file_is_refused_naming_what_is_wrong(
    data: dict[str, Any], wrong: str
) -> None:
    with pytest.raises(CalendarDataError, match=wrong):
        parse_year(data, "2026.toml")


def test_a_day_given_twice_is_refused() -> None:
    day = {"date": date(2026, 1, 2), "kind": "holiday", "name_vi": "a", "name_en": "a"}
    data = {"year": 2026, "holidays_checked": "0.109", "days": [day | {"source": "s"}] * 2}
    with pytest.raises(CalendarDataError, match="given twice"):
        parse_year(data, "2026.toml")


# --- The 2026 New Year swap (Fri 2/1 off, Sat 10/1 worked; 12729/VPCP-KGVX of 25/12/2025) ------


def test_the_new_year_2026_swap_is_in_the_calendar_with_its_document() -> None:
    assert not CALENDAR.is_working_day(date(2026, 1, 2))
    assert CALENDAR.is_working_day(date(2026, 1, 10))
    # holidays.VN 0.109 lacks it: that is why it is shipped.
    assert HOLIDAYS_VN_ONLY.is_working_day(date(2026, 1, 2))
    assert not HOLIDAYS_VN_ONLY.is_working_day(date(2026, 1, 10))
    for day in (date(2026, 1, 2), date(2026, 1, 10)):
        info = CALENDAR.day_info(day)
        assert info.layer == Layer.shipped and NEW_YEAR_2026 in info.source
        assert info.origin == "flows/calendar_data/2026.toml"


def test_the_new_year_2026_swap_moves_a_due_date() -> None:
    # Accepted Wed 31/12/2025, 5 WD. Thu 1/1 New Year, Fri 2/1 swapped off, Sat 3 and Sun 4:
    # Mon 5 (1), Tue 6 (2), Wed 7 (3), Thu 8 (4), Fri 9 (5) → Fri 9/1/2026.
    # holidays.VN alone would count Fri 2/1 (1) and end on Thu 8/1.
    accepted = datetime(2025, 12, 31, 10, 0, tzinfo=VN)
    assert CALENDAR.add_working_days(accepted, 5) == date(2026, 1, 9)
    assert HOLIDAYS_VN_ONLY.add_working_days(accepted, 5) == date(2026, 1, 8)
    # 6 WD: the swapped Saturday 10/1 is the sixth working day.
    assert CALENDAR.add_working_days(accepted, 6) == date(2026, 1, 10)
    # 7 WD: Mon 12/1 (holidays.VN alone: Mon 12/1 too, having counted Fri 2/1 instead).
    assert CALENDAR.add_working_days(accepted, 7) == date(2026, 1, 12)
    assert CALENDAR.working_days_between(accepted, date(2026, 1, 12)) == 7
    assert CALENDAR.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)
    assert CALENDAR.previous_working_day(date(2026, 1, 12)) == date(2026, 1, 10)


# --- Vietnam Cultural Day 24/11 (status open) ---------------------------------------------------


def test_the_cultural_day_is_a_day_off_whose_status_is_open() -> None:
    info = CALENDAR.day_info(date(2026, 11, 24))
    assert not info.working and info.open and info.layer == Layer.shipped
    assert "30/NQ-CP" in info.source and info.name_en == "Vietnam Cultural Day"


def test_an_administrator_confirms_or_reopens_the_cultural_day() -> None:
    document = "Luật sửa đổi Bộ luật Lao động (test document)"
    confirmed = WorkingCalendar(
        overrides=[CalendarEntry(date(2026, 11, 24), DayKind.holiday, source=document)]
    )
    info = confirmed.day_info(date(2026, 11, 24))
    assert (info.working, info.open, info.layer, info.source) == (
        False,
        False,
        Layer.override,
        document,
    )
    assert info.name_vi == "Ngày Văn hóa Việt Nam"  # the name stays when the status does
    reopened = WorkingCalendar(
        overrides=[CalendarEntry(date(2026, 11, 24), DayKind.working_day, note="Reopened")]
    )
    assert reopened.is_working_day(date(2026, 11, 24))
    assert reopened.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 24)
    assert reopened.holiday_name(date(2026, 11, 24)) is None


# --- Layers ----------------------------------------------------------------------------------


def test_an_override_wins_over_the_shipped_data_which_wins_over_holidays_vn() -> None:
    override = WorkingCalendar(
        overrides=[CalendarEntry(date(2026, 1, 2), DayKind.working_day, source="Decision X")]
    )
    assert override.is_working_day(date(2026, 1, 2))
    assert override.day_info(date(2026, 1, 2)).source == "Decision X"
    # A shipped entry overrules holidays.VN; a day nobody decided falls through to it.
    shipped = WorkingCalendar(
        shipped=[CalendarEntry(date(2026, 9, 1), DayKind.working_day, "a", "a", "doc")]
    )
    assert shipped.is_working_day(date(2026, 9, 1))
    assert not shipped.is_working_day(date(2026, 9, 2))
    assert shipped.day_info(date(2026, 9, 2)).layer == Layer.holidays_vn


def test_the_year_2026_lists_every_day_off_and_day_worked_with_its_source() -> None:
    days = {info.day: info for info in CALENDAR.year_days(2026)}
    # By hand: holidays.VN's days off on weekdays, its swap Saturday 22/8, and the shipped days.
    assert sorted(days) == [
        date(2026, 1, 1),
        date(2026, 1, 2),
        date(2026, 1, 10),
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
        date(2026, 2, 20),
        date(2026, 4, 27),
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 22),
        date(2026, 8, 31),
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 11, 24),
    ]
    assert [d for d, info in days.items() if info.working] == [date(2026, 1, 10), date(2026, 8, 22)]
    new_year = days[date(2026, 1, 1)]
    assert (new_year.layer, new_year.name_vi, new_year.name_en) == (
        Layer.holidays_vn,
        "Tết Dương lịch",
        "New Year's Day",
    )
    assert new_year.source == f"holidays.VN {version('holidays')}"
    assert days[date(2026, 8, 22)].name_en == "Worked day (day swap)"
    assert days[date(2026, 1, 2)].layer == Layer.shipped


def test_the_year_2025_is_holidays_vn_alone() -> None:
    days = CALENDAR.year_days(2025)
    assert {info.layer for info in days} == {Layer.holidays_vn}
    assert [info.day for info in days if info.working] == [date(2025, 4, 26)]


# --- The office-hours cut-off --------------------------------------------------------------------


def test_a_dossier_received_after_the_cut_off_counts_from_the_next_working_day() -> None:
    # Mon 30/11/2026: by 17:00 it is Monday's; after, Tuesday 1/12's.
    assert CUT_OFF.add_working_days(datetime(2026, 11, 30, 16, 59, tzinfo=VN), 1) == date(
        2026, 12, 1
    )
    assert CUT_OFF.add_working_days(datetime(2026, 11, 30, 17, 0, tzinfo=VN), 1) == date(
        2026, 12, 1
    )
    assert CUT_OFF.add_working_days(datetime(2026, 11, 30, 17, 1, tzinfo=VN), 1) == date(
        2026, 12, 2
    )
    # Read in Hà Nội time: 10:30 UTC is 17:30 in Vietnam.
    utc = datetime(2026, 11, 30, 10, 30, tzinfo=ZoneInfo("UTC"))
    assert CUT_OFF.counts_as(utc) == date(2026, 12, 1)
    # Without a cut-off the evening is still Monday's.
    assert CALENDAR.add_working_days(datetime(2026, 11, 30, 17, 30, tzinfo=VN), 1) == date(
        2026, 12, 1
    )


def test_a_dossier_received_on_a_non_working_day_counts_from_the_next_working_day() -> None:
    # Sat 28/11/2026 10:00 counts as received Mon 30/11, so 1 WD is Tue 1/12.
    assert CUT_OFF.add_working_days(datetime(2026, 11, 28, 10, 0, tzinfo=VN), 1) == date(
        2026, 12, 1
    )
    # Fri 9/1/2026 18:00 counts as received on the swapped Saturday 10/1: 1 WD is Mon 12/1.
    assert CUT_OFF.counts_as(datetime(2026, 1, 9, 18, 0, tzinfo=VN)) == date(2026, 1, 10)
    assert CUT_OFF.add_working_days(datetime(2026, 1, 9, 18, 0, tzinfo=VN), 1) == date(2026, 1, 12)


def test_the_cut_off_leaves_dates_as_they_are() -> None:
    assert CUT_OFF.add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)
    assert CUT_OFF.working_days_between(date(2026, 11, 30), date(2026, 12, 2)) == 2
    evening = datetime(2026, 11, 30, 17, 30, tzinfo=VN)
    assert CUT_OFF.working_days_between(evening, date(2026, 12, 2)) == 1
    assert CUT_OFF.is_working_day(evening)


def test_the_office_hours_setting() -> None:
    assert Settings().office_hours_cutoff() is None
    assert Settings(office_hours_end="17:00").office_hours_cutoff() == time(17, 0)
    for wrong in ("25:00", "5pm", "17:00:00"):
        with pytest.raises(ValidationError):
            Settings(office_hours_end=wrong)


INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(VN)
)


@settings(max_examples=200, deadline=None)
@given(moment=INSTANTS, n=st.integers(min_value=0, max_value=40))
def test_property_with_a_cut_off_between_inverts_add(moment: datetime, n: int) -> None:
    due = CUT_OFF.add_working_days(moment, n)
    assert CUT_OFF.working_days_between(moment, due) == n
    assert CUT_OFF.is_working_day(CUT_OFF.counts_as(moment))


@settings(max_examples=200, deadline=None)
@given(a=INSTANTS, b=INSTANTS)
def test_property_a_later_instant_never_counts_fewer_days(a: datetime, b: datetime) -> None:
    first, last = sorted((a, b))
    assert CUT_OFF.counts_as(first) <= CUT_OFF.counts_as(last)
    assert CUT_OFF.working_days_between(first, last) >= 0
