"""Administrators record a year's calendar decision; everyone reads the year with its sources."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Browser, Client, csrf_of
from tests.integration.helpers import act, ok, operation_issue

# A made-up provincial decision: Wed 30 and Thu 31 Dec 2026 off, Sat 26 Dec 2026 worked.
DECISION = {
    "source": "Quyết định 99/QĐ-UBND ngày 01/11/2026 (test document)",
    "days": [
        {"day": "2026-12-30", "kind": "holiday", "note": "Nghỉ cuối năm"},
        {"day": "2026-12-31", "kind": "holiday", "note": "Nghỉ cuối năm"},
        {"day": "2026-12-26", "kind": "working_day", "note": "Làm bù"},
    ],
}


def _dossier() -> dict[str, Any]:
    return operation_issue(home_registration_valid_until="2031-12-31")


def _year(client: Client, who: str, year: int) -> dict[str, dict[str, Any]]:
    listing = ok(client(who).get(f"/calendar/{year}"))
    assert listing["year"] == year
    return {d["day"]: d for d in listing["days"]}


def test_a_years_decision_moves_new_appointment_dates(client: Client) -> None:
    """Accepted Mon 23/11/2026 with 30 WD: due Wed 6/1/2027; with the decision, Thu 7/1/2027.

    By hand, with the decision: Nov 25-27 (3; Tue 24 Cultural Day), Nov 30-Dec 4 (8), Dec 7-11
    (13), 14-18 (18), 21-25 (23), Sat 26 (24), Mon 28 (25), Tue 29 (26), [Wed 30, Thu 31,
    Fri 1/1 off], Mon 4/1 (27), Tue 5 (28), Wed 6 (29), Thu 7/1/2027 (30).
    """
    handler, admin = client("handler"), client("admin")
    before = ok(handler.post("/dossiers", json=_dossier()), 201)
    assert act(handler, before["id"], "accept")["due_date"] == "2027-01-06"

    assert handler.post("/calendar/years/2026", json=DECISION).status_code == 403
    outside = {**DECISION, "days": [*DECISION["days"], {"day": "2027-01-04", "kind": "holiday"}]}
    refused = admin.post("/calendar/years/2026", json=outside)
    assert refused.status_code == 422 and "2027-01-04" in refused.text
    twice = {**DECISION, "days": [*DECISION["days"], DECISION["days"][0]]}
    assert admin.post("/calendar/years/2026", json=twice).status_code == 422
    assert admin.post("/calendar/years/2026", json={**DECISION, "source": ""}).status_code == 422
    assert admin.post("/calendar/years/1999", json=DECISION).status_code == 422
    assert ok(admin.get("/calendar/overrides")) == []  # nothing of a refused decision is kept

    stored = ok(admin.post("/calendar/years/2026", json=DECISION))
    assert [(o["day"], o["kind"], o["source"]) for o in stored] == [
        ("2026-12-26", "working_day", DECISION["source"]),
        ("2026-12-30", "holiday", DECISION["source"]),
        ("2026-12-31", "holiday", DECISION["source"]),
    ]
    after = ok(handler.post("/dossiers", json=_dossier()), 201)
    assert act(handler, after["id"], "accept")["due_date"] == "2027-01-07"
    # Appointment dates already given stay.
    assert ok(handler.get(f"/dossiers/{before['id']}"))["due_date"] == "2027-01-06"

    events = ok(admin.get("/admin/events", params={"entity": "calendar"}))
    assert {(e["entity_key"], e["after"]["source"]) for e in events} == {
        (d["day"], DECISION["source"]) for d in DECISION["days"]
    }


def test_the_year_listing_shows_each_days_source(client: Client) -> None:
    admin = client("admin")
    ok(admin.post("/calendar/years/2026", json=DECISION))
    confirm = {"kind": "holiday", "source": "Bộ luật Lao động sửa đổi (test document)"}
    assert (
        ok(admin.put("/calendar/overrides/2026-11-24", json=confirm))["source"]
        == (confirm["source"])
    )
    assert client("").get("/calendar/2026").status_code == 401
    for who in ("handler", "manager", "BCA"):  # any signed-in role
        assert client(who).get("/calendar/2026").status_code == 200
    days = _year(client, "BCA", 2026)
    assert (days["2026-01-01"]["layer"], days["2026-01-01"]["name_en"]) == (
        "holidays_vn",
        "New Year's Day",
    )
    swap = days["2026-01-02"]
    assert (swap["layer"], swap["working"], swap["origin"]) == (
        "shipped",
        False,
        "flows/calendar_data/2026.toml",
    )
    assert "12729/VPCP-KGVX" in swap["source"] and "25/12/2025" in swap["source"]
    assert days["2026-01-10"]["working"] and days["2026-01-10"]["weekday"] == 5
    cultural = days["2026-11-24"]
    assert (cultural["layer"], cultural["open"], cultural["source"]) == (
        "override",
        False,
        confirm["source"],
    )
    assert cultural["name_vi"] == "Ngày Văn hóa Việt Nam"
    worked = days["2026-12-26"]
    assert (worked["layer"], worked["working"], worked["name_vi"], worked["source"]) == (
        "override",
        True,
        "Làm bù",
        DECISION["source"],
    )
    assert days["2026-12-30"]["source"] == DECISION["source"]
    listing = ok(client("handler").get("/calendar/2026"))
    assert listing["office_hours_end"] is None and listing["holidays_version"]
    # Removing the confirmation brings the shipped, open entry back.
    assert admin.delete("/calendar/overrides/2026-11-24").status_code == 204
    reopened = _year(client, "handler", 2026)["2026-11-24"]
    assert (reopened["layer"], reopened["open"]) == ("shipped", True)
    assert "30/NQ-CP" in reopened["source"]
    assert client("handler").get("/calendar/1999").status_code == 422


def _post(c: Any, url: str, **data: str) -> Any:
    return c.post(url, data={"csrf_token": csrf_of(c.get("/app/admin").text), **data})


def test_an_administrator_records_a_years_decision_on_the_page(
    browser: Browser, client: Client
) -> None:
    admin = browser("admin")
    page = admin.get("/app/admin/calendar", params={"year": 2026, "lang": "en"}).text
    assert "12729/VPCP-KGVX" in page and "to be confirmed" in page and "Yearly data" in page
    lines = "2026-12-30 holiday Nghỉ cuối năm\n\n2026-12-26 working_day Làm bù\n"
    wrong = _post(admin, "/app/admin/calendar/years", year="2026", source="", days=lines)
    assert wrong.status_code == 422 and "Nghỉ cuối năm" in wrong.text  # the form comes back
    bad_line = _post(admin, "/app/admin/calendar/years", year="2026", source="X", days="2026-12-30")
    assert bad_line.status_code == 422 and "line 1" in bad_line.text
    done = _post(
        admin, "/app/admin/calendar/years", year="2026", source=DECISION["source"], days=lines
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/app/admin/calendar?year=2026&done=year-recorded"
    shown = admin.get(done.headers["location"]).text
    assert shown.count(DECISION["source"]) == 4  # two rows of the year, two overrides
    assert [o["day"] for o in ok(client("admin").get("/calendar/overrides"))] == [
        "2026-12-26",
        "2026-12-30",
    ]
    single = _post(
        admin,
        "/app/admin/calendar",
        day="2026-11-24",
        kind="working_day",
        note="Reopened",
        source="Công văn 1/BNV (test document)",
    )
    assert single.status_code == 303
    overrides = {o["day"]: o for o in ok(client("admin").get("/calendar/overrides"))}
    assert overrides["2026-11-24"]["source"] == "Công văn 1/BNV (test document)"
    assert _year(client, "handler", 2026)["2026-11-24"]["working"] is True
