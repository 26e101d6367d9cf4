"""Every procedure end to end through the API, with its own deadlines, outcomes and registry."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from flows.service.sweep import sweep
from models.certificate import Certificate
from models.db import write_session
from tests.conftest import VN, Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue

APPLICANT = {
    "name": "Save the Rivers Foundation",
    "country": "Norway",
    "email": "contact@savetherivers.example.org",
}
AID = {
    "donor": "Save the Rivers Foundation",
    "donor_is_foreign_ngo": True,
    "amount": "250000",
    "currency": "USD",
    "sector": "water",
    "province": "Quảng Trị",
    "touches_security_defence_religion": False,
}


def _create(client: Client, procedure: str, **fields: Any) -> dict[str, Any]:
    body = {
        "procedure": procedure,
        "applicant": APPLICANT,
        "subject": f"{procedure} test",
        **fields,
    }
    return ok(client("handler").post("/dossiers", json=body), 201)


def _answer_all(client: Client, dossier: dict[str, Any]) -> None:
    for c in dossier["consultations"]:
        if c["status"] == "requested":
            ok(
                client(c["agency"]).post(
                    f"/consultations/{c['id']}/response", json={"opinion": "agree"}
                )
            )


def _decide(
    client: Client, dossier_id: str, outcome: str = "approve", reasons: str = "", **extra: Any
) -> dict[str, Any]:
    act(client("handler"), dossier_id, "propose", {"outcome": outcome, "reasons": reasons, **extra})
    return act(client("leader"), dossier_id, "sign")


def _issued(client: Client, office: bool = False) -> str:
    """A certificate issued through the whole issuance procedure; returns its number."""
    if office:
        body = operation_issue(
            procedure="ngo.office.issue",
            office_province="Hà Nội",
            office_address="1 Tràng Tiền",
            requested_validity_years=5,
        )
        del body["provinces"]
    else:
        body = operation_issue()
    d = ok(client("handler").post("/dossiers", json=body), 201)
    act(client("handler"), d["id"], "accept")
    _answer_all(client, act(client("handler"), d["id"], "consult"))
    signed = _decide(client, d["id"])
    number = signed["decision"]["certificate_number"]
    [cert] = ok(client("manager").get("/certificates", params={"q": number}))
    assert cert["history"][0]["action"] == "issue" and cert["status"] == "active"
    return str(number)


@pytest.mark.parametrize("kind", ["operation", "office"])
def test_renewal_extends_the_certificate(client: Client, clock: Clock, kind: str) -> None:
    """Renewal consults the defaults, takes 30 WD, and renews the registry entry."""
    number = _issued(client, office=kind == "office")
    [old] = ok(client("manager").get("/certificates", params={"q": number}))
    clock.set(2026, 12, 1, 9, 0)
    where = {"office_province": "Hà Nội"} if kind == "office" else {"provinces": ["Huế"]}
    d = _create(
        client,
        f"ngo.{kind}.renew",
        certificate_number=number,
        past_term_report="Report",
        next_term_plan="Plan",
        requested_validity_years=2,
        activity_fields=["health"],
        home_registration_valid_until="2040-06-30",
        **where,
    )
    d = act(client("handler"), d["id"], "accept")
    assert d["due_date"] == "2027-01-13"  # 30 WD from Tue 1 Dec 2026, 1 Jan off
    d = act(client("handler"), d["id"], "consult")
    province = "UBND-HN" if kind == "office" else "UBND-HUE"
    assert sorted(c["agency"] for c in d["consultations"]) == sorted(
        ["BCA", "BNV", "BTC", "NHNN", "BYT", province]
    )
    _answer_all(client, d)
    signed = _decide(client, d["id"], validity_years=2)
    assert signed["status"] == "approved" and signed["decision"]["certificate_number"] == number
    # Filed before the old expiry: the new term runs from the day after it (Decree 58 Art 12).
    old_until = date.fromisoformat(old["valid_until"])
    assert signed["decision"]["valid_from"] == (old_until + timedelta(days=1)).isoformat()
    assert (
        signed["decision"]["valid_until"] == old_until.replace(year=old_until.year + 2).isoformat()
    )
    [cert] = ok(client("manager").get("/certificates", params={"q": number}))
    assert [h["action"] for h in cert["history"]] == ["issue", "renew"]
    assert cert["valid_until"] == signed["decision"]["valid_until"]


def test_renewal_of_an_unknown_or_wrong_type_certificate_is_422(client: Client) -> None:
    """The certificate named must exist, be active and of the procedure's type."""
    fields = {
        "past_term_report": "R",
        "next_term_plan": "P",
        "provinces": ["Huế"],
        "activity_fields": ["health"],
        "home_registration_valid_until": "2035-12-31",
    }
    r = client("handler").post(
        "/dossiers",
        json={
            "procedure": "ngo.operation.renew",
            "applicant": APPLICANT,
            "subject": "s",
            "certificate_number": "NOPE-1",
            **fields,
        },
    )
    assert r.status_code == 422 and "no certificate" in r.json()["detail"]
    number = _issued(client, office=True)
    r = client("handler").post(
        "/dossiers",
        json={
            "procedure": "ngo.operation.renew",
            "applicant": APPLICANT,
            "subject": "s",
            "certificate_number": number,
            **fields,
        },
    )
    assert r.status_code == 422 and "office certificate" in r.json()["detail"]


def test_amendment_consults_only_chosen_agencies_and_changes_the_name(client: Client) -> None:
    """No default agencies: the handler chooses those the change concerns."""
    number = _issued(client)
    d = _create(
        client,
        "ngo.operation.amend",
        certificate_number=number,
        changes=[{"what": "name", "new_value": "Save the Rivers International"}],
    )
    act(client("handler"), d["id"], "accept")
    r = client("handler").post(f"/dossiers/{d['id']}/actions/consult", json={})
    assert r.status_code == 422 and "choose the agencies" in r.json()["detail"]
    _answer_all(client, act(client("handler"), d["id"], "consult", {"agencies": ["BNV"]}))
    assert _decide(client, d["id"])["status"] == "approved"
    [cert] = ok(client("manager").get("/certificates", params={"q": number}))
    assert cert["ngo_name"] == "Save the Rivers International"
    assert [h["action"] for h in cert["history"]] == ["issue", "amend"]


@pytest.mark.parametrize("kind", ["operation", "office"])
def test_reissue_consults_nobody_and_takes_ten_working_days(
    client: Client, clock: Clock, kind: str
) -> None:
    """Content check only: consulting is not allowed; 10 WD."""
    number = _issued(client, office=kind == "office")
    clock.set(2026, 12, 1, 9, 0)
    d = _create(client, f"ngo.{kind}.reissue", certificate_number=number, reason="lost")
    d = act(client("handler"), d["id"], "accept")
    assert d["due_date"] == "2026-12-15" and "consult" not in d["allowed_actions"]
    assert (
        client("handler")
        .post(f"/dossiers/{d['id']}/actions/consult", json={"agencies": ["BCA"]})
        .status_code
        == 409
    )
    assert _decide(client, d["id"])["decision"]["certificate_number"] == number
    [cert] = ok(client("manager").get("/certificates", params={"q": number}))
    assert cert["history"][-1]["action"] == "reissue"


def test_legacy_project_office_can_be_closed_but_not_issued(
    client: Client, engine: Engine, clock: Clock
) -> None:
    """Project offices (Decree 12/2012) are only renewed or closed."""
    procedures = {p["code"] for p in ok(client("manager").get("/procedures"))}
    assert {"ngo.project_office.renew", "ngo.project_office.close"} <= procedures
    assert "ngo.project_office.issue" not in procedures
    d0 = _create(
        client,
        "ngo.operation.issue",
        provinces=["Huế"],
        activity_fields=["health"],
        home_registration_valid_until="2035-12-31",
    )
    with write_session(engine) as s:  # imported from the old registry
        s.add(
            Certificate(
                id=str(uuid.uuid4()),
                number="VPDA-2019-07",
                type="project_office",
                ngo_name="Old Project",
                country="Japan",
                issued_by_dossier=d0["id"],
                updated_at=clock.now,
            )
        )
    d = _create(
        client,
        "ngo.project_office.close",
        certificate_number="VPDA-2019-07",
        reason="The project ended",
    )
    act(client("handler"), d["id"], "accept")
    _decide(client, d["id"])
    [cert] = ok(client("manager").get("/certificates", params={"q": "VPDA-2019-07"}))
    assert cert["status"] == "closed"
    r = client("handler").post(
        "/dossiers",
        json={
            "procedure": "ngo.project_office.renew",
            "applicant": APPLICANT,
            "subject": "s",
            "certificate_number": "VPDA-2019-07",
            "past_term_report": "R",
            "next_term_plan": "P",
        },
    )
    assert r.status_code == 422 and "closed" in r.json()["detail"]


def test_province_opinion_with_deemed_agreement_and_ppc_signature(
    client: Client, engine: Engine, clock: Clock
) -> None:
    """Members have 5 WD; silence is deemed agreement; the PPC leader signs within 10 WD."""
    d = _create(
        client,
        "province.opinion",
        opinion_on="issue",
        ngo_name="Save the Rivers",
        committee_request_ref="123/UBCT-PCPNN",
        committee_request_received_on="2026-11-23",
        province="Quảng Trị",
    )
    assert d["code"].startswith("SNGV-QT-")
    d = act(client("handler"), d["id"], "accept")
    assert d["due_date"] == "2026-12-08"  # 10 WD from Mon 23 Nov, 24 Nov off
    d = act(client("handler"), d["id"], "consult")
    members = {c["agency"]: c for c in d["consultations"]}
    assert sorted(members) == ["CA-QT", "LHHN-QT", "STC-QT"]
    assert {c["due_date"] for c in members.values()} == {"2026-12-01"}  # 5 WD, 24 Nov off
    ok(
        client("CA-QT").post(
            f"/consultations/{members['CA-QT']['id']}/response",
            json={"opinion": "agree_with_conditions", "comments": "Report"},
        )
    )
    assert "propose" not in ok(client("handler").get(f"/dossiers/{d['id']}"))["allowed_actions"]
    summary = sweep(engine, datetime_vn(2026, 12, 2))
    assert summary.deemed_consent == 2
    after = {
        c["agency"]: c["status"]
        for c in ok(client("handler").get(f"/dossiers/{d['id']}"))["consultations"]
    }
    assert after == {"CA-QT": "answered", "STC-QT": "deemed_consent", "LHHN-QT": "deemed_consent"}
    clock.set(2026, 12, 3, 9, 0)
    signed = _decide(client, d["id"], reasons="The province agrees")
    assert signed["status"] == "approved" and signed["decision"]["timeliness"] == "early"


def datetime_vn(*args: int) -> Any:
    """An aware instant in Hà Nội."""
    from datetime import datetime

    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


@pytest.mark.parametrize(
    "procedure,extra",
    [
        ("aid.project.appraise", {"kind": "technical_assistance", "duration_months": 24}),
        (
            "aid.nonproject.appraise",
            {"kind": "goods", "purpose": "School equipment", "goods_list": ["computers"]},
        ),
    ],
)
def test_aid_is_approved_or_refused_in_twenty_working_days(
    client: Client, procedure: str, extra: dict[str, Any]
) -> None:
    """Finance receives, Police, Foreign Affairs and Friendship Union give opinions; PPC signs."""
    d = _create(client, procedure, **AID, **extra)
    assert d["code"].startswith("STC-QT-")
    d = act(client("handler"), d["id"], "accept")
    assert d["due_date"] == "2026-12-22"  # 20 WD from Mon 23 Nov 2026
    d = act(client("handler"), d["id"], "consult")
    assert sorted(c["agency"] for c in d["consultations"]) == ["CA-QT", "LHHN-QT", "SNGV-QT"]
    _answer_all(client, d)
    r = client("handler").post(
        f"/dossiers/{d['id']}/actions/propose", json={"outcome": "forward", "reasons": "x"}
    )
    assert r.status_code == 422
    refused = _decide(client, d["id"], "refuse", reasons="The donor's purpose is unclear")
    assert refused["status"] == "refused" and refused["decision"]["reasons"]


def test_aid_touching_religion_is_forwarded_to_the_competent_authority(client: Client) -> None:
    """Only 'forward' is possible; the dossier ends forwarded."""
    d = _create(
        client,
        "aid.project.appraise",
        **{**AID, "touches_security_defence_religion": True},
        kind="investment",
        duration_months=12,
    )
    act(client("handler"), d["id"], "accept")
    _answer_all(client, act(client("handler"), d["id"], "consult"))
    r = client("handler").post(f"/dossiers/{d['id']}/actions/propose", json={"outcome": "approve"})
    assert r.status_code == 422 and "Prime Minister" in r.json()["detail"]
    forwarded = _decide(client, d["id"], "forward", reasons="Religion: Prime Minister decides")
    assert forwarded["status"] == "forwarded"
    assert ok(client("manager").get("/certificates")) == []


def test_relief_is_decided_within_three_working_days(client: Client, clock: Clock) -> None:
    """Emergency relief: 3 WD, consultation only with chosen agencies."""
    clock.set(2026, 11, 27, 9, 0)  # Friday
    d = _create(
        client,
        "aid.relief.approve",
        donor="Helping Hands",
        amount="10000",
        currency="EUR",
        province="Quảng Trị",
        disaster="Storm No. 5",
        disaster_date="2026-11-20",
        items=["rice", "tarpaulins"],
    )
    d = act(client("handler"), d["id"], "accept")
    assert d["due_date"] == "2026-12-02"  # Mon 30, Tue 1, Wed 2
    assert (
        client("handler").post(f"/dossiers/{d['id']}/actions/consult", json={}).status_code == 422
    )
    clock.set(2026, 11, 30, 9, 0)
    signed = _decide(client, d["id"])
    assert signed["status"] == "approved" and signed["decision"]["certificate_number"] is None


def test_every_procedure_is_listed_with_legal_basis_and_deadlines(client: Client) -> None:
    """GET /procedures lists all fourteen."""
    listed = {p["code"]: p for p in ok(client("manager").get("/procedures"))}
    assert set(listed) == {
        "ngo.operation.issue",
        "ngo.office.issue",
        "ngo.operation.renew",
        "ngo.office.renew",
        "ngo.operation.amend",
        "ngo.office.amend",
        "ngo.operation.reissue",
        "ngo.office.reissue",
        "ngo.project_office.renew",
        "ngo.project_office.close",
        "province.opinion",
        "aid.project.appraise",
        "aid.nonproject.appraise",
        "aid.relief.approve",
    }
    assert all(p["legal_basis"] and p["total_working_days"] > 0 for p in listed.values())
    assert listed["aid.relief.approve"]["total_working_days"] == 3


@pytest.mark.parametrize(
    "flag", ["for_legal_drafting", "includes_listed_goods", "touches_security_defence_religion"]
)
def test_every_case_of_decree_313_goes_to_the_prime_minister(client: Client, flag: str) -> None:
    """Legal drafting and the listed goods are forwarded too, not only security or religion."""
    d = _create(
        client,
        "aid.nonproject.appraise",
        **{**AID, flag: True},
        kind="goods",
        purpose="Equipment",
        goods_list=["vehicles"],
    )
    act(client("handler"), d["id"], "accept")
    d = act(client("handler"), d["id"], "consult")
    _answer_all(client, d)
    r = client("handler").post(f"/dossiers/{d['id']}/actions/propose", json={"outcome": "refuse"})
    assert r.status_code == 422 and "Prime Minister" in r.json()["detail"]
    assert _decide(client, d["id"], "forward", reasons="Decree 313")["status"] == "forwarded"


def test_the_friendship_union_is_consulted_only_for_a_foreign_ngo_donor(client: Client) -> None:
    """A donor that is not a foreign NGO: Police and Foreign Affairs only (Decree 313/2025)."""
    d = _create(
        client,
        "aid.project.appraise",
        **{**AID, "donor_is_foreign_ngo": False, "donor": "City of Oslo"},
        kind="technical_assistance",
        duration_months=12,
    )
    act(client("handler"), d["id"], "accept")
    d = act(client("handler"), d["id"], "consult")
    assert sorted(c["agency"] for c in d["consultations"]) == ["CA-QT", "SNGV-QT"]


def test_relief_is_received_only_within_three_months_of_the_disaster(
    client: Client, clock: Clock
) -> None:
    """Decree 50/2020: relief is approved and used within 3 months of the disaster."""
    clock.set(2026, 11, 27, 9, 0)
    body = {
        "procedure": "aid.relief.approve",
        "applicant": APPLICANT,
        "subject": "Relief",
        "donor": "Helping Hands",
        "amount": "10000",
        "currency": "EUR",
        "province": "Quảng Trị",
        "disaster": "Storm No. 3",
        "items": ["rice"],
    }
    late = client("handler").post("/dossiers", json={**body, "disaster_date": "2026-08-26"})
    assert late.status_code == 422 and "3 months" in late.json()["detail"]
    future = client("handler").post("/dossiers", json={**body, "disaster_date": "2026-11-28"})
    assert future.status_code == 422
    ok(client("handler").post("/dossiers", json={**body, "disaster_date": "2026-08-27"}), 201)
