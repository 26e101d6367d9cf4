"""Certificates as Decree 58/2022 says: capped by the home registration; amendments keep it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine

from models.certificate import Certificate
from models.db import write_session
from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, answer_all, ok, operation_issue


def _signed(client: Client, body: dict[str, Any], **proposal: Any) -> dict[str, Any]:
    h = client("handler")
    d = ok(h.post("/dossiers", json=body), 201)
    act(h, d["id"], "accept")
    if "consult" in ok(h.get(f"/dossiers/{d['id']}"))["allowed_actions"]:
        answer_all(client, act(h, d["id"], "consult"))
    act(h, d["id"], "propose", {"outcome": "approve", "reasons": "", **proposal})
    signed: dict[str, Any] = act(client("leader"), d["id"], "sign")
    return signed


def test_validity_never_runs_beyond_the_home_country_registration(
    client: Client, clock: Clock
) -> None:
    """3 years asked; the NGO's own registration ends 30/06/2028: the certificate ends with it."""
    clock.set(2026, 11, 25, 9, 0)
    signed = _signed(
        client, operation_issue(home_registration_valid_until="2028-06-30"), validity_years=3
    )
    decision = signed["decision"]
    assert (decision["valid_from"], decision["valid_until"]) == ("2026-11-25", "2028-06-30")


def test_a_home_registration_already_ended_cannot_be_approved(client: Client, clock: Clock) -> None:
    """Nothing left to certify: approval is a 422 naming Art 9; a refusal is still possible."""
    clock.set(2026, 11, 25, 9, 0)
    h = client("handler")
    d = ok(
        h.post("/dossiers", json=operation_issue(home_registration_valid_until="2026-11-20")), 201
    )
    act(h, d["id"], "accept")
    answer_all(client, act(h, d["id"], "consult"))
    r = h.post(f"/dossiers/{d['id']}/actions/propose", json={"outcome": "approve"})
    assert r.status_code == 422 and "Art 9" in r.json()["detail"]
    act(h, d["id"], "propose", {"outcome": "refuse", "reasons": "Home registration ended"})


def test_an_amendment_keeps_the_certificates_term(client: Client, clock: Clock) -> None:
    """Propose refuses a validity on an amendment; the signed amendment keeps valid_until."""
    clock.set(2026, 11, 25, 9, 0)
    issued = _signed(client, operation_issue(), validity_years=3)["decision"]
    number = issued["certificate_number"]
    clock.set(2027, 3, 1, 9, 0)
    h = client("handler")
    body = {
        "procedure": "ngo.operation.amend",
        "applicant": operation_issue()["applicant"],
        "subject": "New name",
        "certificate_number": number,
        "changes": [{"what": "name", "new_value": "Save the Rivers International"}],
    }
    d = ok(h.post("/dossiers", json=body), 201)
    act(h, d["id"], "accept")
    answer_all(client, act(h, d["id"], "consult", {"agencies": ["BNV"]}))
    r = h.post(
        f"/dossiers/{d['id']}/actions/propose", json={"outcome": "approve", "validity_years": 3}
    )
    assert r.status_code == 422 and "keeps the certificate's term" in r.json()["detail"]
    act(h, d["id"], "propose", {"outcome": "approve"})
    signed = act(client("leader"), d["id"], "sign")
    assert signed["decision"]["valid_until"] == issued["valid_until"]
    [cert] = ok(client("manager").get("/certificates", params={"q": number}))
    assert cert["valid_until"] == issued["valid_until"]


def test_the_legacy_project_office_is_no_longer_renewed(
    client: Client, engine: Engine, clock: Clock
) -> None:
    """Decree 58/2022 has no project-office certificate: close it or keep it until expiry."""
    listed = {p["code"]: p for p in ok(client("manager").get("/procedures"))}
    assert "ngo.project_office.renew" in listed  # kept to show the dossiers it once received
    d0 = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    with write_session(engine) as s:
        s.add(
            Certificate(
                id=str(uuid.uuid4()),
                number="VPDA-2020-01",
                type="project_office",
                ngo_name="Old Project",
                country="Japan",
                issued_by_dossier=d0["id"],
                updated_at=clock.now,
            )
        )
    r = client("handler").post(
        "/dossiers",
        json={
            "procedure": "ngo.project_office.renew",
            "applicant": operation_issue()["applicant"],
            "subject": "Renew",
            "certificate_number": "VPDA-2020-01",
            "past_term_report": "R",
            "next_term_plan": "P",
        },
    )
    assert r.status_code == 422 and "no longer receives dossiers" in r.json()["detail"]
