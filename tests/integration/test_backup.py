"""`ngo-review db backup` / `db restore`: an online copy that restores to the same database."""

from __future__ import annotations

import json
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from models.db import make_engine
from models.migrate import upgrade
from ngo_review.cli import app
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue


def _cli(*args: str) -> tuple[int, Any, str]:
    """Run the command in process: exit code, its JSON output (or None), standard error."""
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    out = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, out, result.stderr


def _snapshot(url: str) -> dict[str, list[str]]:
    """Every row of every table, order-independent: two equal snapshots hold the same data."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: sorted(
                    repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))
                )
                for table in inspect(conn).get_table_names()
            }
    finally:
        engine.dispose()


@pytest.fixture
def other_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, not yet existing (SQLite) or empty (PostgreSQL) database of the same backend."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"r_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _two_dossiers(client: Client) -> list[str]:
    h = client("handler")
    first = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, first["id"], "request-supplement", {"missing": ["Certified charter"]})
    second = ok(h.post("/dossiers", json=operation_issue(subject="Schools in Huế")), 201)
    act(h, second["id"], "accept")
    return [first["id"], second["id"]]


def test_round_trip_restores_exactly_what_was_backed_up(
    client: Client, engine: Engine, database_url: str, other_url: str, tmp_path: Path
) -> None:
    """Backup of a live database → restore elsewhere and in place: same rows, checks pass."""
    ids = _two_dossiers(client)
    at_backup = _snapshot(database_url)
    dump = tmp_path / "backups" / "ngo-review.backup"
    code, summary, err = _cli("db", "backup", str(dump), "--database-url", database_url)
    assert code == 0, err
    assert summary["backup"] == str(dump) and summary["bytes"] == dump.stat().st_size > 0
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # applicants' personal data
    assert summary["database"] == make_url(database_url).render_as_string(hide_password=True)

    h = client("handler")
    later = ok(h.post("/dossiers", json=operation_issue(subject="After the backup")), 201)

    # Into a new database: exactly the rows at backup time, and `ngo-review check` agrees.
    code, restored, err = _cli("db", "restore", str(dump), "--database-url", other_url)
    assert code == 0, err
    assert restored["dossiers"] == 2 and restored["revision"]
    assert _snapshot(other_url) == at_backup
    code, report, err = _cli("check", "--database-url", other_url)
    assert code == 0, (err, report)
    upgrade(other_url)  # the documented next step: a no-op on a current backup
    assert _snapshot(other_url) == at_backup

    # Over a database with data only when asked to, and then in full.
    code, _, err = _cli("db", "restore", str(dump), "--database-url", database_url)
    assert code == 2 and "--force" in err
    assert ok(h.get(f"/dossiers/{later['id']}"))["id"] == later["id"]
    code, _, err = _cli("db", "restore", str(dump), "--database-url", database_url, "--force")
    assert code == 0, err
    assert _snapshot(database_url) == at_backup

    # The running API serves the restored data and carries on from it.
    listed = ok(h.get("/dossiers"))
    assert sorted(d["id"] for d in listed["items"]) == sorted(ids)
    assert h.get(f"/dossiers/{later['id']}").status_code == 404
    again = ok(h.post("/dossiers", json=operation_issue(subject="After the restore")), 201)
    assert again["code"] == later["code"]  # the code sequence is the backed-up one
    assert _cli("check", "--database-url", database_url)[0] == 0


def test_sqlite_backup_is_online_and_self_contained(
    client: Client, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """While a writer holds an open transaction the backup runs, without its uncommitted rows."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's online backup")
    [first, _] = _two_dossiers(client)
    at_backup = _snapshot(database_url)
    live = Path(make_url(database_url).database or "")
    assert Path(f"{live}-wal").exists()  # the live database is in WAL mode

    writer = sqlite3.connect(live, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE dossier SET subject = 'uncommitted' WHERE id = ?", (first,))
        dump = tmp_path / "online.db"
        code, summary, err = _cli("db", "backup", str(dump), "--database-url", database_url)
        assert code == 0, err
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert summary["format"] == "sqlite" and summary["dossiers"] == 2
    assert not Path(f"{dump}-wal").exists()  # one file, safe to copy or ship as it is
    with sqlite3.connect(dump) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert _snapshot(f"sqlite:///{dump}") == at_backup
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_refusals_leave_everything_as_it_was(
    client: Client, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """An existing backup file is never overwritten; a file that is no backup is never restored."""
    _two_dossiers(client)
    before = _snapshot(database_url)
    existing = tmp_path / "taken.backup"
    existing.write_bytes(b"an older backup")
    code, _, err = _cli("db", "backup", str(existing), "--database-url", database_url)
    assert code == 2 and "never overwrites" in err
    assert existing.read_bytes() == b"an older backup"

    code, _, err = _cli("db", "restore", str(existing), "--database-url", database_url, "--force")
    assert code == 2 and "error:" in err
    code, _, err = _cli("db", "restore", str(tmp_path / "missing"), "--database-url", database_url)
    assert code == 2 and "no backup at" in err
    assert _snapshot(database_url) == before


def test_sqlite_restore_rejects_a_foreign_database(tmp_path: Path) -> None:
    """A SQLite file of another application is refused before the target is touched."""
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    target = tmp_path / "target.db"
    code, _, err = _cli("db", "restore", str(foreign), "--database-url", f"sqlite:///{target}")
    assert code == 2 and "not an ngo-review database" in err
    assert not target.exists()


def test_postgres_without_pg_dump_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No client tools on PATH: a clear error naming the tool, no traceback, no file."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    dump = tmp_path / "pg.backup"
    url = "postgresql+psycopg://ngo_review:secret@127.0.0.1:1/ngo_review"
    code, _, err = _cli("db", "backup", str(dump), "--database-url", url)
    assert code == 2 and "pg_dump not found on PATH" in err and "docs/operations.md" in err
    assert "secret" not in err
    assert not dump.exists()
