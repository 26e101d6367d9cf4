"""The whole review in a real browser: every role signs in and does its part (headless Chromium).

A handler receives a dossier through the intake form, uploads a document, accepts it and
consults two agencies; each agency signs in and answers; the handler proposes; the leader signs;
the API then shows the dossier approved. Screenshots of the worklist, the dossier page, the
leader's queue and the agency inbox are saved under test-artifacts/ (or $NGO_REVIEW_ARTIFACTS).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import PASSWORD, Client
from tests.integration.helpers import answer_all, ok

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
ARTIFACTS = Path(os.environ.get("NGO_REVIEW_ARTIFACTS", "test-artifacts"))


@pytest.fixture
def browser_app() -> Iterator[object]:
    """Headless Debian Chromium; each role gets its own context (its own cookies)."""
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
            yield browser
        finally:
            browser.close()


def _sign_in(browser: object, base: str, username: str, *, phone: bool = False) -> object:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    page = browser.new_context(viewport=viewport, base_url=base).new_page()  # type: ignore[arg-type]
    page.set_default_timeout(15_000)
    page.goto("/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    return page


def _shot(page: object, name: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_every_role_does_its_part_in_the_browser(
    server_url: str, logins: dict[str, str], client: Client, browser_app: object, tmp_path: Path
) -> None:
    """Receive → upload → accept → consult → agencies answer → propose → sign → approved."""
    from playwright.sync_api import Page, expect

    handler = _sign_in(browser_app, server_url, "handler")
    assert isinstance(handler, Page)
    expect(handler).to_have_url(re.compile(r"/app/worklist$"))
    handler.get_by_role("link", name="Tiếp nhận hồ sơ").first.click()
    handler.locator('a[href="/app/dossiers/new/ngo.operation.issue"]').click()
    handler.locator('[name="applicant.name"]').fill("Quỹ Sông Xanh (Save the Rivers)")
    handler.locator('[name="applicant.country"]').fill("Na Uy")
    handler.locator('[name="applicant.email"]').fill("contact@savetherivers.example.org")
    handler.locator('[name="subject"]').fill("Đăng ký hoạt động về nước sạch tại Quảng Trị")
    handler.locator('[name="provinces"]').fill("Quảng Trị\nHuế")
    handler.locator('[name="activity_fields"]').fill("Nước sạch và vệ sinh môi trường")
    handler.locator('[name="home_registration_valid_until"]').fill("2035-12-31")
    handler.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(handler.locator("h1")).to_contain_text("UBCT-PCPNN-20261123-0001")
    dossier_url = handler.url.split("?")[0]
    dossier_id = dossier_url.rstrip("/").split("/")[-1]

    charter = tmp_path / "Điều lệ tổ chức.pdf"
    charter.write_bytes(b"%PDF-1.4\n% charter of the NGO\n")
    handler.locator('input[type="file"]').set_input_files(str(charter))
    handler.locator("form.upload button").click()
    expect(handler.locator("#documents")).to_contain_text("Điều lệ tổ chức.pdf")

    handler.get_by_role("link", name="Tiếp nhận hồ sơ hợp lệ").click()
    handler.get_by_role("button", name="Tiếp nhận hồ sơ hợp lệ").click()
    expect(handler.locator("h1")).to_contain_text("Đang giải quyết")

    handler.get_by_role("link", name="Lấy ý kiến cơ quan liên quan").click()
    # The agencies the law requires come checked: Quảng Trị's and Huế's People's Committees too.
    for code in ("BCA", "BTC", "UBND-QT", "UBND-HUE", "BNNMT"):
        expect(handler.locator(f'input[name="agencies"][value="{code}"]')).to_be_checked()
    handler.get_by_role("button", name="Lấy ý kiến cơ quan liên quan").click()
    expect(handler.get_by_text("Chờ trả lời").first).to_be_visible()
    _shot(handler, "dossier-page")

    for agency in ("BCA", "BTC"):
        officer = _sign_in(browser_app, server_url, logins[agency], phone=agency == "BTC")
        assert isinstance(officer, Page)
        expect(officer).to_have_url(re.compile(r"/app/consultations$"))
        if agency == "BCA":
            _shot(officer, "agency-inbox")
        officer.get_by_role("link", name="UBCT-PCPNN-20261123-0001").first.click()
        expect(officer.get_by_text("Điều lệ tổ chức.pdf")).to_be_visible()
        officer.get_by_label("Đồng ý", exact=True).check()
        officer.get_by_label("Ý kiến cụ thể (nếu có)").fill(f"{agency}: không có ý kiến khác.")
        officer.get_by_role("button", name="Gửi ý kiến").click()
        expect(officer.get_by_text("Đã trả lời").first).to_be_visible()
        officer.context.close()

    # The other required agencies answer over the API; only then may a decision be proposed.
    answer_all(client, ok(client("handler").get(f"/dossiers/{dossier_id}")))
    handler.goto(dossier_url)
    handler.get_by_role("link", name="Trình dự thảo quyết định").click()
    handler.locator('input[name="outcome"][value="approve"]').check()
    handler.locator('[name="reasons"]').fill("Các cơ quan đều đồng ý.")
    handler.get_by_role("button", name="Trình dự thảo quyết định").click()
    expect(handler.locator("h1")).to_contain_text("Chờ lãnh đạo ký")
    handler.goto("/app/worklist")
    _shot(handler, "worklist")

    leader = _sign_in(browser_app, server_url, "leader")
    assert isinstance(leader, Page)
    expect(leader).to_have_url(re.compile(r"/app/decisions$"))
    expect(leader.locator(".badge")).to_have_text("1")
    _shot(leader, "leader-queue")
    leader.get_by_role("link", name="UBCT-PCPNN-20261123-0001").click()
    expect(leader.get_by_text("BCA: không có ý kiến khác.")).to_be_visible()
    leader.get_by_role("button", name="Ký", exact=True).click()
    expect(leader.get_by_role("status")).to_be_visible()

    dossier = ok(client("manager").get(f"/dossiers/{dossier_id}"))
    assert dossier["status"] == "approved"
    assert {c["opinion"] for c in dossier["consultations"]} == {"agree"}
    assert len(dossier["consultations"]) == 7
    assert (
        ok(client("manager").get(f"/dossiers/{dossier_id}/documents"))[0]["name"]
        == "Điều lệ tổ chức.pdf"
    )
