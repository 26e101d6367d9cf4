"""Cached reference data follows every change, whoever makes it (the stamp's triggers)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, text
from sqlmodel import col, select

from flows.engine import commands as c
from flows.engine.state import Actor
from flows.errors import InvalidInput
from flows.service.calendar import load_calendar
from flows.service.handle import handle
from flows.service.intake import create_dossier
from flows.service.reference import stamp_of
from models.db import read_session, write_session
from models.outbox import Outbox
from models.schemas import DossierCreate
from models.user import User
from tests.conftest import VN
from tests.integration.helpers import operation_issue

HANDLER = Actor("Nguyễn Văn An", "handler")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=VN)


def _stamp(engine: Engine) -> tuple[str, int]:
    with read_session(engine) as session:
        found = stamp_of(session)
    assert found is not None
    return found[1], found[2]


def _raw(engine: Engine, sql: str, **params: object) -> None:
    """A write that bypasses the app entirely, as another process or a DBA would make it."""
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def _accepted(engine: Engine) -> str:
    view, _ = create_dossier(
        engine, DossierCreate.model_validate(operation_issue()), HANDLER, now=MONDAY
    )
    handle(engine, view.id, c.Accept(actor=HANDLER), now=MONDAY)
    return view.id


def test_an_agency_changed_behind_the_apps_back_is_used_by_the_next_command(
    engine: Engine,
) -> None:
    """A new e-mail address reaches the request; a deactivated agency cannot be consulted."""
    first = _accepted(engine)  # the cache now holds the agencies
    _raw(engine, "UPDATE agency SET email = :e WHERE code = 'BCA'", e="new-bca@example.gov.vn")
    handle(engine, first, c.Consult(actor=HANDLER, agencies=("BCA",)), now=MONDAY)
    with read_session(engine) as session:
        to = session.exec(
            select(Outbox.recipient).where(
                Outbox.dossier_id == first, Outbox.template == "consultation_request"
            )
        ).all()
    assert to == ["new-bca@example.gov.vn"]

    second = _accepted(engine)
    _raw(engine, "UPDATE agency SET active = :no WHERE code = 'BTC'", no=False)
    with pytest.raises(InvalidInput, match="BTC"):
        handle(engine, second, c.Consult(actor=HANDLER, agencies=("BTC",)), now=MONDAY)


def test_a_calendar_override_written_directly_changes_the_calendar_at_once(
    engine: Engine,
) -> None:
    """Wednesday 25 November 2026 becomes a local holiday without the app being told."""
    wednesday = date(2026, 11, 25)
    with read_session(engine) as session:
        assert load_calendar(session).is_working_day(wednesday)
    _raw(
        engine,
        "INSERT INTO calendaroverride (day, kind, note, source) VALUES (:d, 'holiday', 'x', '')",
        d=wednesday,
    )
    with read_session(engine) as session:
        assert not load_calendar(session).is_working_day(wednesday)
    _raw(engine, "DELETE FROM calendaroverride")
    with read_session(engine) as session:
        assert load_calendar(session).is_working_day(wednesday)


def test_the_stamp_rises_on_reference_changes_and_not_on_sign_in_counters(
    engine: Engine,
) -> None:
    """Sign-ins update users all day: only what a cache holds may invalidate it."""
    with write_session(engine) as session:
        session.add(User(username="u1", display_name="Trần Thị Bình", role="handler"))
    epoch, n = _stamp(engine)
    with write_session(engine) as session:
        user = session.exec(select(User).where(col(User.username) == "u1")).one()
        user.failed_logins += 1
    assert _stamp(engine) == (epoch, n)
    with write_session(engine) as session:
        user = session.exec(select(User).where(col(User.username) == "u1")).one()
        user.email = "binh@example.gov.vn"
    assert _stamp(engine) == (epoch, n + 1)
    # Within one transaction too: the change is flushed and the stamp read again.
    with write_session(engine) as session:
        before = stamp_of(session)
        session.add(User(username="u2", display_name="Phạm Văn Dũng", role="leader"))
        after = stamp_of(session)
        assert before is not None and after is not None and after[2] == before[2] + 1
