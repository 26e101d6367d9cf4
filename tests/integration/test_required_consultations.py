"""Issuance consults the provinces of operation and the field ministries; no decision before."""

from __future__ import annotations

from typing import Any

from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, answer_all, ok, operation_issue

STANDING = ["BCA", "BNV", "BTC", "NHNN"]
REQUIRED = sorted([*STANDING, "BNNMT", "UBND-HUE", "UBND-QT"])


def _accepted(client: Client, **fields: Any) -> dict[str, Any]:
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue(**fields)), 201)
    view: dict[str, Any] = act(h, d["id"], "accept")
    return view


def _answer(client: Client, consultation: dict[str, Any]) -> None:
    ok(
        client(consultation["agency"]).post(
            f"/consultations/{consultation['id']}/response", json={"opinion": "agree"}
        )
    )


def test_issuance_cannot_be_approved_before_the_provinces_have_answered(
    client: Client, clock: Clock
) -> None:
    """Quảng Trị and Huế's People's Committees and the water ministry are required."""
    clock.set(2026, 11, 23, 9, 0)  # Monday
    d = _accepted(client)
    assert sorted(d["required_agencies"]) == REQUIRED
    d = act(client("handler"), d["id"], "consult")  # the default: every required agency
    asked = {c["agency"]: c for c in d["consultations"]}
    assert sorted(asked) == REQUIRED
    assert {c["due_date"] for c in asked.values()} == {"2026-12-08"}  # 10 WD, 24/11 off
    for code, consultation in asked.items():
        if code != "UBND-HUE":
            _answer(client, consultation)
    view = ok(client("handler").get(f"/dossiers/{d['id']}"))
    assert view["open_required_agencies"] == ["UBND-HUE"]
    assert "propose" not in view["allowed_actions"]
    refused = client("handler").post(
        f"/dossiers/{d['id']}/actions/propose", json={"outcome": "approve", "reasons": ""}
    )
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "UBND-HUE (requested)" in detail and "Decree 58/2022" in detail
    assert ok(client("handler").get(f"/dossiers/{d['id']}"))["status"] == "in_review"

    _answer(client, asked["UBND-HUE"])
    act(
        client("handler"),
        d["id"],
        "propose",
        {"outcome": "approve", "reasons": "", "validity_years": 3},
    )
    signed = act(client("leader"), d["id"], "sign")
    assert signed["status"] == "approved"


def test_a_required_agency_left_out_by_the_handler_still_blocks_the_decision(
    client: Client,
) -> None:
    """Consulting only Public Security leaves the others 'not consulted'; the 409 names them."""
    d = _accepted(client, provinces=["Huế"])
    d = act(client("handler"), d["id"], "consult", {"agencies": ["BCA"]})
    answer_all(client, d)
    r = client("handler").post(
        f"/dossiers/{d['id']}/actions/propose", json={"outcome": "approve", "reasons": ""}
    )
    assert r.status_code == 409
    assert "UBND-HUE (not consulted)" in r.json()["detail"]
    assert "BNNMT (not consulted)" in r.json()["detail"]
    d = act(client("handler"), d["id"], "consult")  # asks the rest
    assert sorted(c["agency"] for c in d["consultations"]) == sorted(
        [*STANDING, "BNNMT", "UBND-HUE"]
    )
    answer_all(client, d)
    act(client("handler"), d["id"], "propose", {"outcome": "refuse", "reasons": "Not eligible"})
    assert act(client("leader"), d["id"], "sign")["status"] == "refused"


def test_a_province_without_a_registered_committee_is_a_clear_422(client: Client) -> None:
    """Agency resolution is registry data: an unknown province cannot be consulted."""
    r = client("handler").post("/dossiers", json=operation_issue(provinces=["Atlantis"]))
    if r.status_code == 201:
        r = client("handler").post(f"/dossiers/{r.json()['id']}/actions/accept", json={})
    assert r.status_code == 422 and "Atlantis" in r.json()["detail"]


def test_the_registry_maps_provinces_and_fields_as_configuration(client: Client) -> None:
    """An admin maps a new activity field to a ministry; the next dossier consults it."""
    admin = client("admin")
    byt = ok(admin.get("/agencies/BYT"))
    assert "health" in byt["activity_fields"]
    ok(
        admin.patch(
            "/agencies/BYT", json={"activity_fields": [*byt["activity_fields"], "nutrition"]}
        )
    )
    d = _accepted(client, activity_fields=["nutrition"])
    assert "BYT" in d["required_agencies"]
