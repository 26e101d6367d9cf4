"""Database engine and sessions: SQLite (WAL) by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

WRITE = {"ngo_write": True}

# SQLite has one writer at a time, and a writer that finds the lock taken polls it with sleeps
# of up to 100 ms: under 16 clients the unlucky ones waited seconds (p99 3.4 s, bench/load.py).
# Writers of this process queue on a lock instead and take the database's lock in turn
# (re-entrant: a nested write session behaves as before, SQLite's own timeout).
_writers: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys and serialised writers."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        if parsed.drivername == "postgresql":
            url = str(parsed.set(drivername="postgresql+psycopg"))
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
    _writers[engine] = threading.RLock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin hook issue BEGIN itself (pysqlite's own is deferred and late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # SQLite's lower() folds ASCII only; searches on Vietnamese names must match PostgreSQL.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front: a read-then-write transaction can then never
        # lose an update or fail half-way on a stale snapshot.
        immediate = conn.get_execution_options().get("ngo_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def is_postgres(engine: Engine) -> bool:
    """Whether the engine talks to PostgreSQL (row locks, SKIP LOCKED)."""
    return engine.dialect.name == "postgresql"


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one command: commits on success, rolls everything back on error."""
    turn = _writers.get(engine)
    with (
        turn if turn is not None else nullcontext(),
        Session(engine.execution_options(**WRITE), expire_on_commit=False) as session,
    ):
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for queries only."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
