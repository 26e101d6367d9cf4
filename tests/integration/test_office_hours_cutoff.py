"""A dossier accepted after office hours counts from the next working day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest
from sqlalchemy import Engine

from config.settings import Settings, get_settings
from flows.service.calendar import load_calendar
from models.db import read_session
from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue


@pytest.fixture
def office_hours_end(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """NGO_REVIEW_OFFICE_HOURS_END=17:00 for this test, read through get_settings()."""
    monkeypatch.setenv("NGO_REVIEW_OFFICE_HOURS_END", "17:00")
    get_settings.cache_clear()
    yield "17:00"
    get_settings.cache_clear()


def _accept_at(client: Client, clock: Clock, *moment: int) -> str:
    handler = client("handler")
    clock.set(*moment)
    dossier = ok(
        handler.post("/dossiers", json=operation_issue(home_registration_valid_until="2031-12-31")),
        201,
    )
    due: str = act(handler, dossier["id"], "accept")["due_date"]
    return due


def test_an_accept_after_the_cut_off_counts_from_the_next_working_day(
    office_hours_end: str, client: Client, clock: Clock
) -> None:
    """30 WD from Mon 30/11/2026.

    At 16:00 (before 17:00) it counts from Monday: Dec 1-4 (4), 7-11 (9), 14-18 (14), 21-25 (19),
    28-31 (23), [Fri 1/1 New Year], Jan 4-8 (28), Mon 11 (29), Tue 12/1/2027 (30).
    At 17:30 it counts as received Tue 1/12: Dec 2-4 (3), 7-11 (8), 14-18 (13), 21-25 (18),
    28-31 (22), Jan 4-8 (27), 11 (28), 12 (29), Wed 13/1/2027 (30).
    """
    assert _accept_at(client, clock, 2026, 11, 30, 16, 0) == "2027-01-12"
    assert _accept_at(client, clock, 2026, 11, 30, 17, 30) == "2027-01-13"
    # On Saturday 28/11 it counts as received Mon 30/11, as at 16:00 that Monday.
    assert _accept_at(client, clock, 2026, 11, 28, 10, 0) == "2027-01-12"
    assert ok(client("manager").get("/calendar/2026"))["office_hours_end"] == "17:00:00"


def test_without_a_cut_off_the_evening_counts_as_the_same_day(client: Client, clock: Clock) -> None:
    assert _accept_at(client, clock, 2026, 11, 30, 17, 30) == "2027-01-12"


def test_the_calendar_takes_the_setting_given(engine: Engine) -> None:
    with read_session(engine) as session:
        assert load_calendar(session, Settings(office_hours_end="17:00")).office_hours_end == (
            time(17, 0)
        )
        assert load_calendar(session, Settings(office_hours_end="")).office_hours_end is None
