"""Migration 0011 on a database that already has certificates: each certificate's name and
country become one NGO, linked from the certificate and from the dossiers that concern it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect, text

from models.migrate import alembic_config, upgrade
from tests.conftest import Clock
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
