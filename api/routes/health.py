"""GET /health: is the database reachable, is Prefect."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import EngineDep
from flows.prefect_health import prefect_answers

router = APIRouter(tags=["health"])


async def prefect_status(url: str) -> str:
    """ok when the Prefect server at `url` (PREFECT_API_URL) answers its health check."""
    return "ok" if url and await prefect_answers(url) else "unavailable"


@router.get("/health", responses={503: {"description": "the database is unreachable"}})
async def health(request: Request, engine: EngineDep) -> JSONResponse:
    """{"status", "database", "prefect"}; 503 when the database does not answer."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        database = "unavailable"
    body = {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "prefect": await prefect_status(request.app.state.settings.prefect_api_url),
    }
    return JSONResponse(body, status_code=200 if database == "ok" else 503)
