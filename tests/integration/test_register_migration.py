"""Migration 0011 on a database that already has certificates: each certificate's name and
country become one NGO, linked from the certificate and from the dossiers that concern it; the
backfill then gives them what they still owe."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from typer.testing import CliRunner

from config.settings import get_settings
from flows.register.backfill import backfill_obligations
from models.migrate import alembic_config, upgrade
from ngo_review.cli import app
from tests.conftest import VN, Clock
from tests.integration.conftest import Client
from tests.integration.helpers import issue_certificate, ok


def test_existing_certificates_get_their_ngo(
    client: Client, clock: Clock, engine: Engine, database_url: str
) -> None:
    first = issue_certificate(client, clock)
    # A second certificate of the same NGO, spelled otherwise, and one of another NGO.
    second = issue_certificate(
        client,
        clock,
        applicant={"name": "SAVE THE RIVERS  FOUNDATION", "country": "norway", "email": "x@r.org"},
    )
    other = issue_certificate(
        client, clock, applicant={"name": "Green Schools", "country": "Ireland", "email": "g@s.org"}
    )
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0010")
    names = {c["name"] for c in inspect(engine).get_columns("dossier")}
    assert "ngo_id" not in names and "ngo" not in inspect(engine).get_table_names()
    upgrade(database_url)
    with engine.connect() as conn:
        ngos = conn.execute(text("SELECT id, name, country FROM ngo ORDER BY name")).all()
        assert [(n, c) for _, n, c in ngos] == [
            ("Green Schools", "Ireland"),
            ("Save the Rivers Foundation", "Norway"),
        ]
        by_name = {n: i for i, n, _ in ngos}
        linked = dict(conn.execute(text("SELECT issued_by_dossier, ngo_id FROM certificate")).all())
        dossiers = dict(conn.execute(text("SELECT id, ngo_id FROM dossier")).all())
    rivers, schools = by_name["Save the Rivers Foundation"], by_name["Green Schools"]
    assert linked == {first["id"]: rivers, second["id"]: rivers, other["id"]: schools}
    assert dossiers == linked
    listed = ok(client("manager").get(f"/ngos/{rivers}"))
    assert len(listed["certificates"]) == 2 and len(listed["dossiers"]) == 2


def test_backfill_gives_old_certificates_what_they_still_owe(
    client: Client,
    clock: Clock,
    engine: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After 0011 on older certificates: from 20 Dec 2026 on, the 2027 and 2028 reports (once per
    NGO) and each renewal; nothing already past, nothing twice."""
    issue_certificate(client, clock)
    issue_certificate(
        client,
        clock,
        applicant={"name": "Save the Rivers Foundation", "country": "Norway", "email": "x@r.org"},
    )
    issue_certificate(
        client, clock, applicant={"name": "Green Schools", "country": "Ireland", "email": "g@s.org"}
    )
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0010")
    upgrade(database_url)
    first = backfill_obligations(engine, datetime(2026, 12, 20, 9, tzinfo=VN))
    assert first == {"certificates": 3, "obligations": 7}
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT ngo.name, kind, period_year, due_date FROM obligation "
                "JOIN ngo ON ngo.id = obligation.ngo_id ORDER BY ngo.name, kind, period_year"
            )
        ).all()
    assert [(n, k, y) for n, k, y, _ in rows] == [
        ("Green Schools", "annual_report", 2027),
        ("Green Schools", "annual_report", 2028),
        ("Green Schools", "renewal", None),
        ("Save the Rivers Foundation", "annual_report", 2027),
        ("Save the Rivers Foundation", "annual_report", 2028),
        ("Save the Rivers Foundation", "renewal", None),
        ("Save the Rivers Foundation", "renewal", None),
    ]
    monkeypatch.setenv("NGO_REVIEW_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        again = CliRunner().invoke(app, ["backfill-obligations"])
    finally:
        get_settings.cache_clear()
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == {"certificates": 0, "obligations": 0}
