"""The NGO register and the public pages in a real browser (headless Debian Chromium).

(a) A handler opens the register, searches an NGO, opens its page, sees its certificate and an
obligation, records the obligation as received through the form and sees it met. (b) A visitor
without sign-in opens the public list: the NGO with a valid certificate is there, one whose
certificate was revoked and one whose certificate expired are not; the page switches to English.
(c) The status lookup: the right code and e-mail show the status and appointment date; the right
code with a wrong e-mail shows the neutral "not found" and nothing about the dossier.
Screenshots are saved under test-artifacts/ (or $NGO_REVIEW_ARTIFACTS).
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import Clock
from tests.e2e.test_review_in_browser import (  # noqa: F401 (browser_app is a fixture)
    CHROMIUM,
    _shot,
    _sign_in,
    browser_app,
)
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue
from tests.integration.test_register_pages import RIVERS, registered

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


def _visitor(browser: object, base: str) -> object:
    """A browser context with no session at all."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_context(
        viewport={"width": 1280, "height": 900},
        base_url=base,  # type: ignore[arg-type]
    ).new_page()
    page.set_default_timeout(15_000)
    return page


def test_a_handler_records_an_obligation_received_in_the_browser(
    server_url: str,
    logins: dict[str, str],
    client: Client,
    browser_app: object,  # noqa: F811
) -> None:
    """Register → search → the NGO's page → its certificate and obligations → record received."""
    from playwright.sync_api import Page, expect

    made = registered(client)
    registered(client, "Green Hands", "Japan", "gh@example.org")
    cert = made["ngo"]["certificates"][0]
    bank = next(o for o in made["ngo"]["obligations"] if o["kind"] == "bank_account_notice")

    handler = _sign_in(browser_app, server_url, logins["handler"])
    assert isinstance(handler, Page)
    expect(handler).to_have_url(re.compile(r"/app/worklist$"))
    handler.get_by_role("link", name="Tổ chức PCPNN").click()
    expect(handler.locator("h1")).to_contain_text("Tổ chức phi chính phủ nước ngoài")
    expect(handler.locator("table.ngos")).to_contain_text("Green Hands")
    handler.get_by_label("Tên tổ chức hoặc quốc gia").fill("rivers")
    handler.get_by_role("button", name="Tìm").click()
    expect(handler).to_have_url(re.compile(r"q=rivers"))
    rows = handler.locator("table.ngos tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(cert["number"])
    expect(rows.first).to_contain_text("Đang hiệu lực")
    handler.get_by_role("link", name=RIVERS).click()

    expect(handler.locator("h1")).to_contain_text(RIVERS)
    expect(handler.locator("#certificates")).to_contain_text(cert["number"])
    expect(handler.locator("#certificates")).to_contain_text("Cấp mới")
    row = handler.locator(f"#obligation-{bank['id']}")
    expect(row).to_contain_text("Thông báo tài khoản ngân hàng")
    expect(row).to_contain_text("Đang chờ")
    due = bank["due_date"]
    expect(row).to_contain_text(f"{due[8:10]}/{due[5:7]}/{due[:4]}")
    _shot(handler, "ngo-page")

    row.get_by_text("Ghi nhận đã nhận").click()
    row.get_by_label("Ngày nhận").fill("2026-11-23")
    row.get_by_label("Số, ngày văn bản").fill("15/CV-STR ngày 23/11/2026")
    row.get_by_label("Ghi chú").fill("Tài khoản tại Vietcombank")
    row.get_by_role("button", name="Ghi nhận").click()

    expect(handler.get_by_role("status")).to_contain_text("Đã ghi nhận nghĩa vụ đã thực hiện.")
    row = handler.locator(f"#obligation-{bank['id']}")
    expect(row).to_contain_text("Đã thực hiện")
    expect(row).to_contain_text("15/CV-STR ngày 23/11/2026")
    expect(row.get_by_text("Ghi nhận đã nhận")).to_have_count(0)
    met = next(
        o
        for o in ok(client("handler").get(f"/ngos/{made['ngo']['id']}"))["obligations"]
        if o["id"] == bank["id"]
    )
    assert met["status"] == "met" and met["received_on"] == "2026-11-23"


def test_a_visitor_sees_only_ngos_with_a_valid_certificate(
    server_url: str,
    client: Client,
    clock: Clock,
    browser_app: object,  # noqa: F811
) -> None:
    """A revoked certificate and an expired one are not listed; the page switches to English."""
    from playwright.sync_api import Page, expect

    expired = registered(client, "Old Friends Society", "Canada", "old@example.org")
    assert expired["ngo"]["certificates"][0]["valid_until"] < "2030-01-01"
    clock.set(2030, 3, 4, 9, 0)  # Old Friends' certificate (three years) has expired
    valid = registered(client)
    revoked = registered(client, "Green Hands", "Japan", "gh@example.org")
    ok(
        client("leader").post(
            f"/certificates/{revoked['ngo']['certificates'][0]['id']}/acts",
            json={"act": "revoke", "reason": "Vi phạm", "legal_basis": "Nghị định 58, Điều 7"},
        )
    )

    visitor = _visitor(browser_app, server_url)
    assert isinstance(visitor, Page)
    visitor.goto("/public/ngos")
    expect(visitor).to_have_url(re.compile(r"/public/ngos$"))  # no sign-in
    expect(visitor.locator("h1")).to_have_text(
        "Tổ chức phi chính phủ nước ngoài được cấp phép hoạt động"
    )
    listed = visitor.locator("section.ngo")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text(RIVERS)
    expect(listed.first).to_contain_text(valid["ngo"]["certificates"][0]["number"])
    main = visitor.locator("main")
    expect(main).not_to_contain_text("Green Hands")
    expect(main).not_to_contain_text("Old Friends Society")
    _shot(visitor, "public-ngos")

    visitor.get_by_role("link", name="English").click()
    expect(visitor).to_have_url(re.compile(r"lang=en"))
    expect(visitor.locator("h1")).to_have_text("Foreign NGOs registered to operate")
    expect(visitor.locator("html")).to_have_attribute("lang", "en")
    expect(visitor.locator("section.ngo")).to_contain_text("Valid")
    visitor.get_by_label("Name or country").fill("japan")
    visitor.get_by_role("button", name="Search").click()
    expect(visitor.locator("main")).to_contain_text("No organisation matches.")


def test_the_status_lookup_tells_only_whoever_knows_code_and_email(
    server_url: str,
    client: Client,
    browser_app: object,  # noqa: F811
) -> None:
    """Right code and e-mail: the status and appointment date. Wrong e-mail: the neutral
    message, no status, no subject, no applicant name."""
    from playwright.sync_api import Page, expect

    handler = client("handler")
    applicant = {"name": "Blue Ocean Trust", "country": "Australia", "email": "hi@blue.example"}
    subject = "Đăng ký hoạt động bảo vệ rạn san hô"
    dossier = ok(
        handler.post("/dossiers", json=operation_issue(applicant=applicant, subject=subject)),
        201,
    )
    accepted = act(handler, dossier["id"], "accept")
    due = accepted["due_date"]
    appointment = f"{due[8:10]}/{due[5:7]}/{due[:4]}"

    visitor = _visitor(browser_app, server_url)
    assert isinstance(visitor, Page)
    visitor.goto("/app/login")
    visitor.get_by_role("link", name="Tra cứu tình trạng hồ sơ").click()
    expect(visitor).to_have_url(re.compile(r"/public/status"))
    visitor.get_by_label("Mã hồ sơ").fill(dossier["code"])
    visitor.get_by_label("Thư điện tử của tổ chức").fill("HI@blue.example")
    visitor.get_by_role("button", name="Tra cứu").click()
    status = visitor.locator("#status")
    expect(status).to_contain_text("Đang giải quyết")
    expect(status).to_contain_text("Ngày hẹn trả kết quả")
    expect(status).to_contain_text(appointment)
    expect(status).to_contain_text(dossier["code"])
    _shot(visitor, "public-status")

    visitor.get_by_label("Thư điện tử của tổ chức").fill("someone@else.example")
    visitor.get_by_role("button", name="Tra cứu").click()
    expect(visitor.locator("#not-found")).to_contain_text("Không tìm thấy hồ sơ khớp")
    expect(visitor.locator("#status")).to_have_count(0)
    main = visitor.locator("main")
    for secret in ("Đang giải quyết", appointment, subject, "Blue Ocean Trust", "Australia"):
        expect(main).not_to_contain_text(secret)
    wrong_email = main.inner_text().replace(dossier["code"], "CODE")

    visitor.get_by_label("Mã hồ sơ").fill("UBCT-PCPNN-20990101-0001")
    visitor.get_by_role("button", name="Tra cứu").click()
    expect(visitor.locator("#not-found")).to_contain_text("Không tìm thấy hồ sơ khớp")
    assert main.inner_text().replace("UBCT-PCPNN-20990101-0001", "CODE") == wrong_email
