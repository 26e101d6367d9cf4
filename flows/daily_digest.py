"""Prefect flow `daily-digest`: each morning, managers get overdue, at-risk and late agencies."""

from __future__ import annotations

import anyio
from prefect import flow, get_run_logger, task

from flows.runtime import current
from flows.service.digest import queue_daily_digest


@task(retries=2, retry_delay_seconds=[10, 60], task_run_name="queue-daily-digest")
async def queue_digest() -> int:
    """Write today's digest rows to the outbox (once per manager per day)."""
    runtime = current()
    now = runtime.clock()
    return await anyio.to_thread.run_sync(lambda: queue_daily_digest(runtime.engine, now))


@flow(name="daily-digest")
async def daily_digest() -> int:
    """Queue the digest; deliver-notifications sends it."""
    queued = await queue_digest()
    get_run_logger().info("daily digest queued for %d managers", queued)
    return queued
