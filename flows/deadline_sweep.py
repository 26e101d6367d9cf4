"""Prefect flow `deadline-sweep`: fire due timers (reminders, overdue, deemed consent, late),
then act on the NGOs' obligations (reminders, overdue) as a task of its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio
from prefect import flow, get_run_logger, task

from flows.calendar import VN_TZ
from flows.register.obligation_sweep import sweep_obligations
from flows.runtime import current
from flows.service.sweep import sweep_timers


def parse_instant(value: str | None) -> datetime:
    """An aware instant from ISO-8601 (now when empty); naive input is read as UTC+7."""
    if not value:
        return current().clock()
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=VN_TZ)
    return instant


@task(retries=3, retry_delay_seconds=[2, 10, 60], task_run_name="fire-due-timers-{as_of}")
async def fire_due_timers(as_of: str, batch_size: int = 500) -> dict[str, Any]:
    """Fire every timer due by `as_of`; each timer commits on its own, so a retry resumes."""
    instant = parse_instant(as_of)
    summary = await anyio.to_thread.run_sync(
        lambda: sweep_timers(current().engine, instant, batch_size)
    )
    return summary.as_dict()


@task(retries=3, retry_delay_seconds=[2, 10, 60], task_run_name="ngo-obligations-{as_of}")
async def act_on_obligations(as_of: str) -> dict[str, int]:
    """Remind NGOs of obligations coming due, mark missed ones overdue (Decree 58 Art 21)."""
    instant = parse_instant(as_of)
    reminded, overdue = await anyio.to_thread.run_sync(
        lambda: sweep_obligations(current().engine, instant)
    )
    return {"obligations_reminded": reminded, "obligations_overdue": overdue}


@flow(name="deadline-sweep", log_prints=False)
async def deadline_sweep(as_of: str | None = None, batch_size: int = 500) -> dict[str, Any]:
    """The scheduled sweep: what is due by `as_of` (default now) acts, exactly once."""
    instant = parse_instant(as_of)
    result = await fire_due_timers(instant.isoformat(), batch_size)
    result.update(await act_on_obligations(instant.isoformat()))
    get_run_logger().info("deadline sweep as of %s: %s", instant.isoformat(), result)
    return result
