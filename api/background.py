"""Work the API starts after answering: trigger an immediate sweep when Prefect is there."""

from __future__ import annotations

import os

from sqlalchemy import Engine


async def trigger_sweep_after_commit(engine: Engine) -> None:
    """Deliver now, and sweep if a timer is due soon; Prefect is imported only if used.

    Inside serve/worker this wakes the in-process schedule (flows/schedule.py); in an API-only
    process it asks Prefect for deployment runs.

    Importing Prefect freezes its settings, so nothing may import it before `serve` has set
    PREFECT_API_URL to the local server.
    """
    if not os.environ.get("PREFECT_API_URL"):
        return
    from flows.deployments import trigger_delivery, trigger_sweep

    await trigger_delivery()
    await trigger_sweep(engine)
