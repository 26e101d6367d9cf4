"""Handlers' worklist: filters, search, soonest legal due date first, paging."""

from __future__ import annotations

from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue


def test_list_filters_and_orders_by_legal_due_date(client: Client, clock: Clock) -> None:
    """Accepted dossiers come soonest-due first; filters narrow; total counts all matches."""
    h, m = client("handler"), client("manager")
    ids = []
    for i, name in enumerate(["Alpha Trust", "Beta Aid", "Gamma Relief"]):
        clock.set(2026, 11, 23 + i, 9, 0)
        applicant = {"name": name, "country": "Japan", "email": f"a{i}@example.org"}
        ids.append(ok(h.post("/dossiers", json=operation_issue(applicant=applicant)), 201)["id"])
    clock.set(2026, 11, 27, 9, 0)
    act(h, ids[2], "accept")  # due earlier than ids[1] accepted later
    clock.set(2026, 11, 30, 9, 0)
    act(h, ids[1], "accept")
    act(h, ids[1], "assign", {"assignee": "Trần Thị Bình"})

    page = ok(m.get("/dossiers"))
    assert page["total"] == 3
    assert [d["id"] for d in page["items"]] == [ids[2], ids[1], ids[0]]
    assert ok(m.get("/dossiers", params={"status": "in_review"}))["total"] == 2
    assert [
        d["id"] for d in ok(m.get("/dossiers", params={"assignee": "Trần Thị Bình"}))["items"]
    ] == [ids[1]]
    assert [d["id"] for d in ok(m.get("/dossiers", params={"q": "gamma"}))["items"]] == [ids[2]]
    assert ok(m.get("/dossiers", params={"procedure": "ngo.office.issue"}))["total"] == 0
    paged = ok(m.get("/dossiers", params={"limit": 1, "offset": 1}))
    assert paged["total"] == 3 and [d["id"] for d in paged["items"]] == [ids[1]]
    assert ok(m.get("/dossiers", params={"overdue": "true"}))["total"] == 0
    due = ok(m.get(f"/dossiers/{ids[2]}"))["due_date"]
    assert ok(m.get("/dossiers", params={"due_before": due}))["total"] == 0

    clock.set(2027, 2, 1, 9, 0)  # long past both appointment dates
    overdue = ok(m.get("/dossiers", params={"overdue": "true"}))
    assert [d["id"] for d in overdue["items"]] == [ids[2], ids[1]]
    assert all(d["is_overdue"] and d["working_days_left"] < 0 for d in overdue["items"])
    assert m.get("/dossiers", params={"limit": 0}).status_code == 422


def test_reference_lists_for_clients(client: Client) -> None:
    """Procedures and agencies that clients need to build requests."""
    procedures = ok(client("BCA").get("/procedures"))
    by_code = {p["code"]: p for p in procedures}
    assert by_code["ngo.operation.issue"]["total_working_days"] == 30
    assert "Decree 58/2022" in by_code["ngo.office.issue"]["legal_basis"]
    agencies = {a["code"] for a in ok(client("handler").get("/agencies"))}
    assert {"BCA", "BTC", "BNV", "NHNN", "BYT", "UBCT-PCPNN", "BNG"} <= agencies


def test_search_folds_vietnamese_case(client: Client) -> None:
    """Searching 'đồng hành' finds 'Quỹ ĐỒNG HÀNH' on SQLite as on PostgreSQL."""
    applicant = {"name": "Quỹ ĐỒNG HÀNH", "country": "Việt Nam", "email": "q@example.org"}
    ok(client("handler").post("/dossiers", json=operation_issue(applicant=applicant)), 201)
    found = ok(client("manager").get("/dossiers", params={"q": "đồng hành"}))
    assert [d["applicant"]["name"] for d in found["items"]] == ["Quỹ ĐỒNG HÀNH"]
