"""What flows run with: the dossier database engine, the settings and the clock.

`serve` and `worker` build one Runtime and enter it before starting their loops, so every flow
run in the process (the step runner's, the schedule's) uses the engine, settings and clock it was
given. A flow started alone (a manual run in a child process of Prefect's runner, a CLI command)
gets one built from the environment's settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Engine

from config.settings import Settings, get_settings
from models.db import make_engine


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    """The engine, settings and clock a flow run uses."""

    engine: Engine
    settings: Settings
    clock: Callable[[], datetime] = field(default=_now)


_current: ContextVar[Runtime | None] = ContextVar("ngo_review_runtime", default=None)


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    """One engine (and pool) per database URL in this process."""
    return make_engine(url)


def current() -> Runtime:
    """The runtime entered by this process, or one from the environment's settings."""
    runtime = _current.get()
    if runtime is not None:
        return runtime
    settings = get_settings()
    return Runtime(engine_for(settings.resolved_database_url()), settings)


@contextmanager
def using(runtime: Runtime) -> Iterator[Runtime]:
    """Run flows (and the tasks they start) with `runtime` inside this block."""
    token = _current.set(runtime)
    try:
        yield runtime
    finally:
        _current.reset(token)
