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
