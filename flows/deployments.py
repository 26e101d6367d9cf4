"""The Prefect deployments ngo-review serves for manual runs from the UI."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from prefect.deployments.runner import RunnerDeployment
from prefect.runner import Runner

from flows.daily_digest import daily_digest
from flows.deadline_sweep import deadline_sweep
from flows.deliver_notifications import deliver_notifications
from flows.dossier_step import rerun_dossier_step


async def build_deployments() -> list[RunnerDeployment]:
    """The periodic flows as deployments for a manual "Quick run" from the UI, without schedules.

    Their schedules run in process (flows/schedule.py): a scheduled deployment run would cost a
    new ~120 MB subprocess and ~2 s of CPU each time.
    """
    return [
        await deadline_sweep.ato_deployment(
            name="deadline-sweep",
            description="Fires due timers: reminders, overdue, deemed consent, at risk, late."
            " Inside serve/worker: checked every minute, run when a timer is due.",
            tags=["ngo-review"],
        ),
        await deliver_notifications.ato_deployment(
            name="deliver-notifications",
            description="Sends pending outbox messages; retries with backoff; dead letters."
            " Inside serve/worker: checked every 30 s, run when a message is due.",
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
