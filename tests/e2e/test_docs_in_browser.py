"""The API docs render in a real browser cut off from the Internet (headless Chromium)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


@dataclass
class Offline:
    """A browser page whose requests anywhere but 127.0.0.1 are refused, and remembered."""

    page: object
    refused: list[str] = field(default_factory=list)


@pytest.fixture
def offline() -> Iterator[Offline]:
    """A fresh headless Chromium page (Debian's chromium) that can reach only 127.0.0.1."""
    from playwright.sync_api import Route, sync_playwright

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
            page = browser.new_page()
            state = Offline(page)

            def only_here(route: Route) -> None:
                url = route.request.url
                if urlsplit(url).hostname == "127.0.0.1":
                    route.continue_()
                else:
                    state.refused.append(url)
                    route.abort()

            page.route("**/*", only_here)
            yield state
        finally:
            browser.close()


def test_swagger_ui_renders_offline_with_authorize(
    server_url: str, offline: Offline, tmp_path: Path
) -> None:
    """/docs: the operations and the Authorize button (bearer token), nothing fetched outside."""
    from playwright.sync_api import Page, expect

    page = offline.page
    assert isinstance(page, Page)
    page.goto(f"{server_url}/docs")
    authorize = page.get_by_role("button", name="Authorize")
    expect(authorize).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/dossiers").first).to_be_visible()
    authorize.click()
    expect(page.get_by_text("HTTPBearer", exact=False).first).to_be_visible()
    expect(page.get_by_label("Value")).to_be_visible()
    page.screenshot(path=str(tmp_path / "docs.png"), full_page=True)
    assert offline.refused == []


def test_redoc_renders_offline(server_url: str, offline: Offline) -> None:
    """/redoc: the operations list, with nothing fetched from outside."""
    from playwright.sync_api import Page, expect

    page = offline.page
    assert isinstance(page, Page)
    page.goto(f"{server_url}/redoc")
    # ReDoc parses the whole document before it shows anything: slower than Swagger UI.
    expect(page.get_by_role("heading", name=re.compile(r"^ngo-review")).first).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("/dossiers", exact=False).first).to_be_attached()
    # ReDoc 2.5.4 always puts its vendor's logo from a CDN in the sidebar footer; the page's
    # Content-Security-Policy stops the browser from even trying.
    assert offline.refused == []
