"""Work the API starts after answering: deliver now, and sweep if a timer is due soon."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine


@dataclass(frozen=True)
class AfterCommit:
    """What to do once an action's transaction has committed; Prefect is imported only if used.

    Inside serve/worker this wakes the in-process schedule (flows/schedule.py); in an API-only
    process it asks the Prefect server at `prefect_api_url` for deployment runs.

    Importing Prefect freezes its settings, so nothing may import it before `serve` has exported
    the local server's URL (config.settings.override).
    """

    engine: Engine
    prefect_api_url: str

    async def __call__(self) -> None:
        """Trigger delivery and, when due soon, a sweep."""
        if not self.prefect_api_url:
            return
        from flows.deployments import trigger_delivery, trigger_sweep

        await trigger_delivery(self.prefect_api_url)
        await trigger_sweep(self.engine, self.prefect_api_url)


def after_commit(request: Request) -> AfterCommit:
    """The app's after-commit work (a background task of the answer)."""
    work: AfterCommit = request.app.state.after_commit
    return work
