"""What flows share at run time: the dossier database engine, made once per process."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine

from models.db import make_engine
from ngo_review.settings import get_settings


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    """One engine (and pool) per database URL in this process."""
    return make_engine(url)


def get_engine() -> Engine:
    """The engine of the configured dossier database."""
    return engine_for(get_settings().resolved_database_url())
