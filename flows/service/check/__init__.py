"""`ngo-review check`: every invariant of a database, verified and reported as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from flows.service.check.chains import check_admin_chain
from flows.service.check.dossiers import check_dossiers
from flows.service.check.outbox import check_outbox
from flows.service.check.register import check_register
from flows.service.check.report import Break, CheckReport
from models.db import make_engine
from models.migrate import alembic_config

__all__ = ["Break", "CheckReport", "Unreadable", "check_database", "check_url", "read_only_engine"]


class Unreadable(Exception):
    """The database cannot be opened, or is not an ngo-review database at the current schema."""


def check_database(engine: Engine) -> CheckReport:
    """Dossier chains, versions and engine invariants; the administration chain; the outbox;
    the register's links and obligations."""
    report = CheckReport()
    check_dossiers(engine, report)
    with engine.connect() as conn:
        check_admin_chain(conn, report)
        check_outbox(conn, report)
        check_register(conn, report)
    return report


def read_only_engine(url: str) -> Engine:
    """An engine whose every connection refuses writes: the check cannot change what it reads."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database not in (None, "", ":memory:"):
        if not Path(parsed.database).exists():  # SQLite would create an empty one
            raise Unreadable(f"no database at {parsed.database}")
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if sqlite:
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()  # else the pool's rollback would undo the SET
        cursor.close()

    return engine


def _require_head(engine: Engine, url: str) -> None:
    """Refuse a database that is not migrated to the schema this code checks."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != head:
        raise Unreadable(
            f"the database is at schema revision {current or 'none'}, not {head}: "
            "is it an ngo-review database? (`ngo-review db upgrade` migrates it)"
        )


def check_url(url: str) -> CheckReport:
    """Check the database at the URL, read-only; Unreadable if it cannot be read."""
    try:
        safe = make_url(url).render_as_string(hide_password=True)
        engine = read_only_engine(url)
    except SQLAlchemyError as error:
        raise Unreadable(f"not a database URL: {error}") from error
    try:
        _require_head(engine, url)
        return check_database(engine)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise Unreadable(f"cannot read {safe}: {reason}") from error
    finally:
        engine.dispose()
