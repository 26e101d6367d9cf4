"""Administrators add local holidays and working days; new deadlines follow them."""

from __future__ import annotations

from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue


def test_a_local_holiday_moves_new_appointment_dates(client: Client) -> None:
    """A holiday on Wed 25 Nov 2026 pushes a 30 WD deadline from 6 to 7 Jan 2027."""
    admin = client("admin")
    assert (
        client("handler")
        .put("/calendar/overrides/2026-11-25", json={"kind": "holiday"})
        .status_code
        == 403
    )
    ok(
        admin.put(
            "/calendar/overrides/2026-11-25",
            json={"kind": "holiday", "note": "Provincial anniversary"},
        )
    )
    d = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    assert act(client("handler"), d["id"], "accept")["due_date"] == "2027-01-07"
    # A Saturday made a working day brings the next one back by a day.
    ok(admin.put("/calendar/overrides/2026-11-28", json={"kind": "working_day"}))
    d2 = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    assert act(client("handler"), d2["id"], "accept")["due_date"] == "2027-01-06"
    assert [o["day"] for o in ok(client("manager").get("/calendar/overrides"))] == [
        "2026-11-25",
        "2026-11-28",
    ]
    assert admin.delete("/calendar/overrides/2026-11-28").status_code == 204
    assert admin.delete("/calendar/overrides/2026-11-28").status_code == 404
    assert admin.put("/calendar/overrides/2026-13-01", json={"kind": "holiday"}).status_code == 422
    assert admin.put("/calendar/overrides/2026-12-01", json={"kind": "party"}).status_code == 422
    assert ok(client("handler").get(f"/dossiers/{d['id']}"))["due_date"] == "2027-01-07"
