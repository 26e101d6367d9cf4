"""`ngo-review serve` and `ngo-review worker`: the API, pages and Prefect flows in one process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os

import uvicorn

from api.app import create_app
from flows.service.admin import ensure_reference_agencies
from models.db import make_engine
from models.migrate import upgrade
from models.types import utcnow
from ngo_review.demo import DemoUser, load_demo
from ngo_review.prefect_server import LocalPrefectServer
from ngo_review.settings import Settings, get_settings
from notifications.sink import SmtpSink

log = logging.getLogger("ngo_review.serve")


def _say(text: str) -> None:
    print(text, flush=True)  # noqa: T201 - the CLI's own output for the person starting it


def ensure_prefect(settings: Settings) -> LocalPrefectServer | None:
    """Use PREFECT_API_URL if set, else start a local Prefect server (its home in var/)."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    server = LocalPrefectServer(settings.var_dir / "prefect")
    _say(f"Starting a local Prefect server on {server.url} ...")
    os.environ["PREFECT_API_URL"] = server.start()
    # Triggered runs start within ~2 s instead of the default 10 s poll.
    os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", "2")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    return server


async def run_flows() -> None:
    """Serve the deployments (deadline sweep on its schedule) until cancelled."""
    # Imported here: Prefect reads PREFECT_API_URL when first used, after ensure_prefect.
    from prefect import aserve

    from flows.deployments import build_deployments

    await aserve(*await build_deployments(), print_starting_message=False)


def ensure_mail(settings: Settings, base_url: str) -> tuple[Settings, SmtpSink | None]:
    """Without an SMTP server configured, run the local sink; links point at this server."""
    os.environ.setdefault("NGO_REVIEW_BASE_URL", base_url)
    sink = None
    if not settings.smtp_host:
        sink = SmtpSink(settings.var_dir / "mail")
        os.environ["NGO_REVIEW_SMTP_HOST"] = "127.0.0.1"
        os.environ["NGO_REVIEW_SMTP_PORT"] = str(sink.start())
        os.environ["NGO_REVIEW_SMTP_STARTTLS"] = "false"
    get_settings.cache_clear()  # the flows read settings through get_settings()
    return get_settings(), sink


def _demo_banner(settings: Settings, users: list[DemoUser], base: str) -> str:
    """Who can sign in, with which password; the tokens also go to var/demo-tokens.json."""
    tokens = {u.key: u.token for u in users}
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    (settings.var_dir / "demo-tokens.json").write_text(
        json.dumps(tokens, ensure_ascii=False, indent=2)
    )
    lines = [f"  {u.role:<8} {u.username:<16} {u.display_name:<20} {u.token}" for u in users]
    return "\n".join(
        [
            "",
            f"Demo users: sign in at {base}/ with password: {settings.demo_password}",
            "(API tokens also in var/demo-tokens.json, for curl and /docs → Authorize)",
            f"  {'role':<8} {'username':<16} {'name':<20} token",
            *lines,
        ]
    )


async def run(settings: Settings, *, host: str, port: int, demo: bool, flows: bool = True) -> None:
    """Migrate, optionally load demo data, start Prefect, then serve until interrupted."""
    base = f"http://{host}:{port}"
    settings, sink = ensure_mail(settings, base)
    url = settings.resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    ensure_reference_agencies(engine)
    prefect_server = ensure_prefect(settings) if flows else None
    try:
        if demo:
            _say(
                _demo_banner(
                    settings,
                    load_demo(
                        engine,
                        utcnow(),
                        secret_key=settings.resolved_secret_key(),
                        password=settings.demo_password,
                    ),
                    base,
                )
            )
        prefect_ui = os.environ.get("PREFECT_API_URL", "(not used)").removesuffix("/api")
        mail = (
            f"{base}/mail (local SMTP sink on 127.0.0.1:{settings.smtp_port})"
            if sink
            else f"sent to {settings.smtp_host}:{settings.smtp_port}"
        )
        _say(
            f"\nngo-review is running:\n  sign in        {base}/  (the pages)\n"
            f"  API and docs   {base}/docs\n"
            f"  health         {base}/health\n  Prefect UI     {prefect_ui}\n"
            f"  mail           {mail}\n"
        )
        app = create_app(settings, engine=engine, mail_dir=sink.path if sink is not None else None)
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info"))
        flows_task = asyncio.create_task(run_flows()) if flows else None
        try:
            await server.serve()
        finally:
            # The Prefect runner replaces the SIGTERM handler: stop it ourselves.
            if flows_task is not None:
                flows_task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await flows_task
    finally:
        if prefect_server is not None:
            prefect_server.stop()
        if sink is not None:
            sink.stop()


async def run_worker(settings: Settings) -> None:
    """Only the flows (docker-compose `worker`): the API runs elsewhere."""
    upgrade(settings.resolved_database_url())
    prefect_server = ensure_prefect(settings)
    try:
        await run_flows()
    finally:
        if prefect_server is not None:
            prefect_server.stop()
