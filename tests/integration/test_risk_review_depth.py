"""Risk drives review depth: a late annual report raises an NGO's risk group, and that group
adds the Union of Friendship Organisations to its next renewal's required consultations."""

from __future__ import annotations

from typing import Any

from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import ISSUE_CONSULTED, act, answer_all, issue_certificate, ok

RIVERS = {
    "name": "Save the Rivers Foundation",
    "country": "Norway",
    "email": "a@rivers.example.org",
}
SCHOOLS = {"name": "Green Schools Trust", "country": "Ireland", "email": "b@schools.example.org"}


def _ngo(client: Client, name: str) -> dict[str, Any]:
    [found] = ok(client("manager").get("/ngos", params={"q": name}))["items"]
    detail: dict[str, Any] = ok(client("manager").get(f"/ngos/{found['id']}"))
    return detail


def _renewal(number: str, applicant: dict[str, str]) -> dict[str, Any]:
    return {
        "procedure": "ngo.operation.renew",
        "applicant": {**applicant, "language": "en"},
        "subject": "Renewal for the next term",
        "certificate_number": number,
        "provinces": ["Quảng Trị", "Huế"],
        "activity_fields": ["water and sanitation"],
        "past_term_report": "Report on 2026-2029",
        "next_term_plan": "Plan for 2029-2032",
        "requested_validity_years": 3,
        "home_registration_valid_until": "2035-12-31",
    }


def _report(client: Client, ngo_id: str, received: str) -> dict[str, Any]:
    body = {"kind": "annual", "period_year": 2026, "received_at": received, "projects": 1}
    report: dict[str, Any] = ok(client("handler").post(f"/ngos/{ngo_id}/reports", json=body), 201)
    return report


def test_a_late_annual_report_adds_a_consultation_to_the_next_renewal(
    client: Client, clock: Clock
) -> None:
    rivers_cert = issue_certificate(client, clock, applicant={**RIVERS, "language": "en"})
    schools_cert = issue_certificate(client, clock, applicant={**SCHOOLS, "language": "en"})
    rivers, schools = _ngo(client, "rivers"), _ngo(client, "schools")
    # Both work in Quảng Trị, a border province in the default scorecard: 10 points, low.
    assert (rivers["risk"]["score"], rivers["risk"]["group"]) == (10, "low")

    # Schools reports on Wed 16 Dec, before the 18th; Rivers on Mon 21 Dec, late.
    clock.set(2026, 12, 16, 9, 0)
    assert _report(client, schools["id"], "2026-12-16")["on_time"] is True
    clock.set(2026, 12, 21, 9, 0)
    assert _report(client, rivers["id"], "2026-12-21")["on_time"] is False
    rivers, schools = _ngo(client, "rivers"), _ngo(client, "schools")
    assert (rivers["risk"]["score"], rivers["risk"]["group"]) == (35, "medium")
    late = next(r for r in rivers["risk"]["reasons"] if r["criterion"] == "late_annual_report")
    assert (late["count"], late["points"]) == (1, 25)
    assert "2026-12-18" in late["detail"] and "2026-12-21" in late["detail"]
    assert rivers["risk_history"][0]["group"] == "medium"
    assert schools["risk"]["group"] == "low"

    handler = client("handler")
    clock.set(2027, 1, 4, 9, 0)
    number = rivers_cert["decision"]["certificate_number"]
    renewal = ok(handler.post("/dossiers", json=_renewal(number, RIVERS)), 201)
    control = ok(
        handler.post(
            "/dossiers",
            json=_renewal(schools_cert["decision"]["certificate_number"], SCHOOLS),
        ),
        201,
    )
    assert "LHHN" in renewal["required_agencies"]
    assert "LHHN" not in control["required_agencies"]
    receipt = ok(handler.get(f"/dossiers/{renewal['id']}/history"))[0]
    assert receipt["details"]["risk_group"] == "medium"
    assert receipt["details"]["risk_agencies"] == ["LHHN"]

    # Filing the renewal meets the renewal obligation; the dossier is in the NGO's register.
    rivers = _ngo(client, "rivers")
    [owed] = [o for o in rivers["obligations"] if o["kind"] == "renewal"]
    assert (owed["status"], owed["met_late"]) == ("met", False)
    assert renewal["id"] in {d["id"] for d in rivers["dossiers"]}

    # No decision until the Union has answered: the law's agencies alone are not enough.
    act(handler, renewal["id"], "accept")
    d = act(handler, renewal["id"], "consult", {"agencies": ISSUE_CONSULTED})
    d = answer_all(client, d)
    assert "propose" not in d["allowed_actions"]
    assert d["open_required_agencies"] == ["LHHN"]
    d = act(handler, renewal["id"], "consult", {"agencies": ["LHHN"]})
    d = answer_all(client, d)
    assert "propose" in d["allowed_actions"]


def test_new_criteria_rescore_every_ngo(client: Client, clock: Clock) -> None:
    """An administrator publishes a scorecard version; its thresholds apply at once."""
    issue_certificate(client, clock)
    admin = client("admin")
    current = ok(admin.get("/risk/scorecard"))
    assert current["version"] == 1
    criteria = {**current["criteria"], "groups": {"medium": 5, "high": 10}}
    assert ok(client("manager").get("/ngos"))["items"][0]["risk"]["group"] == "low"
    published = ok(
        admin.post("/risk/scorecard", json={"criteria": criteria, "note": "strict"}), 201
    )
    assert published["version"] == 2
    [ngo] = ok(client("manager").get("/ngos"))["items"]
    assert (ngo["risk"]["group"], ngo["risk"]["scorecard_version"]) == ("high", 2)
    assert client("manager").post("/risk/scorecard", json={"criteria": criteria}).status_code == 403
    wrong = {**criteria, "groups": {"medium": 10, "high": 5}}
    assert admin.post("/risk/scorecard", json={"criteria": wrong}).status_code == 422
    unknown = {**criteria, "review_depth": {"ngo.operation.renew": {"high": ["NOPE"]}}}
    assert admin.post("/risk/scorecard", json={"criteria": unknown}).status_code == 422
    assert ok(admin.get("/risk/scorecard"))["version"] == 2


def test_an_objection_counts_at_once(client: Client, clock: Clock) -> None:
    """A consulted agency objects on the NGO's renewal: 10 points, before any decision."""
    cert = issue_certificate(client, clock, applicant={**RIVERS, "language": "en"})
    handler = client("handler")
    clock.set(2027, 1, 4, 9, 0)
    renewal = ok(
        handler.post("/dossiers", json=_renewal(cert["decision"]["certificate_number"], RIVERS)),
        201,
    )
    act(handler, renewal["id"], "accept")
    d = act(handler, renewal["id"], "consult", {"agencies": ["BCA"]})
    [asked] = [c for c in d["consultations"] if c["agency"] == "BCA"]
    ok(client("BCA").post(f"/consultations/{asked['id']}/response", json={"opinion": "object"}))
    risk = _ngo(client, "rivers")["risk"]
    objection = next(r for r in risk["reasons"] if r["criterion"] == "consultation_objection")
    assert (objection["count"], objection["points"], risk["score"]) == (1, 10, 20)
    assert risk["group"] == "medium"


def test_aid_approved_for_the_ngo_is_in_its_register_and_counts(
    client: Client, clock: Clock
) -> None:
    """A foreign NGO donor is found by name: its approved aid is listed, a large amount scores."""
    issue_certificate(client, clock, applicant={**RIVERS, "language": "en"})
    handler, leader = client("handler"), client("leader")
    clock.set(2026, 12, 7, 9, 0)
    aid = {
        "procedure": "aid.project.appraise",
        "applicant": {
            "name": "Sở Y tế tỉnh Quảng Trị",
            "country": "Việt Nam",
            "email": "syt@qt.example.org",
        },
        "subject": "Clean water for 20 communes",
        "donor": "save the rivers foundation",  # spelled otherwise: the folded name matches
        "donor_is_foreign_ngo": True,
        "amount": "2500000",
        "currency": "USD",
        "sector": "water",
        "province": "Quảng Trị",
        "touches_security_defence_religion": False,
        "kind": "technical_assistance",
        "duration_months": 24,
    }
    d = ok(handler.post("/dossiers", json=aid), 201)
    act(handler, d["id"], "accept")
    answer_all(client, act(handler, d["id"], "consult"))
    act(handler, d["id"], "propose", {"outcome": "approve", "reasons": "Agreed by all"})
    assert act(leader, d["id"], "sign")["status"] == "approved"
    rivers = _ngo(client, "rivers")
    [listed] = rivers["aid"]
    assert (listed["code"], listed["amount"], listed["currency"]) == (d["code"], "2500000", "USD")
    assert listed["approved_on"] == "2026-12-07"
    large = next(r for r in rivers["risk"]["reasons"] if r["criterion"] == "large_aid")
    assert large["points"] == 10 and rivers["risk"]["score"] == 20  # with Quảng Trị's 10
