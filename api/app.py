"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from api import docs, errors, limits, openapi_errors
from api.background import AfterCommit
from api.routes import (
    agencies,
    calendar,
    certificates,
    consultations,
    dossiers,
    forms,
    health,
    imports,
    mail,
    metrics,
    ngos,
    procedures,
    public,
    reply,
    reports,
    users,
)
from api.web.routes import admin as admin_pages
from api.web.routes import agency as agency_pages
from api.web.routes import dossiers as dossier_pages
from api.web.routes import forms as form_pages
from api.web.routes import front, leader, manager
from api.web.routes import imports as import_pages
from api.web.routes import register as register_pages
from api.web.routes import reports as report_pages
from api.web.routes import written as written_pages
from config.settings import Settings, get_settings
from models.db import make_engine
from models.types import utcnow

DESCRIPTION = """Workflow and approval engine for the dossiers Vietnamese authorities review about
foreign non-governmental organisations. Every call but `/health` and the docs needs
`Authorization: Bearer <token>` (press **Authorize**). Errors are
`{"error": CODE, "detail": TEXT}`. People use the pages, starting at `/`."""

STATIC = Path(__file__).parent / "static"


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utcnow,
    mail_dir: Path | None = None,
) -> FastAPI:
    """An app bound to one database; the clock is injectable for tests."""
    settings = settings or get_settings()
    app = FastAPI(
        title="ngo-review", version="0.1.0", description=DESCRIPTION, docs_url=None, redoc_url=None
    )
    app.state.engine = engine or make_engine(settings.resolved_database_url())
    app.state.clock = clock
    app.state.settings = settings
    app.state.after_commit = AfterCommit(app.state.engine, clock)
    app.state.secret_key = settings.resolved_secret_key()
    app.state.receiving_agency = settings.receiving_agency
    app.state.max_upload_bytes = settings.max_upload_bytes
    errors.install(app)
    openapi_errors.install(app)
    # The last added runs first: shedding refuses before anything is read, then the body limit.
    app.add_middleware(errors.CatchUnexpected)
    app.add_middleware(
        limits.BodyLimit,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(limits.LoadShedding, max_in_flight=settings.max_in_flight)
    app.state.mail_dir = mail_dir
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        health,
        procedures,
        agencies,
        calendar,
        dossiers,
        forms,
        consultations,
        certificates,
        ngos,
        users,
        metrics,
        reports,
        imports,
        reply,
        public,
        mail,
        docs,
        front,
        dossier_pages,
        form_pages,
        leader,
        agency_pages,
        written_pages,
        manager,
        admin_pages,
        import_pages,
        report_pages,
        register_pages,
    ):
        app.include_router(module.router)
    return app
