"""`ngo-review serve`: everything in one asyncio process on embedded defaults."""

from __future__ import annotations

import json
import logging

import uvicorn

from api.app import create_app
from flows.service.admin import ensure_reference_agencies
from models.db import make_engine
from models.migrate import upgrade
from models.types import utcnow
from ngo_review.demo import load_demo
from ngo_review.settings import Settings

log = logging.getLogger("ngo_review.serve")


async def run(settings: Settings, *, host: str, port: int, demo: bool) -> None:
    """Migrate, optionally load demo data, then serve until interrupted."""
    url = settings.resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    ensure_reference_agencies(engine)
    base = f"http://{host}:{port}"
    if demo:
        tokens = load_demo(engine, utcnow())
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        (settings.var_dir / "demo-tokens.json").write_text(
            json.dumps(tokens, ensure_ascii=False, indent=2))
        lines = [f"  {who:<32} {token}" for who, token in tokens.items()]
        banner = "\n".join(["", "Demo tokens (also in var/demo-tokens.json):", *lines])
        print(banner, flush=True)  # noqa: T201 - the CLI's output for the person starting it
    print(f"\nngo-review is running:\n  API and docs   {base}/docs\n"  # noqa: T201
          f"  health         {base}/health\n", flush=True)
    app = create_app(settings, engine=engine)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info"))
    await server.serve()
