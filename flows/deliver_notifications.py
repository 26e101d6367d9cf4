"""Prefect flow `deliver-notifications`: outbox → render → SMTP, with backoff and dead letters."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task

from flows.runtime import current
from notifications.delivery import deliver_once


@task(retries=2, retry_delay_seconds=[5, 30], task_run_name="deliver-due-messages")
async def deliver_due(batch_size: int = 100) -> dict[str, Any]:
    """Claim and send due messages; each is recorded as it goes, so a retry resumes."""
    runtime = current()
    summary = await deliver_once(runtime.engine, runtime.settings, batch_size=batch_size)
    return summary.as_dict()


@flow(name="deliver-notifications")
async def deliver_notifications(batch_size: int = 100) -> dict[str, Any]:
    """Deliver every pending notification once."""
    result = await deliver_due(batch_size)
    get_run_logger().info("delivery: %s", {k: v for k, v in result.items() if k != "errors"})
    return result
