"""Online backup and restore of the dossier database: SQLite's backup API, pg_dump/pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

# pg_dump of a large database can take long; a hung server must still not hang the command.
PG_TIMEOUT_SECONDS = 6 * 3600
SQLITE_BUSY_MS = 30_000


class BackupError(Exception):
    """Why a backup or restore was not done; the message is meant for the operator."""


def backup(database_url: str, dest: Path) -> dict[str, Any]:
    """Write a consistent copy of the live database to `dest` (never overwritten)."""
    url = make_url(database_url)
    if dest.exists():
        raise BackupError(f"{dest} exists: a backup never overwrites a file")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
            summary = _contents(f"sqlite:///{partial}")
            fmt = "sqlite"
        elif url.get_backend_name() == "postgresql":
            _pg_run("pg_dump", url, ["--format=custom", "--file", str(partial)])
            _pg_run("pg_restore", None, ["--list", str(partial)])  # readable to the end
            summary, fmt = {}, "pg_dump-custom"
        else:
            raise BackupError(f"cannot back up a {url.get_backend_name()} database")
        os.chmod(partial, 0o600)  # dossiers hold applicants' personal data
        os.replace(partial, dest)  # a crash leaves a .partial file, never a truncated backup
    finally:
        partial.unlink(missing_ok=True)
    return {
        "database": _safe(url),
        "backup": str(dest),
        "format": fmt,
        "bytes": dest.stat().st_size,
        **summary,
    }


def restore(src: Path, database_url: str, *, force: bool = False) -> dict[str, Any]:
    """Replace the database's contents with the backup `src`, all or nothing."""
    url = make_url(database_url)
    if not src.is_file():
        raise BackupError(f"no backup at {src}")
    backend = url.get_backend_name()
    if backend == "sqlite":
        target = _sqlite_path(url)
        _sqlite_check(src)  # before touching the target
        if target.exists() and not force and _has_tables(database_url):
            raise BackupError(_holds_data(url))
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(src, target)
    elif backend == "postgresql":
        _pg_run("pg_restore", None, ["--list", str(src)])
        if not force and _has_tables(database_url):
            raise BackupError(_holds_data(url))
        # One transaction: a failed restore leaves the database as it was.
        options = ["--clean", "--if-exists", "--no-owner", "--no-privileges"]
        options += ["--single-transaction", "--exit-on-error", str(src)]
        _pg_run("pg_restore", url, options)
    else:
        raise BackupError(f"cannot restore into a {backend} database")
    return {"database": _safe(url), "restored_from": str(src), **_contents(database_url)}


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _sqlite_connect(path: Path, mode: str) -> sqlite3.Connection:
    """A plain sqlite3 connection that never creates the file unless `mode` is rwc."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True)
    conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    return conn


def _sqlite_backup(src: Path, partial: Path) -> None:
    """Copy through SQLite in one step: one read snapshot, committed WAL content included."""
    if not src.is_file():
        raise BackupError(f"no database at {src}")
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    with (
        closing(_sqlite_connect(src, "rw")) as source,
        closing(_sqlite_connect(partial, "rw")) as copy,
    ):
        source.backup(copy)
        # One self-contained file: no -wal beside it to lose when it is copied elsewhere.
        copy.execute("PRAGMA journal_mode=DELETE")
    _sqlite_check(partial)


def _sqlite_check(path: Path) -> None:
    """The file is an intact SQLite database of this application."""
    try:
        with closing(_sqlite_connect(path, "ro")) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from exc
    if result is None or result[0] != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result}")
    if "alembic_version" not in tables:
        raise BackupError(f"{path} is not an ngo-review database (no alembic_version table)")


def _sqlite_copy(src: Path, target: Path) -> None:
    """Write the backup into the target through SQLite, so its WAL and locks stay coherent."""
    with (
        closing(_sqlite_connect(src, "ro")) as source,
        closing(_sqlite_connect(target, "rwc")) as dest,
    ):
        source.backup(dest)


def _has_tables(database_url: str) -> bool:
    engine = create_engine(database_url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _holds_data(url: URL) -> str:
    return (
        f"{_safe(url)} already holds tables; stop the API and worker, then pass --force to "
        "replace its contents (or restore into a new, empty database)"
    )


def _contents(database_url: str) -> dict[str, Any]:
    """What a database holds, to compare a backup or restore with its source."""
    engine = create_engine(database_url)  # not make_engine: it would switch a backup to WAL
    try:
        with engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            dossiers = conn.execute(text("SELECT count(*) FROM dossier")).scalar_one()
            events = conn.execute(text("SELECT count(*) FROM auditevent")).scalar_one()
    finally:
        engine.dispose()
    return {"revision": revision, "dossiers": dossiers, "audit_events": events}


def _pg_run(tool: str, url: URL | None, args: list[str]) -> None:
    """Run a PostgreSQL client tool against `url` (password in the environment, not argv)."""
    exe = shutil.which(tool)
    if exe is None:
        raise BackupError(
            f"{tool} not found on PATH: install the PostgreSQL client tools (the server's major"
            f" version or newer), or run it in the database container (docs/operations.md)"
        )
    env = dict(os.environ)
    command = [exe]
    if url is not None:
        conninfo, password = _conninfo(url)
        command += ["--dbname", conninfo]
        if password:
            env["PGPASSWORD"] = password
    command += args
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{tool} did not finish within {PG_TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()[-5:]
        raise BackupError(f"{tool} failed ({done.returncode}): {' | '.join(lines)}")


def _conninfo(url: URL) -> tuple[str, str | None]:
    """A libpq connection string without the password, and the password."""
    params: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "dbname": url.database,
    }
    params.update({k: v for k, v in url.query.items() if isinstance(v, str)})
    parts = [f"{k}='{_quote(str(v))}'" for k, v in params.items() if v not in (None, "")]
    return " ".join(parts), url.password


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)
