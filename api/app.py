"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine

from api import errors
from api.routes import (
    agencies,
    calendar,
    certificates,
    consultations,
    dossiers,
    health,
    mail,
    procedures,
    reply,
)
from models.db import make_engine
from models.types import utcnow
from ngo_review.settings import Settings, get_settings

DESCRIPTION = """Workflow and approval engine for the dossiers Vietnamese authorities review about
foreign non-governmental organisations. Every call but `/health` and the docs needs
`Authorization: Bearer <token>`. Errors are `{"error": CODE, "detail": TEXT}`."""


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               clock: Callable[[], datetime] = utcnow, mail_dir: Path | None = None
               ) -> FastAPI:
    """An app bound to one database; the clock is injectable for tests."""
    settings = settings or get_settings()
    app = FastAPI(title="ngo-review", version="0.1.0", description=DESCRIPTION)
    app.state.engine = engine or make_engine(settings.resolved_database_url())
    app.state.clock = clock
    app.state.settings = settings
    app.state.receiving_agency = settings.receiving_agency
    app.state.max_upload_bytes = settings.max_upload_bytes
    errors.install(app)
    app.state.mail_dir = mail_dir
    for module in (health, procedures, agencies, calendar, dossiers, consultations, certificates,
                   reply, mail):
        app.include_router(module.router)
    return app
