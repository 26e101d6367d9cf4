"""The audit trail is a hash chain: written by every command, served with its integrity,
never forked by concurrent writers, back-filled by migration 0009."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from datetime import UTC
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import col, select
from typer.testing import CliRunner

from flows.engine.commands import Assign
from flows.engine.state import Actor
from flows.service.admin import create_token
from flows.service.check import check_database
from flows.service.documents import add_document
from flows.service.handle import handle
from models.admin_audit import AdminEvent
from models.audit import AuditEvent
from models.db import make_engine, read_session
from models.dossier import Dossier
from models.migrate import alembic_config, upgrade
from ngo_review.cli import app
from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue

GENESIS = "0" * 64
HANDLERS = ("Nguyễn Văn An", "Trần Thị Bình")


def _check(database_url: str) -> tuple[int, dict[str, Any]]:
    """`ngo-review check --database-url URL`: its exit code and JSON report."""
    result = CliRunner().invoke(app, ["check", "--database-url", database_url])
    return result.exit_code, json.loads(result.stdout)


def _sha256(content: dict[str, Any], prev: str) -> str:
    """The hash as API.md defines it, computed here independently of the app's code."""
    content = {**content, "at": content["at"].astimezone(UTC).isoformat(timespec="microseconds")}
    payload = json.dumps(
        {**content, "prev_hash": prev}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _trail(engine: Engine, dossier_id: str) -> list[AuditEvent]:
    with read_session(engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.dossier_id == dossier_id)
                .order_by(col(AuditEvent.id))
            ).all()
        )


def _assert_linear(events: list[Any], fields: tuple[str, ...]) -> None:
    """Each event names the one before it and its hash covers its stored content."""
    prev = GENESIS
    for event in events:
        assert event.prev_hash == prev, f"event {event.id} does not follow its predecessor"
        content = {name: getattr(event, name) for name in fields}
        assert event.hash == _sha256(content, prev), f"event {event.id} does not match its hash"
        prev = event.hash


DOSSIER_FIELDS = (
    "dossier_id",
    "at",
    "actor",
    "actor_role",
    "action",
    "from_status",
    "to_status",
    "details",
)
ADMIN_FIELDS = ("at", "actor", "actor_role", "entity", "entity_key", "action", "before", "after")


def _reviewed(client: Client) -> dict[str, Any]:
    """A dossier accepted, assigned, consulted and with a document: five events, version 4."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")
    act(h, d["id"], "assign", {"assignee": HANDLERS[1]})
    act(h, d["id"], "consult", {"agencies": ["BCA", "BTC"]})
    files = {"file": ("charter.pdf", b"%PDF-1.4 charter", "application/pdf")}
    ok(h.post(f"/dossiers/{d['id']}/documents", files=files), 201)
    view: dict[str, Any] = ok(h.get(f"/dossiers/{d['id']}"))
    return view


def test_a_dossier_driven_through_the_api_has_a_valid_chain(client: Client, engine: Engine) -> None:
    """Every event of a full review, answers and signature included, links to the one before
    it; the history says the chain is intact."""
    h = client("handler")
    d = _reviewed(client)
    for x in d["consultations"]:
        ok(
            client(x["agency"]).post(
                f"/consultations/{x['id']}/response", json={"opinion": "agree"}
            )
        )
    trail = _trail(engine, d["id"])
    assert [e.action for e in trail] == [
        "receive",
        "accept",
        "assign",
        "consult",
        "upload-document",
        "respond",
        "respond",
    ]
    _assert_linear(trail, DOSSIER_FIELDS)
    assert len({e.hash for e in trail}) == len(trail)
    history = ok(h.get(f"/dossiers/{d['id']}/history"))
    assert len(history) == len(trail)
    assert all(item["chain_intact"] is True for item in history)
    schema = ok(h.get("/openapi.json"))["components"]["schemas"]["HistoryItem"]
    assert schema["properties"]["chain_intact"]["type"] == "boolean"


TAMPERING: dict[str, tuple[Callable[[list[int]], str], int | None, set[str]]] = {
    # name: (SQL given the trail's ids, first event no longer intact (None: all), checks broken)
    "details edited": (
        lambda ids: f"UPDATE auditevent SET details = '{{\"events\": []}}' WHERE id = {ids[2]}",
        2,
        {"audit_chain"},
    ),
    "status edited": (
        lambda ids: f"UPDATE auditevent SET to_status = 'approved' WHERE id = {ids[1]}",
        1,
        {"audit_chain", "status"},
    ),
    "event removed": (
        lambda ids: f"DELETE FROM auditevent WHERE id = {ids[2]}",
        None,
        {"audit_chain", "version"},
    ),
    # The upload was the last event and changed no version: its document row shows it.
    "last event removed": (
        lambda ids: f"DELETE FROM auditevent WHERE id = {ids[4]}",
        None,
        {"documents"},
    ),
}
# The event each tampering breaks the chain at (a removed one: the event after it).
CHAIN_BROKEN_AT = {"details edited": 2, "status edited": 1, "event removed": 3}


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_an_audit_trail_edited_with_sql_is_never_served_as_intact(
    client: Client, engine: Engine, database_url: str, tampering: str
) -> None:
    """After an UPDATE or DELETE on the trail, /history still answers but marks every event
    from the break on, and `ngo-review check` names the dossier and the broken event."""
    h = client("handler")
    d = _reviewed(client)
    other = ok(h.post("/dossiers", json=operation_issue(subject="Untouched")), 201)
    ids = [e.id or 0 for e in _trail(engine, d["id"])]
    assert len(ids) == 5 and d["version"] == 4
    sql, first_broken, checks = TAMPERING[tampering]
    with engine.begin() as conn:
        conn.execute(text(sql(ids)))

    history = ok(h.get(f"/dossiers/{d['id']}/history"))
    flags = [item["chain_intact"] for item in history]
    if first_broken is None:
        assert flags == [False] * len(history)
    else:
        assert flags == [True] * first_broken + [False] * (len(history) - first_broken)
    assert all(i["chain_intact"] for i in ok(h.get(f"/dossiers/{other['id']}/history")))

    code, report = _check(database_url)
    assert code == 1 and report["ok"] is False
    assert {b["dossier"] for b in report["breaks"]} == {d["id"]}
    assert {b["check"] for b in report["breaks"]} == checks
    chain = [b for b in report["breaks"] if b["check"] == "audit_chain"]
    if tampering in CHAIN_BROKEN_AT:
        assert len(chain) == 1 and d["code"] in chain[0]["detail"]
        assert chain[0]["event"] == ids[CHAIN_BROKEN_AT[tampering]]


# Values no column should hold; SQLite stores them, PostgreSQL refuses the JSON and instant ones.
UNREADABLE = {
    "details not JSON": "UPDATE auditevent SET details = 'garbage{' WHERE id = :id",
    "details not an object": "UPDATE auditevent SET details = '[1, 2]' WHERE id = :id",
    "instant not an instant": "UPDATE auditevent SET at = 'yesterday' WHERE id = :id",
}


def test_a_trail_edited_into_unreadable_values_is_served_and_reported(
    client: Client, engine: Engine, database_url: str
) -> None:
    """An event whose stored values no longer parse: /history still answers (no 500), marks it
    and what follows as not intact, and the check names the dossier (exit 1)."""
    h = client("handler")
    edited: dict[str, dict[str, Any]] = {}
    for name, sql in UNREADABLE.items():
        d = ok(h.post("/dossiers", json=operation_issue(subject=name)), 201)
        act(h, d["id"], "accept")
        act(h, d["id"], "assign", {"assignee": HANDLERS[1]})
        try:
            with engine.begin() as conn:
                conn.execute(text(sql), {"id": _trail(engine, d["id"])[1].id})
        except DBAPIError:  # the server checks the type: such a value cannot be stored there
            assert engine.dialect.name == "postgresql" and name != "details not an object"
            continue
        edited[d["id"]] = d
    assert edited
    for dossier_id in edited:
        history = ok(h.get(f"/dossiers/{dossier_id}/history"))
        assert [item["chain_intact"] for item in history] == [True, False, False]
    code, report = _check(database_url)
    assert code == 1
    assert {(b["check"], b["dossier"]) for b in report["breaks"]} == {
        ("audit_chain", dossier_id) for dossier_id in edited
    }


def test_the_database_refuses_a_second_successor(client: Client, engine: Engine) -> None:
    """Two events naming the same predecessor cannot both be stored (a forked chain)."""
    d = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    [first] = _trail(engine, d["id"])
    columns = "dossier_id, at, actor, actor_role, action, from_status, to_status, details"
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"INSERT INTO auditevent ({columns}, prev_hash, hash) "
                    f"SELECT {columns}, prev_hash, :other FROM auditevent WHERE id = :id"
                ),
                {"id": first.id, "other": "f" * 64},
            )
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO adminevent (at, actor, actor_role, entity, entity_key, action, "
                    "prev_hash, hash) SELECT at, actor, actor_role, entity, entity_key, action, "
                    "prev_hash, :other FROM adminevent ORDER BY id DESC LIMIT 1"
                ),
                {"other": "f" * 64},
            )


def _run_together(jobs: list[Callable[[], object]]) -> list[BaseException]:
    """Run the jobs in threads released at the same instant; the errors they raised."""
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        start.wait()
        try:
            job()
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_concurrent_commands_on_one_dossier_keep_one_chain(
    client: Client, engine: Engine, clock: Clock
) -> None:
    """Eight writers (assignments and uploads) at once on one dossier: every one is recorded,
    in one linear chain, and the version counts the assignments."""
    d = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    handler = Actor(name=HANDLERS[0], role="handler")

    def assign(n: int) -> Callable[[], object]:
        command = Assign(actor=handler, assignee=HANDLERS[n % 2])
        return lambda: [handle(engine, d["id"], command, now=clock.now) for _ in range(4)]

    def upload(n: int) -> Callable[[], object]:
        return lambda: add_document(
            engine,
            d["id"],
            handler,
            name=f"annex-{n}.pdf",
            content_type="application/pdf",
            content=b"%PDF-1.4 annex",
            now=clock.now,
        )

    errors = _run_together([assign(n) for n in range(6)] + [upload(n) for n in range(2)])
    assert errors == []
    trail = _trail(engine, d["id"])
    assert len(trail) == 1 + 6 * 4 + 2
    _assert_linear(trail, DOSSIER_FIELDS)
    with read_session(engine) as session:
        row = session.get(Dossier, d["id"])
        assert row is not None and row.version == 1 + 6 * 4
    assert check_database(engine).ok


def test_concurrent_administration_keeps_one_chain(engine: Engine) -> None:
    """Eight administrators creating users and tokens at once: one linear chain."""
    with read_session(engine) as session:
        before = len(session.exec(select(AdminEvent.id)).all())
    jobs: list[Callable[[], object]] = [
        (lambda n=n: create_token(engine, role="handler", name=f"Cán bộ {n}")) for n in range(8)
    ]
    assert _run_together(jobs) == []
    with read_session(engine) as session:
        events = list(session.exec(select(AdminEvent).order_by(col(AdminEvent.id))).all())
    assert len(events) == before + 8 * 2  # each: the user and its token
    _assert_linear(events, ADMIN_FIELDS)
    assert check_database(engine).ok


def _hashes(url: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            audit = conn.execute(text("SELECT id, prev_hash, hash FROM auditevent ORDER BY id"))
            admin = conn.execute(text("SELECT id, prev_hash, hash FROM adminevent ORDER BY id"))
            return [tuple(r) for r in audit], [tuple(r) for r in admin]
    finally:
        engine.dispose()


def test_migration_0009_chains_the_events_of_a_database_at_0008(
    client: Client, engine: Engine, database_url: str
) -> None:
    """A database at 0008 with dossiers and administration events: after `db upgrade` every
    event has exactly the hash the writer gives it, in id order, and the check passes."""
    h = client("handler")
    for subject in ("One", "Two"):
        d = ok(h.post("/dossiers", json=operation_issue(subject=subject)), 201)
        act(h, d["id"], "accept")
    _reviewed(client)
    written = _hashes(database_url)
    assert len(written[0]) == 2 * 2 + 5 and len(written[1]) > 5

    command.downgrade(alembic_config(database_url), "0008")
    plain = make_engine(database_url)
    try:
        for table in ("auditevent", "adminevent"):
            names = {c["name"] for c in inspect(plain).get_columns(table)}
            assert "hash" not in names and "prev_hash" not in names
    finally:
        plain.dispose()
    code = CliRunner().invoke(app, ["check", "--database-url", database_url]).exit_code
    assert code == 2  # not the schema the check reads: not a pass, not a break

    upgrade(database_url)
    assert _hashes(database_url) == written
    assert check_database(engine).ok
