"""HTTP fixtures: the real app served by uvicorn on 127.0.0.1, and clients per role."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from api.app import create_app
from flows.service.admin import create_token
from ngo_review.settings import Settings
from tests.conftest import Clock

USERS = {
    "handler": ("handler", "Nguyễn Văn An", None),
    "handler2": ("handler", "Trần Thị Bình", None),
    "leader": ("leader", "Lê Minh Cường", None),
    "manager": ("manager", "Phạm Thu Dung", None),
    "admin": ("admin", "Quản trị", None),
    "BCA": ("agency", "Officer BCA", "BCA"),
    "BTC": ("agency", "Officer BTC", "BTC"),
    "BNV": ("agency", "Officer BNV", "BNV"),
    "NHNN": ("agency", "Officer NHNN", "NHNN"),
    "BYT": ("agency", "Officer BYT", "BYT"),
}


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    """One real token per user of USERS."""
    return {key: create_token(engine, role=role, name=name, agency=agency)
            for key, (role, name, agency) in USERS.items()}


@pytest.fixture
def server_url(engine: Engine, clock: Clock) -> Iterator[str]:
    """The app served over real HTTP on 127.0.0.1 (a free port), stopped after the test."""
    app = create_app(Settings(max_upload_bytes=64 * 1024), engine=engine, clock=clock)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                           ws="none"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])),
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


Client = Callable[[str], httpx.Client]


@pytest.fixture
def client(server_url: str, tokens: dict[str, str]) -> Iterator[Client]:
    """client("handler") → an httpx client carrying that user's bearer token."""
    opened: list[httpx.Client] = []

    def make(who: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who in tokens else {}
        c = httpx.Client(base_url=server_url, headers=headers, timeout=30)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()
