"""Shared fixtures: a fresh real database per test (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from flows.service.admin import ensure_reference_agencies
from models.db import make_engine
from models.migrate import upgrade

VN = ZoneInfo("Asia/Ho_Chi_Minh")
POSTGRES_URL = os.environ.get("NGO_REVIEW_TEST_POSTGRES_URL", "")


@dataclass
class Clock:
    """An injectable clock that tests move by hand (tests never sleep)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now

    def set(self, *args: int) -> datetime:
        self.now = datetime(*args, tzinfo=VN)  # type: ignore[misc]
        return self.now


@pytest.fixture
def clock() -> Clock:
    """Monday 23 November 2026, 09:00 in Hà Nội."""
    return Clock(datetime(2026, 11, 23, 9, 0, tzinfo=VN))


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty SQLite file per session, copied for each test (migrating is slow)."""
    path = tmp_path_factory.mktemp("template") / "ngo-review.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """One migrated, empty PostgreSQL database per session, the template of each test's."""
    name = f"tpl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade(make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=_backends())
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database of each backend (a copy of the session's template), dropped
    after the test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("db") / "ngo-review.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    source: str = request.getfixturevalue("postgres_template")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the fresh database, with the reference agencies loaded."""
    eng = make_engine(database_url)
    ensure_reference_agencies(eng)
    yield eng
    eng.dispose()
