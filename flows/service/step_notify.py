"""PostgreSQL `LISTEN/NOTIFY`: a step committed by one process wakes the runners of the others."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine, text
from sqlmodel import Session

log = logging.getLogger("ngo_review.steps")

CHANNEL = "ngo_review_steps"


def notify(session: Session) -> None:
    """Queue a NOTIFY in the command's transaction: PostgreSQL sends it only on commit."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


async def listen(engine: Engine, wake: Callable[[], None], retry_seconds: float = 5.0) -> None:
    """Call `wake` on every notification, reconnecting when the connection drops."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                async for _ in conn.notifies():
                    wake()
        except (psycopg.Error, OSError) as exc:  # the poll covers the gap; try again soon
            log.warning("LISTEN %s failed: %s; retrying", CHANNEL, exc)
            await asyncio.sleep(retry_seconds)
