"""The manager's dashboard in a real browser (headless Debian Chromium).

A year of dossiers is imported; the manager signs in and reads the dashboard; a handler and a
leader then decide a live dossier through the API; on reload the completed count, the on-time
chart and the processing-time chart have moved. Screenshots of the dashboard on a laptop and
on a phone are saved under test-artifacts/ (or $NGO_REVIEW_ARTIFACTS).
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_review_in_browser import (  # noqa: F401 (browser_app is a fixture)
    CHROMIUM,
    _shot,
    _sign_in,
    browser_app,
)
from tests.integration.conftest import Client
from tests.integration.helpers import act, answer_all, ok, operation_issue
from tests.integration.test_metrics import import_year

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


def test_the_dashboard_moves_when_a_dossier_is_decided(
    server_url: str,
    logins: dict[str, str],
    client: Client,
    browser_app: object,  # noqa: F811
) -> None:
    """Completed +1, November's bar gains an early decision, the 0–5 WD bucket grows."""
    from playwright.sync_api import Page, expect

    import_year(client("admin"))
    handler, leader = client("handler"), client("leader")
    live = ok(handler.post("/dossiers", json=operation_issue()), 201)
    act(handler, live["id"], "accept")
    answer_all(client, act(handler, live["id"], "consult"))
    act(handler, live["id"], "propose", {"outcome": "approve", "validity_years": 3})
    before = ok(client("manager").get("/metrics/summary"))

    manager = _sign_in(browser_app, server_url, logins["manager"])
    assert isinstance(manager, Page)
    expect(manager).to_have_url(re.compile(r"/app/dashboard$"))
    completed = manager.locator("#figure-completed b")
    expect(completed).to_have_text(str(before["completed"]))
    on_time = manager.locator("#chart-on-time svg")
    processing = manager.locator("#chart-processing-time svg")
    expect(on_time).to_have_attribute("role", "img")
    on_time_before = on_time.get_attribute("aria-label") or ""
    processing_before = processing.get_attribute("aria-label") or ""
    assert "11/2026: Trước hạn 0, Đúng hạn 0, Quá hạn 0" in on_time_before

    act(leader, live["id"], "sign")
    manager.reload()
    expect(completed).to_have_text(str(before["completed"] + 1))
    on_time_after = on_time.get_attribute("aria-label") or ""
    assert on_time_after != on_time_before
    assert "11/2026: Trước hạn 1, Đúng hạn 0, Quá hạn 0 (100%)" in on_time_after
    assert (processing.get_attribute("aria-label") or "") != processing_before
    expect(manager.locator("#figure-on-time b")).not_to_have_text("—")
    _shot(manager, "dashboard")

    manager.get_by_label("Thủ tục").select_option("province.opinion")
    manager.get_by_role("button", name="Xem").click()
    expect(manager).to_have_url(re.compile(r"procedure=province.opinion"))
    expect(completed).to_have_text("2")

    phone = _sign_in(browser_app, server_url, logins["manager"], phone=True)
    assert isinstance(phone, Page)
    expect(phone.locator("#figure-completed b")).to_have_text(str(before["completed"] + 1))
    _shot(phone, "dashboard-phone")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the phone page scrolls sideways by {overflow}px"
