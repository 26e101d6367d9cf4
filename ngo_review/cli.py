"""The `ngo-review` command line."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from flows.errors import DossierError
from flows.procedures import REGISTRY
from flows.service.admin import create_token, ensure_reference_agencies
from models.db import make_engine
from models.migrate import upgrade
from ngo_review.settings import get_settings

app = typer.Typer(help="ngo-review: workflow and approval engine for foreign NGO dossiers.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")


def _out(text: str) -> None:
    typer.echo(text)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database (Alembic) and load the reference agencies."""
    url = get_settings().resolved_database_url()
    upgrade(url)
    added = ensure_reference_agencies(make_engine(url))
    _out(json.dumps({"database": _safe(url), "migrated": True, "agencies_added": added}))


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="handler, leader, manager, agency or admin")],
    name: Annotated[str, typer.Option(help="The user's name (shown as actor)")],
    agency: Annotated[str | None, typer.Option(help="Agency code, for agency tokens")] = None,
    email: Annotated[str, typer.Option(help="The user's e-mail, for notifications")] = "",
) -> None:
    """Print a new API token (shown once; stored hashed)."""
    url = get_settings().resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    ensure_reference_agencies(engine)
    try:
        _out(create_token(engine, role=role, name=name, agency=agency, email=email))
    except DossierError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from exc


@app.command("procedures")
def procedures() -> None:
    """List the procedure definitions (code, version, deadlines) as JSON lines."""
    for p in REGISTRY.latest():
        _out(json.dumps({
            "code": p.code, "version": p.version, "title_en": p.title_en,
            "intake_working_days": p.intake_working_days,
            "total_working_days": p.total_working_days,
            "consultation_working_days": p.consultation_working_days,
            "silence_rule": p.silence_rule.value, "legal_basis": p.legal_basis,
        }, ensure_ascii=False))


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to bind (keep 127.0.0.1 locally)")] =
    "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Load demo data, print tokens")] = False,
    api_only: Annotated[bool, typer.Option(
        "--api-only", help="Serve only the API (production: workers run the flows)")] = False,
) -> None:
    """Run the API, pages and Prefect flows (local Prefect server unless PREFECT_API_URL)."""
    from ngo_review.serve import run

    asyncio.run(run(get_settings(), host=host, port=port, demo=demo, flows=not api_only))


@app.command("worker")
def worker() -> None:
    """Run only the Prefect flows (deadline sweep), for a separate worker process."""
    from ngo_review.serve import run_worker

    asyncio.run(run_worker(get_settings()))


@app.command("sweep")
def sweep_once(
    as_of: Annotated[str | None, typer.Option("--as-of", help="ISO-8601 instant (default now)")]
    = None,
) -> None:
    """Run the deadline sweep once as of an instant; print a JSON summary. Idempotent."""
    from flows.deadline_sweep import deadline_sweep, parse_instant

    try:
        instant = parse_instant(as_of)
    except ValueError as exc:
        typer.echo(f"error: --as-of must be ISO-8601: {exc}", err=True)
        raise typer.Exit(2) from exc
    url = get_settings().resolved_database_url()
    upgrade(url)
    result = asyncio.run(deadline_sweep(as_of=instant.isoformat()))
    _out(json.dumps(result))


@app.command("deliver")
def deliver_once_cmd() -> None:
    """Deliver pending notifications once; print a JSON summary."""
    from flows.deliver_notifications import deliver_notifications

    upgrade(get_settings().resolved_database_url())
    _out(json.dumps(asyncio.run(deliver_notifications())))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
