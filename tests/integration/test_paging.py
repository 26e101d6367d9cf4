"""Paged lists take bounded offsets and limits: beyond 64 bits or beyond a sane bound is 422,
never a 500 from the database driver (the probe's `?offset=9223372036854775808`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.paging import MAX_OFFSET
from tests.integration.conftest import Browser, Client
from tests.integration.helpers import ok, operation_issue
from tests.integration.test_error_model import conforms, spec  # noqa: F401  (fixture)

# Each paged list with a caller that may read it.
LISTS = {
    "/dossiers": "handler",
    "/consultations": "BCA",
    "/certificates": "manager",
    "/metrics/at-risk": "manager",
}
TOO_FAR = [str(2**63), str(2**64), "1" + "0" * 40, str(MAX_OFFSET + 1), "-1", "1e3", "9.5"]
ROLES = ["handler", "leader", "manager", "admin", "BCA"]


@pytest.mark.parametrize("path", list(LISTS))
def test_an_offset_beyond_its_bound_is_422(
    client: Client,
    spec: dict[str, Any],  # noqa: F811
    path: str,
) -> None:
    """The probe's offsets and limits: 422 naming the parameter, in the declared schema."""
    caller = client(LISTS[path])
    ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    for name, value in [("offset", v) for v in TOO_FAR] + [("limit", v) for v in TOO_FAR]:
        answer = caller.get(path, params={name: value})
        assert answer.status_code == 422, (path, name, value, answer.status_code, answer.text)
        body = answer.json()
        assert body["error"] == "invalid_input"
        assert ["query", name] in [e["loc"] for e in body["errors"]], body
        conforms(spec, path, "get", answer)
    ok(caller.get(path, params={"offset": MAX_OFFSET}))
    ok(caller.get(path, params={"offset": 0, "limit": 1}))


def _integer_parameters(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                if "integer" in [schema.get("type")] + [
                    a.get("type") for a in schema.get("anyOf", [])
                ]:
                    found.append((path, method, parameter))
    return found


def test_every_integer_parameter_is_bounded_below_64_bits(
    client: Client,
    spec: dict[str, Any],  # noqa: F811
) -> None:
    """Each integer in a path or query declares a maximum, and 2**63 there is a 422 for a
    caller allowed in (others get their 401/403), never a 5xx."""
    found = _integer_parameters(spec)
    assert {p["name"] for _, _, p in found} >= {"offset", "limit", "year", "token_id"}
    for path, method, parameter in found:
        schema = parameter["schema"]
        maxima = [schema.get("maximum")] + [a.get("maximum") for a in schema.get("anyOf", [])]
        assert any(m is not None and m < 2**63 for m in maxima), (path, parameter)
        url, params = path, {}
        if parameter["in"] == "path":
            url = path.replace("{" + parameter["name"] + "}", str(2**63))
        else:
            params[parameter["name"]] = str(2**63)
        statuses = set()
        for role in ROLES:
            answer = client(role).request(method.upper(), url, params=params, json={})
            assert answer.status_code < 500, (method, url, role, answer.text)
            assert {"error", "detail"} <= set(answer.json()), answer.text
            statuses.add(answer.status_code)
        assert 422 in statuses, (method, url, statuses)
        assert statuses <= {401, 403, 422}, (method, url, statuses)


def test_the_worklist_page_refuses_a_huge_offset_with_a_page(browser: Browser) -> None:
    """/app/worklist?offset=2**63 is a readable 422 page, not JSON and not a 500."""
    c: httpx.Client = browser("handler")
    answer = c.get("/app/worklist", params={"offset": str(2**63)})
    assert answer.status_code == 422, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/html")
    assert not answer.text.lstrip().startswith("{")
    assert c.get("/app/worklist", params={"offset": MAX_OFFSET}).status_code == 200
