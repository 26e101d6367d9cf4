"""Counting working days (ngày làm việc) on the real Vietnamese calendar, with overrides."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.calendar import WorkingCalendar, local_date

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = ZoneInfo("UTC")

CALENDAR = WorkingCalendar()


def wd(start: date | datetime, days: int) -> date:
    """Shorthand: `days` working days after `start` on the shared calendar."""
    return CALENDAR.add_working_days(start, days)


# --- Public holidays and swap days (facts from the official calendar) -------------------------


@pytest.mark.parametrize(
    ("start", "expected", "why"),
    [
        # Tết Bính Ngọ: Lunar New Year Tue 17 Feb 2026; Eve Mon 16 .. 4th day Fri 20 Feb.
        (date(2026, 2, 13), date(2026, 2, 23), "Tết 2026: Mon 16 - Fri 20 Feb off"),
        # Tết Đinh Mùi: Lunar New Year Sat 6 Feb 2027; Eve Fri 5, Sat 6 -> Thu 4,
        # Sun 7 -> Wed 10 (after the 3rd and 4th days Mon 8, Tue 9).
        (date(2027, 2, 3), date(2027, 2, 11), "Tết 2027: Thu 4 - Wed 10 Feb off"),
        # 2025: Wed 30/4 and Thu 1/5, Fri 2/5 swapped with Sat 26/4.
        (date(2025, 4, 29), date(2025, 5, 5), "30/4-1/5 2025 with Fri 2 May swapped"),
        # 2026: Tue 1/9 + Wed 2/9 National Day, Mon 31/8 swapped with Sat 22/8.
        (date(2026, 8, 28), date(2026, 9, 3), "2/9 2026: Mon 31 Aug - Wed 2 Sep off"),
        # 2026: Thu 30/4 and Fri 1/5.
        (date(2026, 4, 29), date(2026, 5, 4), "30/4-1/5 2026: Thu + Fri off"),
        # 2027: Thu 2/9 National Day and Fri 3/9 (second National Day holiday).
        (date(2027, 9, 1), date(2027, 9, 6), "2/9 2027: Thu 2 + Fri 3 Sep off"),
        # Vietnam Cultural Day, a public holiday from 2026 (Resolution 80-NQ/TW): Tue 24/11.
        (date(2026, 11, 23), date(2026, 11, 25), "24/11/2026 Vietnam Cultural Day"),
        # New Year's Day 2027 is a Friday.
        (date(2026, 12, 31), date(2027, 1, 4), "1/1/2027 New Year's Day"),
    ],
)
def test_one_working_day_after_skips_the_holidays(start: date, expected: date, why: str) -> None:
    assert wd(start, 1) == expected, why


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
        date(2026, 2, 20),
        date(2027, 2, 4),
        date(2027, 2, 5),
        date(2027, 2, 8),
        date(2027, 2, 9),
        date(2027, 2, 10),
        date(2025, 4, 30),
        date(2025, 5, 1),
        date(2025, 5, 2),
        date(2026, 8, 31),
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2027, 9, 2),
        date(2027, 9, 3),
        date(2026, 11, 24),
        date(2027, 1, 1),
    ],
)
def test_public_holidays_are_not_working_days(day: date) -> None:
    assert day.weekday() < 5, "a weekday that is off because of a holiday"
    assert not CALENDAR.is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 13),  # Fri before Tết 2026
        date(2026, 2, 23),  # Mon after Tết 2026
        date(2027, 2, 3),  # Wed before Tết 2027
        date(2027, 2, 11),  # Thu after Tết 2027
        date(2026, 11, 25),
        date(2027, 1, 6),
    ],
)
def test_ordinary_weekdays_around_holidays_are_working_days(day: date) -> None:
    assert CALENDAR.is_working_day(day)


def test_the_swap_saturday_of_april_2025_is_a_working_day() -> None:
    saturday = date(2025, 4, 26)
    assert saturday.weekday() == 5
    assert CALENDAR.is_working_day(saturday)
    assert not CALENDAR.is_working_day(date(2025, 5, 2))
    # Fri 25 Apr + 1 WD is the swap Saturday itself.
    assert wd(date(2025, 4, 25), 1) == saturday


def test_the_swap_saturday_of_august_2026_is_a_working_day() -> None:
    saturday = date(2026, 8, 22)
    assert saturday.weekday() == 5
    assert CALENDAR.is_working_day(saturday)
    assert not CALENDAR.is_working_day(date(2026, 8, 31))
    assert wd(date(2026, 8, 21), 1) == saturday
    assert wd(date(2026, 8, 22), 1) == date(2026, 8, 24)


def test_ordinary_weekends_are_not_working_days() -> None:
    assert not CALENDAR.is_working_day(date(2026, 11, 28))  # Saturday
    assert not CALENDAR.is_working_day(date(2026, 11, 29))  # Sunday
    assert not CALENDAR.is_working_day(date(2025, 4, 27))  # Sunday after the swap Saturday


def test_the_holiday_name_is_known() -> None:
    assert CALENDAR.holiday_name(date(2026, 11, 24)) is not None
    assert CALENDAR.holiday_name(date(2026, 11, 25)) is None


# --- The 30-working-day total of a certificate procedure ---------------------------------------


def test_thirty_working_days_from_acceptance_on_23_november_2026() -> None:
    # Skips Tue 24/11/2026 (Cultural Day) and Fri 1/1/2027 (New Year).
    accepted = datetime(2026, 11, 23, 10, 0, tzinfo=VN)
    assert wd(accepted, 30) == date(2027, 1, 6)
    assert CALENDAR.working_days_between(accepted, date(2027, 1, 6)) == 30


def test_ten_working_days_of_consultation_from_25_november_2026() -> None:
    assert wd(date(2026, 11, 25), 10) == date(2026, 12, 9)


# --- Counting rules ---------------------------------------------------------------------------


def test_counting_starts_the_working_day_after_the_event() -> None:
    monday = date(2026, 11, 30)
    assert wd(monday, 0) == monday
    assert wd(monday, 1) == date(2026, 12, 1)
    assert wd(monday, 5) == date(2026, 12, 7)


def test_an_event_on_a_saturday_counts_from_the_next_working_day() -> None:
    saturday = date(2026, 11, 28)
    assert wd(saturday, 1) == date(2026, 11, 30)
    assert wd(datetime(2026, 11, 28, 15, 0, tzinfo=VN), 1) == date(2026, 11, 30)


def test_an_event_on_a_holiday_counts_from_the_next_working_day() -> None:
    assert wd(date(2026, 11, 24), 1) == date(2026, 11, 25)
    assert wd(date(2026, 2, 17), 1) == date(2026, 2, 23)  # the first day of Tết 2026


def test_next_and_previous_working_day() -> None:
    assert CALENDAR.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CALENDAR.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 13)
    assert CALENDAR.previous_working_day(date(2025, 4, 28)) == date(2025, 4, 26)


def test_aware_instants_are_read_in_ho_chi_minh_time() -> None:
    # 20:00 UTC on Mon 23 Nov is 03:00 on Tue 24 Nov (Cultural Day) in Vietnam.
    instant = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    assert local_date(instant) == date(2026, 11, 24)
    assert not CALENDAR.is_working_day(instant)
    assert wd(instant, 1) == date(2026, 11, 25)
    # 16:59 UTC is still 23:59 on Monday 23 in Vietnam.
    assert local_date(datetime(2026, 11, 23, 16, 59, tzinfo=UTC)) == date(2026, 11, 23)
    assert CALENDAR.is_working_day(datetime(2026, 11, 23, 16, 59, tzinfo=UTC))


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 11, 23, 9, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.is_working_day(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.working_days_between(naive, date(2026, 12, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date(naive)


def test_working_days_between_is_the_inverse_of_adding() -> None:
    start = date(2026, 11, 23)
    for n in (0, 1, 2, 10, 30):
        assert CALENDAR.working_days_between(start, wd(start, n)) == n
    assert CALENDAR.working_days_between(date(2026, 12, 7), date(2026, 12, 11)) == 4


def test_working_days_between_counts_nothing_over_a_holiday_stretch() -> None:
    # Fri 13 Feb to Fri 20 Feb 2026: only weekend and Tết in between.
    assert CALENDAR.working_days_between(date(2026, 2, 13), date(2026, 2, 20)) == 0
    assert CALENDAR.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1


def test_working_days_between_is_negative_backwards() -> None:
    assert CALENDAR.working_days_between(date(2027, 1, 6), date(2026, 11, 23)) == -30
    assert CALENDAR.working_days_between(date(2026, 11, 25), date(2026, 11, 25)) == 0


def test_negative_counts_go_back_in_working_days() -> None:
    assert wd(date(2026, 11, 25), -1) == date(2026, 11, 23)  # over the Cultural Day
    assert wd(date(2026, 2, 23), -1) == date(2026, 2, 13)  # over Tết 2026
    assert wd(date(2027, 1, 6), -30) == date(2026, 11, 23)
    assert wd(date(2025, 5, 5), -1) == date(2025, 4, 29)
    assert wd(date(2025, 5, 5), -3) == date(2025, 4, 26)  # lands on the swap Saturday


# --- Administrator overrides ------------------------------------------------------------------


def test_an_extra_holiday_is_skipped() -> None:
    calendar = WorkingCalendar(extra_holidays=[date(2026, 11, 25)])
    assert not calendar.is_working_day(date(2026, 11, 25))
    assert calendar.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 26)
    assert calendar.working_days_between(date(2026, 11, 23), date(2026, 11, 26)) == 1
    # The shared calendar is unaffected.
    assert wd(date(2026, 11, 23), 1) == date(2026, 11, 25)


def test_an_extra_working_day_on_a_saturday_counts() -> None:
    saturday = date(2026, 11, 28)
    calendar = WorkingCalendar(extra_working_days=[saturday])
    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(date(2026, 11, 27), 1) == saturday
    assert calendar.add_working_days(date(2026, 11, 27), 2) == date(2026, 11, 30)
    assert calendar.working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 2


def test_an_extra_working_day_can_reopen_a_public_holiday() -> None:
    calendar = WorkingCalendar(extra_working_days=[date(2026, 11, 24)])
    assert calendar.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 24)


# --- Properties -------------------------------------------------------------------------------

DATES = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
COUNTS = st.integers(min_value=0, max_value=60)


@settings(max_examples=200, deadline=None)
@given(day=DATES, n=COUNTS)
def test_property_between_inverts_add(day: date, n: int) -> None:
    assert CALENDAR.working_days_between(day, CALENDAR.add_working_days(day, n)) == n


@settings(max_examples=200, deadline=None)
@given(day=DATES, n=st.integers(min_value=1, max_value=60))
def test_property_the_result_is_a_working_day_after_the_start(day: date, n: int) -> None:
    result = CALENDAR.add_working_days(day, n)
    assert CALENDAR.is_working_day(result)
    assert result > day
    # No working day is skipped: the one before the result is exactly n - 1 working days on.
    assert CALENDAR.working_days_between(day, result - timedelta(days=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(day=DATES, n=COUNTS, m=COUNTS)
def test_property_adding_is_monotonic(day: date, n: int, m: int) -> None:
    a, b = sorted((n, m))
    assert CALENDAR.add_working_days(day, a) <= CALENDAR.add_working_days(day, b)
    if a < b:
        assert CALENDAR.add_working_days(day, a) < CALENDAR.add_working_days(day, b)


@settings(max_examples=200, deadline=None)
@given(day=DATES, n=st.integers(min_value=1, max_value=60))
def test_property_going_back_from_a_working_day_inverts_going_forward(day: date, n: int) -> None:
    start = CALENDAR.add_working_days(day, 1)  # a working day
    back = CALENDAR.add_working_days(start, -n)
    assert CALENDAR.is_working_day(back)
    assert CALENDAR.working_days_between(start, back) == -n
    assert CALENDAR.add_working_days(back, n) == start


@settings(max_examples=200, deadline=None)
@given(day=DATES, a=COUNTS, b=COUNTS)
def test_property_adding_composes(day: date, a: int, b: int) -> None:
    assert CALENDAR.add_working_days(CALENDAR.add_working_days(day, a), b) == (
        CALENDAR.add_working_days(day, a + b)
    )
