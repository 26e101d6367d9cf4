"""An agency officer answers from the e-mail link in a real browser (headless Chromium)."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from config.settings import Settings
from notifications.delivery import deliver_once
from tests.conftest import Clock
from tests.integration.conftest import Client, SmtpServer
from tests.integration.helpers import act, ok, operation_issue

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


@pytest.fixture
def page() -> Iterator[object]:
    """A fresh headless Chromium page (Debian's chromium; Playwright cannot download one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


async def _reply_link(
    client: Client, engine: Engine, settings: Settings, smtp: SmtpServer, clock: Clock
) -> tuple[str, str]:
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")
    act(h, d["id"], "consult", {"agencies": ["BCA"]})
    await deliver_once(engine, settings, clock=clock)
    [mail] = smtp.inbox.to("bca@agencies.example.org")
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(r"https?://\S+/reply/\S+", text)
    assert match
    return d["id"], match.group(0)


@pytest.fixture
def reply_link(
    client: Client, engine: Engine, settings: Settings, smtp: SmtpServer, clock: Clock
) -> tuple[str, str]:
    """A consulted dossier and the reply link BCA received (before the browser starts)."""
    return asyncio.run(_reply_link(client, engine, settings, smtp, clock))


def test_agency_answers_from_the_email_link(
    client: Client, reply_link: tuple[str, str], page: object, tmp_path: Path
) -> None:
    """Open link → summary (nothing recorded) → English → choose, comment, send → used."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    dossier_id, url = reply_link
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Trả lời đề nghị lấy ý kiến")
    expect(page.locator("dl")).to_contain_text("UBCT-PCPNN-20261123-0001")
    assert (
        ok(client("handler").get(f"/dossiers/{dossier_id}"))["consultations"][0]["status"]
        == "requested"
    )
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer a request for your opinion")
    page.get_by_label("Agree with conditions").check()
    page.get_by_label("Comments (optional)").fill("Only in Huế and Quảng Trị.")
    page.screenshot(path=str(tmp_path / "reply-form.png"), full_page=True)
    page.get_by_role("button", name="Send opinion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opinion recorded")
    [c] = ok(client("handler").get(f"/dossiers/{dossier_id}"))["consultations"]
    assert (c["status"], c["opinion"], c["comments"]) == (
        "answered",
        "agree_with_conditions",
        "Only in Huế and Quảng Trị.",
    )
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Đường dẫn đã được sử dụng")
