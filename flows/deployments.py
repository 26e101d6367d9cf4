"""The Prefect deployments ngo-review serves, and the after-commit trigger."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta

from prefect.deployments.flow_runs import arun_deployment
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from sqlalchemy import Engine
from sqlmodel import col, func, select

from flows.daily_digest import daily_digest
from flows.deadline_sweep import deadline_sweep
from flows.deliver_notifications import deliver_notifications
from models.db import read_session
from models.timer import Timer

log = logging.getLogger("ngo_review.deployments")

SWEEP_DEPLOYMENT = "deadline-sweep/deadline-sweep"
DELIVERY_DEPLOYMENT = "deliver-notifications/deliver-notifications"


async def build_deployments(
    sweep_cron: str = "* * * * *", delivery_interval: float = 30
) -> list[RunnerDeployment]:
    """What `serve` and `worker` run: sweep each minute, delivery each 30 s, digest at 7:00."""
    return [
        await deadline_sweep.ato_deployment(
            name="deadline-sweep",
            cron=sweep_cron,
            description="Fires due timers: reminders, overdue, deemed consent, at risk, late.",
            tags=["ngo-review"],
        ),
        await deliver_notifications.ato_deployment(
            name="deliver-notifications",
            interval=delivery_interval,
            description="Sends pending outbox messages; retries with backoff; dead letters.",
            tags=["ngo-review"],
        ),
        await daily_digest.ato_deployment(
            name="daily-digest",
            schedule=Cron("0 7 * * 1-5", timezone="Asia/Ho_Chi_Minh"),
            description="07:00 on weekdays: overdue and at-risk dossiers, late agencies.",
            tags=["ngo-review"],
        ),
    ]


def near_timers_pending(engine: Engine, horizon: timedelta = timedelta(minutes=1)) -> bool:
    """Whether any pending timer falls due within the horizon (worth an immediate sweep)."""
    soon = datetime.now(UTC) + horizon
    with read_session(engine) as session:
        count = session.exec(
            select(func.count())
            .select_from(Timer)
            .where(
                col(Timer.fired_at).is_(None),
                col(Timer.cancelled_at).is_(None),
                col(Timer.due_at) <= soon,
            )
        ).one()
    return count > 0


async def _start(deployment: str, key: str) -> bool:
    """Ask Prefect to run a deployment now; never fails the caller (the schedule catches up)."""
    try:
        await arun_deployment(deployment, timeout=0, idempotency_key=key)
        return True
    except Exception as exc:  # noqa: BLE001 - Prefect down must never break a human action
        log.warning("could not trigger %s: %s", deployment, exc)
        return False


async def trigger_delivery() -> bool:
    """After a commit that wrote outbox rows: deliver now rather than at the next tick."""
    if not os.environ.get("PREFECT_API_URL"):
        return False
    return await _start(DELIVERY_DEPLOYMENT, f"deliver-{datetime.now(UTC):%Y%m%dT%H%M%S}")


async def trigger_sweep(engine: Engine) -> bool:
    """After a commit: start a sweep now if something is due soon.

    The idempotency key folds triggers of the same minute into one run.
    """
    if not os.environ.get("PREFECT_API_URL") or not near_timers_pending(engine):
        return False
    return await _start(SWEEP_DEPLOYMENT, f"sweep-{datetime.now(UTC):%Y%m%dT%H%M}")
