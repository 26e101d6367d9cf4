"""Work the API starts after answering: deliver now, and sweep if a timer is due soon."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import Engine

from flows.service.sweep import has_due

SOON = timedelta(minutes=1)  # a timer due this soon is worth a sweep now, not at the next tick


@dataclass(frozen=True)
class AfterCommit:
    """What to do once an action's transaction has committed: wake this process's schedule.

    Inside serve this wakes the in-process delivery and, when a timer falls due soon, the sweep
    (flows/schedule.py). An API-only process does nothing here: the action's step rows wake the
    workers' step runners (LISTEN/NOTIFY on PostgreSQL, a short poll on SQLite), which deliver
    its messages; asking Prefect for a deployment run per action cost a flow run and a process
    each time and pushed the API's p99 to seconds under load.
    """

    engine: Engine
    clock: Callable[[], datetime]

    async def __call__(self) -> None:
        """Wake delivery and, when a timer is due soon, the sweep of this process."""
        from flows import schedule

        if schedule.current() is None:
            return
        schedule.wake(schedule.DELIVERY)
        if await asyncio.to_thread(has_due, self.engine, self.clock() + SOON):
            schedule.wake(schedule.SWEEP)


def after_commit(request: Request) -> AfterCommit:
    """The app's after-commit work (a background task of the answer)."""
    work: AfterCommit = request.app.state.after_commit
    return work
