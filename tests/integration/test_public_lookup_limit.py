"""The public status lookup is limited per address: codes are sequential, so a script must not
be able to try them all against an e-mail it knows."""

from __future__ import annotations

from config.settings import Settings
from tests.integration.conftest import Client
from tests.integration.helpers import ok, operation_issue

JSON = {"Accept": "application/json"}


def test_lookups_beyond_the_limit_wait_and_reveal_nothing(
    client: Client, settings: Settings
) -> None:
    settings.public_lookups_per_10_minutes = 3  # read when the first lookup is made
    d = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    visitor = client("")
    right = {"code": d["code"], "email": "contact@savetherivers.example.org"}
    assert visitor.get("/public/status", params=right, headers=JSON).status_code == 200
    for n in (1, 2):
        guess = {**right, "code": f"{d['code'][:-4]}{n + 1:04d}"}
        assert visitor.get("/public/status", params=guess, headers=JSON).status_code == 404
    refused = visitor.get("/public/status", params=right, headers=JSON)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"] == "too_many_requests" and d["code"] not in refused.text
    page = visitor.get("/public/status", params={**right, "lang": "en"})
    assert page.status_code == 429 and "Too many lookups" in page.text
    assert "Received" not in page.text  # no status shown
    # The form itself (no lookup) still opens.
    assert visitor.get("/public/status").status_code == 200
