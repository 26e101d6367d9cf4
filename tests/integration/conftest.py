"""HTTP fixtures: the real app served by uvicorn on 127.0.0.1, and clients per role."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from api.app import create_app
from config.settings import Settings
from flows.service.admin import create_token
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
    "CA-QT": ("agency", "Officer CA-QT", "CA-QT"),
    "STC-QT": ("agency", "Officer STC-QT", "STC-QT"),
    "LHHN-QT": ("agency", "Officer LHHN-QT", "LHHN-QT"),
    "SNGV-QT": ("agency", "Officer SNGV-QT", "SNGV-QT"),
}


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    """One real token per user of USERS."""
    return {
        key: create_token(engine, role=role, name=name, agency=agency)
        for key, (role, name, agency) in USERS.items()
    }


@pytest.fixture
def server_socket() -> Iterator[socket.socket]:
    """A listening address on 127.0.0.1 reserved for the app."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock
    sock.close()


@pytest.fixture
def settings(server_socket: socket.socket, tmp_path: Path) -> Settings:
    """Settings of this test's app and deliverer: its own var dir, secret and base URL."""
    return Settings(
        var_dir=tmp_path / "var",
        secret_key="test-secret-key",
        base_url=f"http://127.0.0.1:{server_socket.getsockname()[1]}",
        max_upload_bytes=64 * 1024,
        smtp_host="127.0.0.1",
        smtp_port=1,
        delivery_max_attempts=3,
        delivery_backoff_seconds=30,
        admin_emails="ops@admins.example.org",
        mail_from="ngo-review@test.example.org",
    )


@pytest.fixture
def server_url(
    engine: Engine, clock: Clock, settings: Settings, server_socket: socket.socket
) -> Iterator[str]:
    """The app served over real HTTP on 127.0.0.1 (a free port), stopped after the test."""
    app = create_app(settings, engine=engine, clock=clock, mail_dir=settings.var_dir / "mail")
    sock = server_socket
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", ws="none"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


Client = Callable[[str], httpx.Client]


@pytest.fixture
def client(server_url: str, tokens: dict[str, str], engine: Engine) -> Iterator[Client]:
    """client("handler") → an httpx client carrying that user's bearer token.

    An agency code not in USERS (e.g. "UBND-HUE", a required consultation) gets an officer of
    that agency on first use; "" is an anonymous client.
    """
    opened: list[httpx.Client] = []

    def make(who: str) -> httpx.Client:
        if who and who not in tokens and who.upper() == who:
            tokens[who] = create_token(engine, role="agency", name=f"Officer {who}", agency=who)
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who in tokens else {}
        c = httpx.Client(base_url=server_url, headers=headers, timeout=30)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


@dataclass
class Inbox:
    """What a real SMTP server on 127.0.0.1 received."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, recipient: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if recipient in rcpts]

    def templates(self) -> list[tuple[str, str]]:
        return sorted((rcpts[0], str(m["Subject"])) for rcpts, m in self.messages)


class SmtpServer:
    """aiosmtpd on a fixed 127.0.0.1 port that tests can stop and start again."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.inbox = Inbox()
        self.controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SmtpServer]:
    """A running SMTP server; `settings` now points at it."""
    server = SmtpServer()
    server.start()
    settings.smtp_port = server.port
    yield server
    server.stop()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for the whole session (no scheduler: flows are called)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


PASSWORD = "correct horse battery staple"


@pytest.fixture
def logins(engine: Engine, tokens: dict[str, str]) -> dict[str, str]:
    """Every user of USERS can sign in to the pages: username (key, lower case) → password."""
    from sqlmodel import select

    from flows.service.passwords import hash_password
    from models.db import write_session
    from models.user import User

    password_hash = hash_password(PASSWORD)
    names: dict[str, str] = {}
    with write_session(engine) as session:
        for key, (role, name, agency) in USERS.items():
            user = session.exec(
                select(User).where(
                    User.display_name == name, User.role == role, User.agency_code == agency
                )
            ).one()
            user.username = key.lower()
            user.password_hash = password_hash
            user.email = user.email or f"{key.lower()}@users.example.org"
            session.add(user)
            names[key] = user.username
    return names


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


Browser = Callable[[str], httpx.Client]


@pytest.fixture
def browser(server_url: str, logins: dict[str, str]) -> Iterator[Browser]:
    """browser("handler") → an httpx client signed in to the pages as that user (cookies)."""
    opened: list[httpx.Client] = []

    def make(who: str) -> httpx.Client:
        c = httpx.Client(base_url=server_url, timeout=30)
        opened.append(c)
        if who:
            form = c.get("/app/login")
            answer = c.post(
                "/app/login",
                data={
                    "username": logins[who],
                    "password": PASSWORD,
                    "csrf_token": csrf_of(form.text),
                },
            )
            assert answer.status_code == 303, answer.text
        return c

    yield make
    for c in opened:
        c.close()
