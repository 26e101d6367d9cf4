"""The managers' daily digest lists overdue and at-risk dossiers and late agencies, once a day."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import select

from flows.service.admin import create_token
from flows.service.digest import queue_daily_digest
from flows.service.sweep import sweep
from models.db import read_session
from models.outbox import Outbox
from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import issue_certificate
from tests.integration.test_deadline_sweep import _at, _consulted


def test_digest_lists_what_managers_must_chase(engine: Engine) -> None:
    """Overdue agency and dossier appear; a second run the same day queues nothing."""
    _consulted(engine)  # due 6 Jan 2027; BCA due 8 Dec 2026
    sweep(engine, _at(2026, 12, 9, 0, 0))  # BCA overdue
    assert queue_daily_digest(engine, _at(2026, 12, 9, 7)) == 1
    assert queue_daily_digest(engine, _at(2026, 12, 9, 8)) == 0
    with read_session(engine) as s:
        [row] = s.exec(select(Outbox).where(Outbox.template == "daily_digest")).all()
    assert row.recipient == "dung@managers.example.org"
    assert row.context["late_agencies"] == [
        {"agency": "BCA", "agency_name": "Bộ Công an", "overdue_requests": 1}
    ]
    assert row.context["overdue_dossiers"] == [] and row.context["at_risk_dossiers"] == []

    assert queue_daily_digest(engine, _at(2027, 1, 4, 7)) == 1  # 3 WD before 6 Jan: at risk
    assert queue_daily_digest(engine, _at(2027, 1, 8, 7)) == 1  # past 6 Jan: overdue
    with read_session(engine) as s:
        rows = {
            r.context["day"]: r.context
            for r in s.exec(select(Outbox).where(Outbox.template == "daily_digest")).all()
        }
    assert [d["working_days_left"] for d in rows["2027-01-04"]["at_risk_dossiers"]] == [2]
    assert [d["working_days_late"] for d in rows["2027-01-08"]["overdue_dossiers"]] == [2]


def test_digest_lists_the_ngos_overdue_obligations(
    client: Client, clock: Clock, engine: Engine
) -> None:
    """Signed Fri 4 Dec 2026: the bank notice and the 2026 report are overdue from 19 Dec."""
    issue_certificate(client, clock)
    create_token(engine, role="manager", name="Phạm Thu Dung", email="dung@managers.example.org")
    sweep(engine, _at(2026, 12, 21, 6))
    assert queue_daily_digest(engine, _at(2026, 12, 21, 7)) == 1
    with read_session(engine) as session:
        digest = session.exec(select(Outbox).where(Outbox.template == "daily_digest")).one()
    listed = [(o["kind"], o["due_date"]) for o in digest.context["overdue_obligations"]]
    assert sorted(listed) == [
        ("annual_report", "2026-12-18"),
        ("bank_account_notice", "2026-12-18"),
    ]
    assert {o["ngo_name"] for o in digest.context["overdue_obligations"]} == {
        "Save the Rivers Foundation"
    }
