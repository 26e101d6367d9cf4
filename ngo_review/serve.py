"""`ngo-review serve` and `ngo-review worker`: the API, pages and Prefect flows in one process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from functools import partial

import uvicorn
from sqlalchemy import Engine

from config.settings import Settings, override, prefect_defaults
from flows.service.admin import ensure_reference_agencies
from models.db import make_engine
from models.migrate import upgrade
from models.types import utcnow
from ngo_review.demo import DemoUser, load_demo
from ngo_review.prefect_server import LocalPrefectServer
from ngo_review.shutdown import ApiServer, Stop, supervise
from notifications.sink import SmtpSink

log = logging.getLogger("ngo_review.serve")

# On shutdown, a flow run in progress gets this long to finish before it is cancelled (Crashed).
DRAIN_SECONDS = 5.0


def _say(text: str) -> None:
    print(text, flush=True)  # noqa: T201 - the CLI's own output for the person starting it


def local_prefect(settings: Settings) -> LocalPrefectServer | None:
    """A local Prefect server (its home in var/) unless PREFECT_API_URL names one."""
    if settings.prefect_api_url:
        return None
    return LocalPrefectServer(settings.var_dir / "prefect", port=settings.prefect_port)


async def start_prefect(
    server: LocalPrefectServer,
    stop: Stop,
    settings: Settings,
    meanwhile: Callable[[], object] | None = None,
) -> Settings | None:
    """Start the local server (in a thread, so a signal is heard) while `meanwhile` runs in
    another (migrations, demo data: the server's start is most of the wait); None if stopped
    first."""
    _say(f"Starting a local Prefect server on {server.url} ...")
    starting = asyncio.create_task(asyncio.to_thread(server.start))
    if meanwhile is not None:
        try:
            await asyncio.to_thread(meanwhile)
        except BaseException:
            server.stop()  # makes start() give up at once
            with contextlib.suppress(RuntimeError):
                await starting
            raise
    stopped = asyncio.create_task(stop.event.wait())
    await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not starting.done():
        server.stop()  # makes start() give up at once
        with contextlib.suppress(RuntimeError):
            await starting
        return None
    # Only manual "Quick run"s of the deployments come through the runner's poll: schedules and
    # after-commit wake-ups run in process. A 30 s poll costs next to no idle CPU.
    prefect_defaults(RUNNER_POLL_FREQUENCY="30", SERVER_ANALYTICS_ENABLED="false")
    return override(settings, prefect_api_url=starting.result())


def background_loops(
    engine: Engine, settings: Settings, stop: Stop
) -> tuple[dict[str, Callable[[], Awaitable[None]]], Callable[[], Awaitable[None]]]:
    """What serve and worker run beside the API, by name, and how to let running flows finish.

    THE place for long-running loops; each is cancelled on shutdown after `drain`.
    """
    # Imported here: Prefect reads PREFECT_API_URL when first used, after start_prefect.
    from flows import prefect_in_process
    from flows.deployments import serve_deployments
    from flows.runtime import Runtime
    from flows.schedule import Scheduler, default_jobs
    from flows.step_runner import StepRunner

    prefect_in_process.install()
    runtime = Runtime(engine, settings)
    scheduler = Scheduler(default_jobs(), runtime)
    loops: dict[str, Callable[[], Awaitable[None]]] = {
        "periodic flows": scheduler.run,
        "deployments for manual runs": partial(serve_deployments, stop.set),
        "step runner": StepRunner(runtime).run,
    }
    return loops, partial(scheduler.drain, DRAIN_SECONDS)


def ensure_mail(settings: Settings, base_url: str) -> tuple[Settings, SmtpSink | None]:
    """Without an SMTP server configured, run the local sink; links point at this server."""
    changes: dict[str, object] = {}
    if "base_url" not in settings.model_fields_set:
        changes["base_url"] = base_url
    sink = None
    if not settings.smtp_host:
        sink = SmtpSink(settings.var_dir / "mail")
        changes.update(smtp_host="127.0.0.1", smtp_port=sink.start(), smtp_starttls=False)
    return override(settings, **changes), sink


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
    """Migrate, optionally load demo data, start Prefect, then serve until SIGTERM or SIGINT."""
    stop = Stop()
    with stop.signals():
        base = f"http://{host}:{port}"
        settings, sink = ensure_mail(settings, base)
        prefect_server = local_prefect(settings) if flows else None
        try:
            url = settings.resolved_database_url()
            engine = make_engine(url)
            demo_users: list[DemoUser] = []

            def prepare() -> None:
                """The database: migrated, reference agencies, demo data if asked for; and
                the app's modules imported (seconds of FastAPI, WeasyPrint and the routes)."""
                import api.app  # noqa: F401

                upgrade(url)
                ensure_reference_agencies(engine)
                if demo:
                    demo_users.extend(
                        load_demo(
                            engine,
                            utcnow(),
                            secret_key=settings.resolved_secret_key(),
                            password=settings.demo_password,
                        )
                    )

            if prefect_server is not None:
                started = await start_prefect(prefect_server, stop, settings, prepare)
                if started is None:
                    return
                settings = started
            else:
                prepare()
            if demo:
                _say(_demo_banner(settings, demo_users, base))
            _say(_running_banner(settings, base, sink))
            from api.app import create_app  # imported by prepare(), beside Prefect's start

            app = create_app(
                settings, engine=engine, mail_dir=sink.path if sink is not None else None
            )
            api = ApiServer(
                uvicorn.Config(
                    app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5
                )
            )
            if flows:
                loops, drain = background_loops(engine, settings, stop)
                await supervise(stop, loops, api=api, drain=drain)
            else:
                await supervise(stop, {}, api=api)
        finally:
            if prefect_server is not None:
                prefect_server.stop()
            if sink is not None:
                sink.stop()
    _say("ngo-review stopped.")


def _running_banner(settings: Settings, base: str, sink: SmtpSink | None) -> str:
    """Where the pages, API, health, Prefect UI and mail are."""
    prefect_ui = (settings.prefect_api_url or "(not used)").removesuffix("/api")
    mail = (
        f"{base}/mail (local SMTP sink on 127.0.0.1:{settings.smtp_port})"
        if sink
        else f"sent to {settings.smtp_host}:{settings.smtp_port}"
    )
    return (
        f"\nngo-review is running:\n  sign in        {base}/  (the pages)\n"
        f"  API and docs   {base}/docs\n"
        f"  health         {base}/health\n  Prefect UI     {prefect_ui}\n"
        f"  mail           {mail}\n"
    )


async def run_worker(settings: Settings) -> None:
    """Only the flows (docker-compose `worker`): the API runs elsewhere."""
    stop = Stop()
    with stop.signals():
        url = settings.resolved_database_url()
        upgrade(url)
        prefect_server = local_prefect(settings)
        try:
            if prefect_server is not None:
                started = await start_prefect(prefect_server, stop, settings)
                if started is None:
                    return
                settings = started
            loops, drain = background_loops(make_engine(url), settings, stop)
            await supervise(stop, loops, drain=drain)
        finally:
            if prefect_server is not None:
                prefect_server.stop()
