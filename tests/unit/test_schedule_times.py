"""Next fire times of the in-process schedule: on the minute, on the half minute, 07:00 Mon-Fri."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.calendar import VN_TZ
from flows.schedule import next_every, next_weekday_at


def test_every_minute_and_half_minute_fall_on_the_clock() -> None:
    """Strictly after the instant, on a multiple of the period."""
    t = datetime(2026, 12, 2, 2, 31, 12, 500_000, tzinfo=UTC)
    assert next_every(60, t) == datetime(2026, 12, 2, 2, 32, tzinfo=UTC)
    assert next_every(30, t) == datetime(2026, 12, 2, 2, 31, 30, tzinfo=UTC)
    on_the_minute = datetime(2026, 12, 2, 2, 32, tzinfo=UTC)
    assert next_every(60, on_the_minute) == datetime(2026, 12, 2, 2, 33, tzinfo=UTC)


def test_digest_runs_at_seven_on_weekdays_in_hanoi() -> None:
    """07:00 Asia/Ho_Chi_Minh (00:00 UTC); Friday after seven and the weekend go to Monday."""
    wednesday_early = datetime(2026, 12, 2, 6, 59, tzinfo=VN_TZ)
    assert next_weekday_at(7, 0, wednesday_early) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    wednesday_seven = datetime(2026, 12, 2, 7, 0, tzinfo=VN_TZ)
    assert next_weekday_at(7, 0, wednesday_seven) == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    friday_noon = datetime(2026, 12, 4, 12, 0, tzinfo=VN_TZ)
    assert next_weekday_at(7, 0, friday_noon) == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    saturday_utc_evening = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)  # Sunday 03:00 in Hanoi
    assert next_weekday_at(7, 0, saturday_utc_evening) == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
