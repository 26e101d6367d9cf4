"""Issuing an operation certificate end to end over HTTP, as a client following API.md."""

from __future__ import annotations

from datetime import date

from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import FIVE_AGENCIES, act, ok, operation_issue

# The five chosen, plus the People's Committees of Quảng Trị and Huế and the water ministry, whom
# the law requires (Decree 58/2022 Art 11).
CONSULTED = [*FIVE_AGENCIES, "UBND-QT", "UBND-HUE", "BNNMT"]


def test_full_issuance_lifecycle(client: Client, clock: Clock) -> None:
    """Create, supplement, accept (30 WD), consult eight, answers, propose, sign, history."""
    handler, leader, manager = client("handler"), client("leader"), client("manager")

    created = ok(handler.post("/dossiers", json=operation_issue()), 201)
    assert created["status"] == "received"
    assert created["code"] == "UBCT-PCPNN-20261123-0001"
    dossier_id = created["id"]

    clock.set(2026, 11, 23, 14, 0)
    d = act(
        handler,
        dossier_id,
        "request-supplement",
        {"missing": ["Certified charter", "Letter of introduction"], "note": "form 02"},
    )
    assert d["status"] == "awaiting_supplement"
    assert d["suspended"] is False  # the clock has not started yet
    assert d["missing"] == ["Certified charter", "Letter of introduction"]

    clock.set(2026, 11, 25, 10, 0)
    d = act(handler, dossier_id, "receive-supplement", {"note": "all received"})
    assert d["status"] == "received"

    # Accepted Wed 25 Nov 2026: 30 WD later, skipping 1 Jan 2027, is Thu 7 Jan 2027.
    clock.set(2026, 11, 25, 15, 0)
    d = act(handler, dossier_id, "accept")
    assert d["status"] == "in_review"
    assert d["due_date"] == "2027-01-07"
    assert d["legal_due_date"] == "2027-01-07"
    assert d["working_days_used"] == 0 and d["working_days_left"] == 30

    clock.set(2026, 11, 26, 9, 0)
    d = act(handler, dossier_id, "consult", {"agencies": CONSULTED})
    consultations = {c["agency"]: c for c in d["consultations"]}
    assert sorted(consultations) == sorted(CONSULTED)
    # Requested Thu 26 Nov: 10 WD later is Thu 10 Dec 2026.
    assert {c["due_date"] for c in consultations.values()} == {"2026-12-10"}
    assert "propose" not in d["allowed_actions"]

    clock.set(2026, 12, 3, 10, 0)
    for agency in CONSULTED:
        own = ok(client(agency).get("/consultations", params={"status": "open"}))
        assert [c["agency"] for c in own] == [agency]
        other = consultations[CONSULTED[(CONSULTED.index(agency) + 1) % len(CONSULTED)]]
        assert client(agency).get(f"/consultations/{other['id']}").status_code == 404
        assert (
            client(agency)
            .post(f"/consultations/{other['id']}/response", json={"opinion": "agree"})
            .status_code
            == 404
        )
        answer = ok(
            client(agency).post(
                f"/consultations/{own[0]['id']}/response",
                json={"opinion": "agree", "comments": "No objection"},
            )
        )
        assert answer["status"] == "answered" and answer["answered_late"] is False
    again = client("BCA").post(
        f"/consultations/{consultations['BCA']['id']}/response", json={"opinion": "object"}
    )
    assert again.status_code == 409

    d = act(handler, dossier_id, "propose", {"outcome": "approve", "validity_years": 3})
    assert d["status"] == "awaiting_decision"
    assert d["allowed_actions"] == ["assign", "sign", "return", "extend", "withdraw"]

    clock.set(2026, 12, 8, 11, 0)
    d = act(leader, dossier_id, "sign")
    assert d["status"] == "approved"
    assert d["decision"]["certificate_number"] == "UBCT-PCPNN-20261123-0001/GĐK"
    assert d["decision"]["valid_from"] == "2026-12-08"
    assert d["decision"]["valid_until"] == "2029-12-07"
    assert d["decision"]["on_time"] is True
    assert d["allowed_actions"] == []

    history = ok(manager.get(f"/dossiers/{dossier_id}/history"))
    steps = [(h["action"], h["actor"], h["from_status"], h["to_status"]) for h in history]
    assert steps[:6] == [
        ("receive", "Nguyễn Văn An", None, "received"),
        ("request-supplement", "Nguyễn Văn An", "received", "awaiting_supplement"),
        ("receive-supplement", "Nguyễn Văn An", "awaiting_supplement", "received"),
        ("accept", "Nguyễn Văn An", "received", "in_review"),
        ("consult", "Nguyễn Văn An", "in_review", "in_review"),
        ("respond", "Officer BCA", "in_review", "in_review"),
    ]
    assert [s[0] for s in steps[6:]] == ["respond"] * (len(CONSULTED) - 1) + ["propose", "sign"]
    assert steps[-1] == ("sign", "Lê Minh Cường", "awaiting_decision", "approved")
    assert all(h["at"].endswith("+07:00") for h in history)

    final = ok(manager.get(f"/dossiers/{dossier_id}"))
    assert final["version"] == len(history)
    assert date.fromisoformat(final["decision"]["valid_until"]).year == 2029


def test_office_outside_the_three_cities_is_422_naming_the_rule(client: Client) -> None:
    """Decree 58/2022 Art 14: a representative office only in Hà Nội, Đà Nẵng or TP HCM."""
    body = operation_issue(
        procedure="ngo.office.issue",
        office_province="Hải Phòng",
        office_address="1 Lê Lợi",
        requested_validity_years=5,
    )
    del body["provinces"]
    answer = client("handler").post("/dossiers", json=body)
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_input"
    assert "Hà Nội, Đà Nẵng or TP Hồ Chí Minh" in answer.json()["detail"]
    body["office_province"] = "Da Nang"
    created = ok(client("handler").post("/dossiers", json=body), 201)
    assert created["fields"]["office_province"] == "Đà Nẵng"
