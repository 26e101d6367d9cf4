"""`ngo-review check`: a clean database passes; each kind of break is found and named."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from config.settings import Settings
from flows.service.check import read_only_engine
from flows.service.sweep import sweep
from ngo_review.cli import app
from notifications.delivery import deliver_once
from tests.conftest import Clock
from tests.integration.conftest import Client, SmtpServer
from tests.integration.helpers import act, answer_all, issue_certificate, ok, operation_issue

IMPORTED = "\n".join(
    [
        "code,procedure,applicant_name,applicant_country,subject,received_at,accepted_at,"
        "outcome,decided_at,stopped_working_days,extended",
        "UBCT-PCPNN-20260302-0001,ngo.operation.issue,Rivers,Norway,Water,2026-03-02,"
        "2026-03-03,approved,2026-04-10,,",
        "UBCT-PCPNN-20261102-0001,ngo.operation.issue,Forests,Sweden,Trees,2026-11-02,"
        "2026-11-03,,,,",
    ]
)
IMPORTED_REQUESTS = "\n".join(
    [
        "dossier_code,agency,requested_at,due_date,answered_at,opinion",
        "UBCT-PCPNN-20260302-0001,BCA,2026-03-04,,2026-03-13,agree",
        "UBCT-PCPNN-20261102-0001,BTC,2026-11-04,,,",
    ]
)


def _check(database_url: str) -> tuple[int, dict[str, Any]]:
    """`ngo-review check --database-url URL` in process: its exit code and JSON report."""
    result = CliRunner().invoke(app, ["check", "--database-url", database_url])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def _sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def _broken(report: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(b["check"], b.get("dossier")) for b in report["breaks"]}


async def test_a_clean_database_passes_after_a_full_lifecycle(
    client: Client,
    engine: Engine,
    database_url: str,
    clock: Clock,
    settings: Settings,
    smtp: SmtpServer,
) -> None:
    """Decisions signed, a withdrawal, requests reminded and overdue by the sweep, mail sent,
    documents, an import and administration: every invariant holds (exit 0)."""
    h, leader = client("handler"), client("leader")
    signed = ok(h.post("/dossiers", json=operation_issue(subject="Signed")), 201)
    act(h, signed["id"], "request-supplement", {"missing": ["Charter"]})
    act(h, signed["id"], "receive-supplement")
    act(h, signed["id"], "accept")
    files = {"file": ("charter.pdf", b"%PDF-1.4 charter", "application/pdf")}
    ok(h.post(f"/dossiers/{signed['id']}/documents", files=files), 201)
    answer_all(client, act(h, signed["id"], "consult"))
    act(h, signed["id"], "propose", {"outcome": "approve", "validity_years": 3})
    act(leader, signed["id"], "sign")
    waiting = ok(h.post("/dossiers", json=operation_issue(subject="Waiting")), 201)
    act(h, waiting["id"], "accept")
    act(h, waiting["id"], "consult", {"agencies": ["BCA", "BTC"]})
    gone = ok(h.post("/dossiers", json=operation_issue(subject="Gone")), 201)
    act(h, gone["id"], "withdraw", {"reason": "the applicant withdrew"})
    imported = {
        "dossiers": ("dossiers.csv", IMPORTED.encode(), "text/csv"),
        "consultations": ("consultations.csv", IMPORTED_REQUESTS.encode(), "text/csv"),
    }
    ok(client("admin").post("/imports/dossiers", files=imported))
    fired = sweep(engine, clock.now + timedelta(days=30))  # reminders, overdue, at risk
    assert fired.fired > 0
    delivered = (await deliver_once(engine, settings, clock=clock)).as_dict()
    assert delivered["sent"] > 5

    code, report = _check(database_url)
    assert report["breaks"] == [] and report["ok"] is True and code == 0
    checked = report["checked"]
    assert checked["dossiers"] == 5 and checked["audit_events"] > 20
    assert checked["admin_events"] > 10 and checked["consultations"] > 5
    assert checked["timers"] > 3 and checked["sent_messages"] == delivered["sent"]


def test_check_is_a_real_command(client: Client, engine: Engine, database_url: str) -> None:
    """As a subprocess, once the history is edited with SQL: exit 1 and a JSON report naming
    the dossier and the broken event."""
    d = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    act(client("handler"), d["id"], "accept")
    assert _check(database_url)[0] == 0
    _sql(engine, "UPDATE auditevent SET actor = 'someone else' WHERE dossier_id = :d", d=d["id"])
    forged = subprocess.run(
        [sys.executable, "-m", "ngo_review.cli", "check", "--database-url", database_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert forged.returncode == 1, forged.stderr
    report = json.loads(forged.stdout)
    assert report["ok"] is False and report["breaks_total"] == 1
    [found] = report["breaks"]
    assert found["check"] == "audit_chain" and found["dossier"] == d["id"]
    assert d["code"] in found["detail"] and "was changed after it was written" in found["detail"]


def test_a_database_that_cannot_be_read_exits_2(tmp_path: Path) -> None:
    """No file, an empty or foreign file, a bad URL, no server: exit 2, a reason, no report
    (and SQLite creates no file)."""
    empty, foreign = tmp_path / "empty.db", tmp_path / "foreign.db"
    empty.write_bytes(b"")
    foreign.write_bytes(b"not a database at all " * 100)
    cases = {
        f"sqlite:///{tmp_path}/none.db": "no database at",
        f"sqlite:///{empty}": "schema revision none",
        f"sqlite:///{foreign}": "cannot read",
        "nosuchdb://x/y": "not a database URL",
        "postgresql+psycopg://nobody:secret@127.0.0.1:9/none": "cannot read",
    }
    for url, reason in cases.items():
        result = CliRunner().invoke(app, ["check", "--database-url", url])
        assert result.exit_code == 2, (url, result.output)
        assert result.stdout == "" and reason in result.stderr, (url, result.stderr)
        assert "secret" not in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_the_check_cannot_write(engine: Engine, database_url: str) -> None:
    """Its connections refuse any change, on SQLite and PostgreSQL."""
    checker = read_only_engine(database_url)
    try:
        with pytest.raises(DBAPIError):
            with checker.begin() as conn:
                conn.execute(text("UPDATE dossier SET version = version + 1"))
        with checker.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        checker.dispose()


def test_a_version_that_does_not_count_the_events_is_found(
    client: Client, engine: Engine, database_url: str
) -> None:
    """A dossier's version raised (or lowered) in the database: exit 1, check `version`."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    other = ok(h.post("/dossiers", json=operation_issue(subject="Other")), 201)
    act(h, d["id"], "accept")
    _sql(engine, "UPDATE dossier SET version = version + 1 WHERE id = :d", d=d["id"])
    _sql(engine, "UPDATE dossier SET version = 0 WHERE id = :d", d=other["id"])
    code, report = _check(database_url)
    assert code == 1
    assert _broken(report) == {("version", d["id"]), ("version", other["id"])}
    assert "is at version 3 but its trail records 2 change(s)" in report["breaks"][0]["detail"] or (
        "is at version 3 but its trail records 2 change(s)" in report["breaks"][1]["detail"]
    )


async def test_a_message_sent_twice_is_found(
    client: Client,
    engine: Engine,
    database_url: str,
    clock: Clock,
    settings: Settings,
    smtp: SmtpServer,
) -> None:
    """A second sent row with a sent message's Message-ID and content: check `outbox`."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")  # the receipt to the applicant
    assert (await deliver_once(engine, settings, clock=clock)).as_dict()["sent"] == 1
    assert _check(database_url)[0] == 0
    columns = (
        "dossier_id, recipient, template, language, context, status, attempts, created_at, "
        "next_attempt_at, sent_at, message_id"
    )
    _sql(
        engine,
        f"INSERT INTO outbox (id, {columns}) SELECT :copy, {columns} FROM outbox "
        "WHERE status = 'sent'",
        copy="00000000-0000-4000-8000-000000000001",
    )
    code, report = _check(database_url)
    assert code == 1 and report["checked"]["sent_messages"] == 2
    details = sorted(b["detail"] for b in report["breaks"])
    assert {b["check"] for b in report["breaks"]} == {"outbox"} and len(details) == 2
    assert "was sent 2 times" in details[0] and "receipt to" in details[1]
    assert [b.get("dossier") for b in report["breaks"] if "receipt" in b["detail"]] == [d["id"]]


def test_statuses_consultations_and_timers_that_break_the_engine_are_found(
    client: Client, engine: Engine, database_url: str
) -> None:
    """A status set by hand, a request left open on a withdrawn dossier, a deadline armed
    after the end, a deadline removed from a running dossier: each named, with its dossier."""
    h = client("handler")
    consulted = ok(h.post("/dossiers", json=operation_issue(subject="Consulted")), 201)
    act(h, consulted["id"], "accept")
    view = act(h, consulted["id"], "consult", {"agencies": ["BCA"]})
    [request] = view["consultations"]
    ended = ok(h.post("/dossiers", json=operation_issue(subject="Ended")), 201)
    act(h, ended["id"], "accept")
    act(h, ended["id"], "consult", {"agencies": ["BTC"]})
    act(h, ended["id"], "withdraw", {"reason": "the applicant withdrew"})
    relabelled = ok(h.post("/dossiers", json=operation_issue(subject="Relabelled")), 201)
    assert _check(database_url)[0] == 0

    _sql(
        engine,
        "DELETE FROM timer WHERE consultation_id = :x AND kind = 'consultation_due'",
        x=request["id"],
    )
    _sql(
        engine, "UPDATE consultation SET status = 'requested' WHERE dossier_id = :d", d=ended["id"]
    )
    _sql(engine, "UPDATE timer SET cancelled_at = NULL WHERE dossier_id = :d", d=ended["id"])
    _sql(engine, "UPDATE dossier SET status = 'in_review' WHERE id = :d", d=relabelled["id"])
    code, report = _check(database_url)
    assert code == 1
    assert _broken(report) == {
        ("timers", consulted["id"]),
        ("consultations", ended["id"]),
        ("timers", ended["id"]),
        ("status", relabelled["id"]),
    }
    text_of = {(b["check"], b["dossier"]): b["detail"] for b in report["breaks"]}
    assert "no consultation_due timer of request" in text_of[("timers", consulted["id"])]
    assert "is withdrawn yet its request" in text_of[("consultations", ended["id"])]
    assert "armed timer(s)" in text_of[("timers", ended["id"])]
    assert "left it received" in text_of[("status", relabelled["id"])]


def test_an_edited_administration_event_is_found(
    client: Client, engine: Engine, database_url: str
) -> None:
    """The administration trail is one chain of its own: an edited event breaks it."""
    assert _check(database_url)[0] == 0  # the tokens of the test users are on it
    _sql(
        engine,
        "UPDATE adminevent SET actor = 'someone else' "
        "WHERE id = (SELECT MIN(id) FROM adminevent WHERE entity = 'token')",
    )
    code, report = _check(database_url)
    assert code == 1
    [found] = report["breaks"]
    assert found["check"] == "admin_chain" and "token create" in found["detail"]
    assert "dossier" not in found and isinstance(found["event"], int)


def test_register_links_and_obligations_that_contradict_themselves_are_found(
    client: Client, engine: Engine, database_url: str, clock: Clock
) -> None:
    """A certificate's NGO deleted from under it, an obligation met without a receipt."""
    issue_certificate(client, clock)
    assert _check(database_url)[0] == 0
    _sql(engine, "UPDATE obligation SET status = 'met' WHERE kind = 'renewal'")
    _sql(engine, "UPDATE certificate SET ngo_id = 'gone'")
    code, report = _check(database_url)
    assert code == 1 and report["checked"]["obligations"] == 6
    details = sorted(b["detail"] for b in report["breaks"] if b["check"] == "register")
    assert len(details) == 2
    assert "has no NGO" in details[0] and "met without a consistent receipt" in details[1]
