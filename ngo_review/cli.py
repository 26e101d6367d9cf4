"""The `ngo-review` command line."""

from __future__ import annotations

import asyncio
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import Engine

from config.settings import get_settings, prefect_defaults
from flows.errors import DossierError
from flows.procedures import REGISTRY
from flows.service import users
from flows.service.admin import CLI, create_token, ensure_reference_agencies
from models.db import make_engine
from models.migrate import upgrade
from models.schemas import UserCreate, UserUpdate

app = typer.Typer(
    help="ngo-review: workflow and approval engine for foreign NGO dossiers.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
user_app = typer.Typer(help="Users who sign in to the pages.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")


def _out(text: str) -> None:
    typer.echo(text)


def _fail(detail: str) -> NoReturn:
    """Print `error: ...` to standard error and exit with status 2."""
    typer.echo(f"error: {detail}", err=True)
    raise typer.Exit(2)


def _invalid(exc: ValidationError) -> str:
    """A pydantic error as one line naming each wrong field."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())


def _engine() -> Engine:
    """The migrated database of the settings, with the reference agencies loaded."""
    url = get_settings().resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    ensure_reference_agencies(engine)
    return engine


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database (Alembic) and load the reference agencies."""
    url = get_settings().resolved_database_url()
    upgrade(url)
    added = ensure_reference_agencies(make_engine(url))
    _out(json.dumps({"database": _safe(url), "migrated": True, "agencies_added": added}))


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (never overwritten)")],
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="The database to back up (default: the settings')"),
    ] = None,
) -> None:
    """Back up the dossier database while it runs (SQLite backup API, or pg_dump -Fc)."""
    from ngo_review.backup import BackupError, backup

    try:
        summary = backup(database_url or get_settings().resolved_database_url(), path)
    except BackupError as exc:
        _fail(str(exc))
    _out(json.dumps(summary))


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="A file written by `ngo-review db backup`")],
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="The database to restore into (default: the settings')"
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds tables")
    ] = False,
) -> None:
    """Restore a backup, all or nothing; then run `ngo-review check` and `ngo-review db upgrade`."""
    from ngo_review.backup import BackupError, restore

    try:
        summary = restore(path, database_url or get_settings().resolved_database_url(), force=force)
    except BackupError as exc:
        _fail(str(exc))
    _out(json.dumps(summary))


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@token_app.command("create")
def token_create(
    user: Annotated[str | None, typer.Option(help="The username the token acts as")] = None,
    expires_days: Annotated[
        int | None, typer.Option(help="Days until the token expires (default: never)")
    ] = None,
    label: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    role: Annotated[
        str | None,
        typer.Option(help="Older form, without --user: handler, leader, manager, agency or admin"),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(help="Older form: the user's name (created without a password if missing)"),
    ] = None,
    agency: Annotated[str | None, typer.Option(help="Older form: agency code")] = None,
    email: Annotated[str, typer.Option(help="Older form: the user's e-mail")] = "",
) -> None:
    """Print a new API token for --user (or --role and --name); shown once, stored hashed."""
    if user is not None and (role is not None or name is not None or agency is not None):
        _fail("give either --user, or --role and --name, not both")
    if user is None and (role is None or name is None):
        _fail("give --user USERNAME (or the older --role ROLE --name NAME)")
    if expires_days is not None and not 1 <= expires_days <= 3650:
        _fail("--expires-days must be between 1 and 3650")
    engine = _engine()
    try:
        if user is not None:
            _out(
                users.create_token_for(
                    engine, user, name=label, expires_days=expires_days, actor=CLI
                ).token
            )
        else:
            assert role is not None and name is not None
            _out(
                create_token(
                    engine,
                    role=role,
                    name=name,
                    agency=agency,
                    email=email,
                    expires_days=expires_days,
                )
            )
    except DossierError as exc:
        _fail(exc.detail)
    finally:
        engine.dispose()


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option(help="Only this user's tokens")] = None,
) -> None:
    """Every token as a JSON line, newest first: id, user, role, agency, label, created, expires,
    last used, revoked (never the secret, which is stored only as a hash)."""
    engine = _engine()
    try:
        for token in users.list_tokens(engine, user):
            _out(token.model_dump_json())
    finally:
        engine.dispose()


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[
        int, typer.Argument(help="The token's id (see `token list`)", min=1, max=2**31 - 1)
    ],
) -> None:
    """Revoke a token at once (its next request is a 401); revoking twice changes nothing."""
    engine = _engine()
    try:
        revoked = users.revoke_token(engine, token_id, CLI)
    except DossierError as exc:
        _fail(exc.detail)
    finally:
        engine.dispose()
    _out(revoked.model_dump_json())


def _read_password() -> str:
    """The password from standard input: prompted twice, hidden, on a terminal."""
    if sys.stdin.isatty():
        entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return entered
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option(help="Sign-in name, e.g. nguyen.van.an")],
    name: Annotated[str, typer.Option(help="Display name, shown as the actor")],
    role: Annotated[str, typer.Option(help="handler, leader, manager, agency or admin")],
    agency: Annotated[str | None, typer.Option(help="Agency code, for agency users")] = None,
    email: Annotated[str, typer.Option(help="Where the user's notifications go")] = "",
    language: Annotated[str, typer.Option(help="vi or en")] = "vi",
) -> None:
    """Add a user; the password is read from standard input, never from the command line."""
    password = _read_password()
    try:
        data = UserCreate.model_validate(
            {
                "username": username,
                "display_name": name,
                "role": role,
                "agency": agency,
                "email": email,
                "language": language,
                "password": password,
            }
        )
    except ValidationError as exc:
        _fail(_invalid(exc))
    try:
        created = users.create_user(_engine(), data, CLI)
    except DossierError as exc:
        _fail(exc.detail)
    _out(created.model_dump_json())


@user_app.command("list")
def user_list() -> None:
    """Every user as a JSON line (never a password hash)."""
    for account in users.list_users(_engine()):
        _out(account.model_dump_json())


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument(help="The user to disable")],
) -> None:
    """Disable a user: no sign-in, and their sessions and tokens stop working."""
    try:
        account = users.update_user(_engine(), username, UserUpdate(active=False), CLI)
    except DossierError as exc:
        _fail(exc.detail)
    _out(account.model_dump_json())


@app.command("procedures")
def procedures() -> None:
    """List the procedure definitions (code, version, deadlines) as JSON lines."""
    for p in REGISTRY.latest():
        _out(
            json.dumps(
                {
                    "code": p.code,
                    "version": p.version,
                    "title_en": p.title_en,
                    "intake_working_days": p.intake_working_days,
                    "total_working_days": p.total_working_days,
                    "consultation_working_days": p.consultation_working_days,
                    "silence_rule": p.silence_rule.value,
                    "legal_basis": p.legal_basis,
                },
                ensure_ascii=False,
            )
        )


@app.command("import")
def import_cmd(
    dossiers_file: Annotated[
        Path, typer.Argument(help="Dossiers: CSV (UTF-8, header row) or XLSX", exists=True)
    ],
    consultations: Annotated[
        Path | None, typer.Option(help="Their consultations: CSV or XLSX", exists=True)
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count only; import nothing")
    ] = False,
) -> None:
    """Import historical dossiers, all or nothing; print the JSON report (exit 2 on errors)."""
    from flows.service.imports import ImportRejected, Source, import_dossiers
    from models.types import utcnow

    engine = _engine()
    with ExitStack() as files:
        requests = (
            Source(consultations.name, files.enter_context(consultations.open("rb")))
            if consultations is not None
            else None
        )
        try:
            report = import_dossiers(
                engine,
                Source(dossiers_file.name, files.enter_context(dossiers_file.open("rb"))),
                requests,
                actor=CLI,
                now=utcnow(),
                dry_run=dry_run,
                receiving_agency=get_settings().receiving_agency,
            )
        except ImportRejected as exc:
            _out(json.dumps({"errors": [p.model_dump() for p in exc.problems]}, ensure_ascii=False))
            _fail(exc.detail)
    _out(report.model_dump_json())


@app.command("serve")
def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind (keep 127.0.0.1 locally)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Load demo data, print tokens")] = False,
    api_only: Annotated[
        bool,
        typer.Option("--api-only", help="Serve only the API (production: workers run the flows)"),
    ] = False,
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
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="ISO-8601 instant (default now)")
    ] = None,
) -> None:
    """Run the deadline sweep once as of an instant; print a JSON summary. Idempotent."""
    _patient_ephemeral_prefect()
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


@app.command("backfill-obligations")
def backfill_obligations_cmd() -> None:
    """Give certificates that predate the register what they still owe from today on (annual
    reports, renewal); print {certificates, obligations}. A second run adds nothing."""
    from flows.register.backfill import backfill_obligations
    from models.types import utcnow

    engine = _engine()
    try:
        _out(json.dumps(backfill_obligations(engine, utcnow())))
    finally:
        engine.dispose()


@app.command("deliver")
def deliver_once_cmd() -> None:
    """Deliver pending notifications once; print a JSON summary."""
    _patient_ephemeral_prefect()
    from flows.deliver_notifications import deliver_notifications

    upgrade(get_settings().resolved_database_url())
    _out(json.dumps(asyncio.run(deliver_notifications())))


@app.command("check")
def check_cmd(
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="The database to check (default: the settings')"),
    ] = None,
) -> None:
    """Verify every audit chain and invariant, read-only; print the JSON report.

    Exit status 0 when everything holds, 1 on any break, 2 when the database cannot be read.
    """
    from flows.service.check import Unreadable, check_url

    try:
        report = check_url(database_url or get_settings().resolved_database_url())
    except Unreadable as exc:
        _fail(str(exc))
    _out(json.dumps(report.to_json(), ensure_ascii=False))
    if not report.ok:
        raise typer.Exit(1)


def _patient_ephemeral_prefect() -> None:
    """Without PREFECT_API_URL Prefect starts a temporary server; on a busy machine it needs
    longer than Prefect's 20 s default to answer, so wait up to 90 s before giving up."""
    prefect_defaults(SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
