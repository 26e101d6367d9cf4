"""The Prefect deployments ngo-review serves for manual runs, and the after-commit trigger."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect.deployments.flow_runs import arun_deployment
from prefect.deployments.runner import RunnerDeployment
from prefect.runner import Runner
from sqlalchemy import Engine
from sqlmodel import col, func, select

from flows.daily_digest import daily_digest
from flows.deadline_sweep import deadline_sweep
from flows.deliver_notifications import deliver_notifications
from flows.dossier_step import rerun_dossier_step
from flows.schedule import DELIVERY, SWEEP, current, wake
from models.db import read_session
from models.timer import Timer

log = logging.getLogger("ngo_review.deployments")

SWEEP_DEPLOYMENT = "deadline-sweep/deadline-sweep"
DELIVERY_DEPLOYMENT = "deliver-notifications/deliver-notifications"


async def build_deployments() -> list[RunnerDeployment]:
    """The periodic flows as deployments for a manual "Quick run" from the UI, without schedules.

    Their schedules run in process (flows/schedule.py): a scheduled deployment run would cost a
    new ~120 MB subprocess and ~2 s of CPU each time.
    """
    return [
        await deadline_sweep.ato_deployment(
            name="deadline-sweep",
            description="Fires due timers: reminders, overdue, deemed consent, at risk, late."
            " Runs every minute inside serve/worker.",
            tags=["ngo-review"],
        ),
        await deliver_notifications.ato_deployment(
            name="deliver-notifications",
            description="Sends pending outbox messages; retries with backoff; dead letters."
            " Runs every 30 s inside serve/worker.",
            tags=["ngo-review"],
        ),
        await daily_digest.ato_deployment(
            name="daily-digest",
            description="Overdue and at-risk dossiers, late agencies."
            " Runs at 07:00 Mon-Fri (Asia/Ho_Chi_Minh) inside serve/worker.",
            tags=["ngo-review"],
        ),
        await rerun_dossier_step.ato_deployment(
            name="dossier-step",
            description="Runs one dossier step again, by its id (the dossierstep row): its"
            " messages already sent stay sent; the artifact and event are refreshed.",
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


async def trigger_delivery(prefect_api_url: str = "") -> bool:
    """After a commit that wrote outbox rows: deliver now rather than at the next tick.

    Inside serve/worker this wakes the in-process schedule; elsewhere (an API-only process)
    it asks Prefect for a deployment run.
    """
    if wake(DELIVERY):
        return True
    if not prefect_api_url:
        return False
    return await _start(DELIVERY_DEPLOYMENT, f"deliver-{datetime.now(UTC):%Y%m%dT%H%M%S}")


async def trigger_sweep(engine: Engine, prefect_api_url: str = "") -> bool:
    """After a commit: start a sweep now if something is due soon.

    In process it wakes the schedule; else the idempotency key folds triggers of the same
    minute into one deployment run.
    """
    if current() is None and not prefect_api_url:
        return False
    if not near_timers_pending(engine):
        return False
    if wake(SWEEP):
        return True
    return await _start(SWEEP_DEPLOYMENT, f"sweep-{datetime.now(UTC):%Y%m%dT%H%M}")


class _Runner(Runner):
    """Prefect's runner, minus its SIGTERM handler (it calls sys.exit inside the event loop)."""

    def __init__(self, on_sigterm: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_sigterm = on_sigterm

    def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
        """Hand SIGTERM to serve's own shutdown instead."""
        self._on_sigterm()


async def serve_deployments(on_sigterm: Callable[[], None]) -> None:
    """Register the deployments and run their manual runs until cancelled.

    The runner polls every PREFECT_RUNNER_POLL_FREQUENCY seconds (serve sets 30): only manual
    runs come this way, so a longer poll costs a little latency and no idle CPU.
    """
    runner = _Runner(on_sigterm, pause_on_shutdown=False)
    for deployment in await build_deployments():
        added = runner.add_deployment(deployment)
        assert inspect.isawaitable(added)  # async here; mypy sees the sync/async dispatch
        await added
    await runner.start()
