"""The manager's home page: open dossiers by status, overdue and at-risk, late agencies."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tests.conftest import VN, Clock
from tests.integration.conftest import Browser, Client
from tests.integration.helpers import act, ok, operation_issue


def test_dashboard_counts_open_dossiers_by_status(client: Client, browser: Browser) -> None:
    """One received and one in review: both counted, nothing overdue yet."""
    handler = client("handler")
    ok(handler.post("/dossiers", json=operation_issue()), 201)
    d = ok(handler.post("/dossiers", json=operation_issue()), 201)
    act(handler, d["id"], "accept")
    page = browser("manager").get("/app/dashboard")
    assert page.status_code == 200
    assert "Đã tiếp nhận, chờ kiểm tra" in page.text and "Đang giải quyết" in page.text
    assert "Không có hồ sơ quá hạn." in page.text
    assert "Không có cơ quan nào chậm trả lời." in page.text


def test_dashboard_shows_overdue_dossiers_and_late_agencies(
    client: Client, browser: Browser, clock: Clock
) -> None:
    """Sixty days on, the accepted dossier is overdue and BCA has not answered in time."""
    handler = client("handler")
    d = ok(handler.post("/dossiers", json=operation_issue()), 201)
    act(handler, d["id"], "accept")
    act(handler, d["id"], "consult", {"agencies": ["BCA"]})
    clock.advance(days=60)
    page = browser("manager").get("/app/dashboard")
    assert page.status_code == 200
    overdue = page.text[
        page.text.index("<h2>Hồ sơ quá hạn") : page.text.index("<h2>Hồ sơ có nguy cơ trễ hạn")
    ]
    assert f'href="/app/dossiers/{d["id"]}"' in overdue and d["code"] in overdue
    assert "Quá hạn" in overdue
    late = page.text[page.text.index("<h2>Cơ quan chậm trả lời") :]
    assert "Bộ Công an" in late and "(BCA)" in late
    assert browser("admin").get("/app/dashboard").status_code == 200


def test_dashboard_lists_dossiers_at_risk(client: Client, browser: Browser, clock: Clock) -> None:
    """The day before its appointment date the dossier is at risk, not overdue."""
    handler = client("handler")
    d = ok(handler.post("/dossiers", json=operation_issue()), 201)
    due = date.fromisoformat(act(handler, d["id"], "accept")["due_date"])
    clock.now = datetime.combine(due - timedelta(days=1), time(9), tzinfo=VN)
    left = ok(handler.get(f"/dossiers/{d['id']}"))["working_days_left"]
    assert 0 < left <= 3
    page = browser("manager").get("/app/dashboard").text
    at_risk = page[
        page.index("<h2>Hồ sơ có nguy cơ trễ hạn") : page.index("<h2>Cơ quan chậm trả lời")
    ]
    assert f'href="/app/dossiers/{d["id"]}"' in at_risk
    assert f"{left} ngày làm việc" in at_risk
    assert "Không có hồ sơ quá hạn." in page


def test_only_managers_and_admins_open_the_dashboard(browser: Browser) -> None:
    """A handler or an agency officer gets a 403 page."""
    for who in ("handler", "BCA", "leader"):
        answer = browser(who).get("/app/dashboard")
        assert answer.status_code == 403 and "text/html" in answer.headers["content-type"]
