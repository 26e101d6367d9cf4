"""Alembic migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from models.db import make_engine
from models.migrate import upgrade


def test_migrated_database_matches_the_models(database_url: str) -> None:
    """No difference between `db upgrade` and the SQLModel tables; upgrading twice is a no-op."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diff == []
    finally:
        engine.dispose()
