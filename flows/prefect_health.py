"""Whether a Prefect server answers: one health check for the step runner and GET /health."""

from __future__ import annotations

import httpx


async def prefect_answers(api_url: str) -> bool:
    """Whether the Prefect server at `api_url` answers its health check within 2 s."""
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            return (await client.get(f"{api_url.rstrip('/')}/health")).status_code == 200
    except httpx.HTTPError:
        return False
