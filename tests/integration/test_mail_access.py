"""/mail over real HTTP with the embedded SMTP sink: only a signed-in administrator sees the
caught mail and the agency reply links in it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from config.settings import Settings
from notifications.delivery import deliver_once
from notifications.sink import SmtpSink
from tests.conftest import Clock
from tests.integration.conftest import Browser, Client
from tests.integration.helpers import act, ok, operation_issue


@pytest.fixture
def sink(settings: Settings) -> Iterator[SmtpSink]:
    """The embedded sink, on the Maildir the test app's /mail reads; mail goes to it."""
    running = SmtpSink(settings.var_dir / "mail")
    settings.smtp_port = running.start()
    yield running
    running.stop()


async def _mail_with_reply_links(
    client: Client, engine: Engine, settings: Settings, clock: Clock
) -> None:
    """A consultation of BCA, delivered through SMTP into the sink."""
    handler = client("handler")
    d = ok(handler.post("/dossiers", json=operation_issue()), 201)
    act(handler, d["id"], "accept")
    act(handler, d["id"], "consult", {"agencies": ["BCA"]})
    assert (await deliver_once(engine, settings, clock=clock)).as_dict()["sent"] >= 1


def _keys(html: str) -> list[str]:
    return re.findall(r'href="/mail/([^"/]+)"', html)


async def test_only_a_signed_in_administrator_reads_the_mail(
    client: Client,
    browser: Browser,
    engine: Engine,
    settings: Settings,
    clock: Clock,
    sink: SmtpSink,
    server_url: str,
) -> None:
    """The finding: /mail needed no sign-in and showed reply links. Visitors (even with an
    admin's API token) are sent to sign in, other roles get the 403 page; the admin reads."""
    await _mail_with_reply_links(client, engine, settings, clock)
    admin = browser("admin")
    listed = admin.get("/mail")
    assert listed.status_code == 200
    keys = _keys(listed.text)
    assert keys
    shown = [admin.get(f"/mail/{key}") for key in keys]
    assert all(page.status_code == 200 for page in shown)
    links = sorted({link for page in shown for link in re.findall(r"/reply/[\w.-]+", page.text)})
    assert links, "the agency's message carries its reply link"
    assert admin.get(f"/mail/{keys[0]}/html").status_code == 200

    paths = ["/mail", *(f"/mail/{key}" for key in keys), f"/mail/{keys[0]}/html"]
    with httpx.Client(base_url=server_url, timeout=30) as visitor:
        for path in paths:
            answer = visitor.get(path)
            assert answer.status_code == 303, (path, answer.status_code)
            assert answer.headers["location"] == f"/app/login?next={path}"
            assert "/reply/" not in answer.text
    with_token = client("admin")  # a bearer token is no page sign-in
    for path in paths:
        answer = with_token.get(path)
        assert answer.status_code == 303 and "/reply/" not in answer.text
    for role in ("handler", "leader", "manager", "BCA"):
        signed_in = browser(role)
        for path in paths:
            answer = signed_in.get(path)
            assert answer.status_code == 403, (role, path, answer.status_code)
            assert answer.headers["content-type"].startswith("text/html")
            assert "/reply/" not in answer.text
    assert admin.get("/mail/no-such-message").status_code == 404
