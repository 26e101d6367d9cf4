"""The requests the fuzzer (test_fuzz_api.py) found answering 500, sent again as regressions."""

from __future__ import annotations

import pytest

from tests.integration.conftest import PASSWORD, Browser, Client
from tests.integration.helpers import ok

# Every date a query takes, at the ends of what Python can represent and just inside them.
EXTREME_DAYS = ["0001-01-01", "0162-12-18", "9999-12-31"]
DATE_QUERIES = [
    ("handler", "/reports/register", ("from", "to")),
    ("handler", "/reports/register.xlsx", ("from", "to")),
    ("manager", "/metrics/summary", ("from", "to")),
    ("manager", "/metrics/by-month", ("from", "to")),
    ("manager", "/metrics/by-agency", ("from", "to")),
    ("manager", "/metrics/bottlenecks", ("from", "to")),
    ("manager", "/metrics/at-risk", ("from", "to")),
    ("manager", "/reports/metrics.xlsx", ("from", "to")),
    ("handler", "/dossiers", ("due_before",)),
    ("handler", "/reports/dossiers.csv", ("due_before",)),
    ("handler", "/reports/dossiers.xlsx", ("due_before",)),
]


def _invalid_input(status: int, body: object) -> bool:
    return status == 422 and isinstance(body, dict) and body.get("error") == "invalid_input"


def test_a_register_of_the_first_day_of_year_one_is_invalid_input(client: Client) -> None:
    """Found: GET /reports/register?from=0001-01-01&to=0001-01-01 → 500 (date out of range)."""
    answer = client("handler").get(
        "/reports/register", params={"from": "0001-01-01", "to": "0001-01-01"}
    )
    assert _invalid_input(answer.status_code, answer.json()), answer.text


def test_a_metrics_workbook_of_year_162_is_invalid_input(client: Client) -> None:
    """Found: GET /reports/metrics.xlsx?to=0162-12-18&... → 500 (a three-digit year's month)."""
    answer = client("manager").get(
        "/reports/metrics.xlsx",
        params={
            "to": "0162-12-18",
            "procedure": "ngo.operation.issue",
            "receiving_agency": "UBCT-PCPNN",
        },
    )
    assert _invalid_input(answer.status_code, answer.json()), answer.text


@pytest.mark.parametrize("day", EXTREME_DAYS)
@pytest.mark.parametrize(("who", "path", "names"), DATE_QUERIES)
def test_no_date_in_a_query_answers_500(
    client: Client, who: str, path: str, names: tuple[str, ...], day: str
) -> None:
    """A date far outside any dossier's life is refused (422) or answered, never a 500."""
    answer = client(who).get(path, params=dict.fromkeys(names, day))
    assert answer.status_code < 500, answer.text
    assert answer.status_code in (200, 422), answer.text


def test_an_empty_agency_on_a_user_means_none(client: Client) -> None:
    """Found: PATCH /users/{username} with "agency": "" → 500 (no agency "" to refer to)."""
    admin = client("admin")
    user = {"username": "fuzz.found", "display_name": "Found", "role": "handler"}
    ok(admin.post("/users", json=user | {"password": PASSWORD}), 201)
    changed = ok(
        admin.patch(
            "/users/fuzz.found",
            json={
                "active": True,
                "agency": "",
                "display_name": "0",
                "email": "0@0.com",
                "language": "en",
                "password": PASSWORD,
            },
        )
    )
    assert changed["agency"] is None and changed["display_name"] == "0"


def test_an_empty_agency_on_a_new_user_means_none(client: Client) -> None:
    """The same empty agency when the user is created: a handler without one."""
    user = {"username": "fuzz.new", "display_name": "New", "role": "handler", "agency": ""}
    created = ok(client("admin").post("/users", json=user | {"password": PASSWORD}), 201)
    assert created["agency"] is None


def test_an_agency_user_with_an_empty_agency_is_invalid_input(client: Client) -> None:
    """An agency officer needs an agency: "" is none, so 422 and nothing changed."""
    admin = client("admin")
    user = {"username": "fuzz.officer", "display_name": "Officer", "role": "agency"}
    ok(admin.post("/users", json=user | {"agency": "BCA", "password": PASSWORD}), 201)
    answer = admin.patch("/users/fuzz.officer", json={"agency": ""})
    assert _invalid_input(answer.status_code, answer.json()), answer.text
    assert ok(admin.get("/users/fuzz.officer"))["agency"] == "BCA"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("handler", "/app/reports/register.xlsx"),
        ("manager", "/app/reports/metrics.xlsx"),
        ("manager", "/app/dashboard"),
    ],
)
def test_pages_refuse_a_report_date_out_of_range(
    browser: Browser, who: str, path: str, day: str
) -> None:
    """The pages take the same dates as the API: outside 1900..2999 a 422 page, not a 500."""
    answer = browser(who).get(path, params={"from": day, "to": day})
    assert answer.status_code == 422, (answer.status_code, answer.text[:300])
