"""Request payloads shared by the integration tests."""

from __future__ import annotations

from typing import Any

import httpx

FIVE_AGENCIES = ["BCA", "BTC", "BNV", "NHNN", "BYT"]


def operation_issue(**overrides: Any) -> dict[str, Any]:
    """A valid ngo.operation.issue dossier."""
    body: dict[str, Any] = {
        "procedure": "ngo.operation.issue",
        "applicant": {
            "name": "Save the Rivers Foundation",
            "country": "Norway",
            "email": "contact@savetherivers.example.org",
            "language": "en",
        },
        "subject": "Operation registration for clean-water projects",
        "provinces": ["Quảng Trị", "Huế"],
        "activity_fields": ["water and sanitation"],
        "requested_validity_years": 3,
        "home_registration_valid_until": "2035-12-31",
    }
    body.update(overrides)
    return body


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body, after checking the status (showing the body when it is wrong)."""
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def act(
    c: httpx.Client,
    dossier_id: str,
    action: str,
    body: dict[str, Any] | None = None,
    status: int = 200,
    **kwargs: Any,
) -> Any:
    """POST an action and check its status."""
    return ok(c.post(f"/dossiers/{dossier_id}/actions/{action}", json=body or {}, **kwargs), status)


def answer_all(client: Any, dossier: dict[str, Any], opinion: str = "agree") -> dict[str, Any]:
    """Every open request of the dossier answered by its agency; the dossier as it then is."""
    for c in dossier["consultations"]:
        if c["status"] in ("requested", "overdue"):
            ok(
                client(c["agency"]).post(
                    f"/consultations/{c['id']}/response", json={"opinion": opinion}
                )
            )
    view: dict[str, Any] = ok(client("handler").get(f"/dossiers/{dossier['id']}"))
    return view


# The standing five, plus the People's Committees of Quảng Trị and Huế and the water ministry.
ISSUE_CONSULTED = [*FIVE_AGENCIES, "UBND-QT", "UBND-HUE", "BNNMT"]


def issue_certificate(client: Any, clock: Any, **overrides: Any) -> dict[str, Any]:
    """An operation certificate issued over HTTP: received Mon 23 Nov 2026, signed Fri 4 Dec."""
    handler, leader = client("handler"), client("leader")
    clock.set(2026, 11, 23, 9, 0)
    d = ok(handler.post("/dossiers", json=operation_issue(**overrides)), 201)
    act(handler, d["id"], "accept")
    clock.set(2026, 11, 24, 9, 0)
    d = act(handler, d["id"], "consult", {"agencies": ISSUE_CONSULTED})
    clock.set(2026, 11, 26, 9, 0)
    answer_all(client, d)
    act(handler, d["id"], "propose", {"outcome": "approve", "validity_years": 3})
    clock.set(2026, 12, 4, 10, 0)
    signed: dict[str, Any] = act(leader, d["id"], "sign")
    assert signed["status"] == "approved"
    return signed
