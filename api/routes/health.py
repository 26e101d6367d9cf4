"""GET /health: is the database reachable, is Prefect."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import EngineDep
from api.errors import error_body
from flows.prefect_health import prefect_answers

router = APIRouter(tags=["health"])


async def prefect_status(url: str) -> str:
    """ok when the Prefect server at `url` (PREFECT_API_URL) answers its health check."""
    return "ok" if url and await prefect_answers(url) else "unavailable"


HEALTH: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded"]},
        "database": {"type": "string", "enum": ["ok", "unavailable"]},
        "prefect": {"type": "string", "enum": ["ok", "unavailable"]},
    },
    "required": ["status", "database", "prefect"],
}
UNHEALTHY = {"allOf": [{"$ref": "#/components/schemas/ErrorBody"}, HEALTH]}


@router.get(
    "/health",
    responses={
        200: {"content": {"application/json": {"schema": HEALTH}}},
        503: {
            "description": "the database is unreachable (`unavailable`)",
            "content": {"application/json": {"schema": UNHEALTHY}},
        },
    },
)
async def health(request: Request, engine: EngineDep) -> JSONResponse:
    """{"status", "database", "prefect"}; 503 when the database does not answer."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        database = "unavailable"
    # Unhealthy is an error like any other: {error, detail} first, then the same figures.
    problem = {} if database == "ok" else error_body("unavailable", "the database does not answer")
    body = {
        **problem,
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "prefect": await prefect_status(request.app.state.settings.prefect_api_url),
    }
    return JSONResponse(body, status_code=200 if database == "ok" else 503)
