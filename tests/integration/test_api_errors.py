"""Bad input gets a clear JSON error and changes nothing: 401, 403, 404, 409, 412, 413, 422."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue


def _new(client: Client) -> dict:
    return ok(client("handler").post("/dossiers", json=operation_issue()), 201)


def test_missing_or_unknown_token_is_401(client: Client) -> None:
    """No token or a wrong one: 401 with the error shape."""
    assert client("nobody").get("/dossiers").status_code == 401
    bad = client("nobody").get("/dossiers", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["error"] == "unauthorized"
    assert client("nobody").get("/health").status_code == 200
    assert client("nobody").get("/openapi.json").status_code == 200


@pytest.mark.parametrize("who", ["BCA", "admin"])
def test_roles_without_dossier_access_get_403(client: Client, who: str) -> None:
    """Agencies and admins do not read or write dossiers."""
    d = _new(client)
    assert client(who).get("/dossiers").status_code == 403
    assert client(who).get(f"/dossiers/{d['id']}").status_code == 403
    assert client(who).post("/dossiers", json=operation_issue()).status_code == 403
    assert client(who).post(f"/dossiers/{d['id']}/actions/accept", json={}).status_code == 403


def test_wrong_role_for_an_action_is_403_and_changes_nothing(client: Client) -> None:
    """A leader cannot accept; a handler cannot sign; a manager cannot act at all."""
    d = _new(client)
    r = client("leader").post(f"/dossiers/{d['id']}/actions/accept", json={})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert client("manager").post(f"/dossiers/{d['id']}/actions/accept").status_code == 403
    assert ok(client("handler").get(f"/dossiers/{d['id']}"))["version"] == d["version"]


def test_disallowed_action_is_409_naming_allowed_actions(client: Client) -> None:
    """Signing a dossier just received is not allowed in its state."""
    d = _new(client)
    r = client("leader").post(f"/dossiers/{d['id']}/actions/sign", json={})
    assert r.status_code == 409
    body = r.json()
    assert body["error"] == "not_allowed"
    assert body["allowed_actions"] == [
        "accept",
        "request-supplement",
        "reject-intake",
        "assign",
        "withdraw",
    ]
    assert "accept" in body["detail"]


def test_every_action_on_a_finished_dossier_is_409(client: Client) -> None:
    """A withdrawn dossier allows nothing."""
    d = _new(client)
    act(client("handler"), d["id"], "withdraw", {"reason": "applicant asked"})
    bodies = {
        "request-supplement": {"missing": ["x"]},
        "reject-intake": {"reason": "x"},
        "assign": {"assignee": "Trần Thị Bình"},
        "consult": {},
        "propose": {"outcome": "approve"},
        "extend": {"reason": "x", "working_days": 2},
        "withdraw": {"reason": "x"},
        "accept": {},
        "receive-supplement": {},
    }
    for action, body in bodies.items():
        r = client("handler").post(f"/dossiers/{d['id']}/actions/{action}", json=body)
        assert r.status_code == 409, (action, r.text)
        assert r.json()["allowed_actions"] == []
    for action, body in {"sign": {}, "return": {"comment": "x"}}.items():
        r = client("leader").post(f"/dossiers/{d['id']}/actions/{action}", json=body)
        assert r.status_code == 409, (action, r.text)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"procedure": "ngo.operation.issue"},
        operation_issue(procedure="no.such.procedure"),
        operation_issue(applicant={"name": "X", "country": "Y", "email": "not-an-email"}),
        operation_issue(provinces=[]),
        operation_issue(requested_validity_years=4),
        operation_issue(unexpected_field=1),
        operation_issue(subject=""),
    ],
)
def test_malformed_dossier_is_422(client: Client, payload: dict) -> None:
    """Invalid creation input: 422 with a detail, nothing stored."""
    r = client("handler").post("/dossiers", json=payload)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_input" and r.json()["detail"]
    assert ok(client("manager").get("/dossiers"))["total"] == 0


def test_non_json_and_wrong_types_are_422(client: Client) -> None:
    """Garbage bodies and wrong types are 422, never 500."""
    h = client("handler")
    assert (
        h.post(
            "/dossiers", content=b"{not json", headers={"Content-Type": "application/json"}
        ).status_code
        == 422
    )
    d = _new(client)
    act(h, d["id"], "accept")
    for action, body in [
        ("consult", {"agencies": "BCA"}),
        ("consult", {"working_days": 0}),
        ("consult", {"working_days": "ten"}),
        ("propose", {"outcome": "maybe"}),
        ("request-supplement", {"missing": []}),
        ("extend", {"reason": "x"}),
        ("assign", {"assignee": "Nobody Known"}),
        ("consult", {"agencies": ["BCA", "NOPE"]}),
    ]:
        r = h.post(f"/dossiers/{d['id']}/actions/{action}", json=body)
        assert r.status_code == 422, (action, body, r.text)
    after = ok(h.get(f"/dossiers/{d['id']}"))
    assert after["consultations"] == [] and after["version"] == d["version"] + 1


def test_unknown_dossier_consultation_and_route_are_404(client: Client) -> None:
    """Anything that does not exist is 404 in the error shape."""
    h = client("handler")
    assert h.get("/dossiers/does-not-exist").status_code == 404
    assert h.post("/dossiers/does-not-exist/actions/accept", json={}).status_code == 404
    assert h.get("/dossiers/does-not-exist/history").status_code == 404
    assert client("BCA").get("/consultations/nope").status_code == 404
    r = h.post(f"/dossiers/{_new(client)['id']}/actions/approve-everything", json={})
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_stale_if_match_is_412_and_current_one_works(client: Client) -> None:
    """Optimistic concurrency: If-Match carries the version from the ETag."""
    h = client("handler")
    created = h.post("/dossiers", json=operation_issue())
    etag = created.headers["ETag"]
    assert etag == '"1"'
    act(
        h, created.json()["id"], "assign", {"assignee": "Trần Thị Bình"}, headers={"If-Match": etag}
    )
    r = h.post(
        f"/dossiers/{created.json()['id']}/actions/accept", json={}, headers={"If-Match": etag}
    )
    assert r.status_code == 412 and r.json()["error"] == "version_mismatch"
    assert (
        h.post(
            f"/dossiers/{created.json()['id']}/actions/accept", json={}, headers={"If-Match": "abc"}
        ).status_code
        == 422
    )
    d = act(h, created.json()["id"], "accept", headers={"If-Match": '"2"'})
    assert d["status"] == "in_review"


def test_idempotency_key_returns_the_first_result(client: Client, clock: Clock) -> None:
    """A retried create or action with the same key changes nothing the second time."""
    h = client("handler")
    key = {"Idempotency-Key": "create-42"}
    first = ok(h.post("/dossiers", json=operation_issue(), headers=key), 201)
    second = ok(h.post("/dossiers", json=operation_issue(), headers=key), 201)
    assert second["id"] == first["id"]
    assert ok(client("manager").get("/dossiers"))["total"] == 1
    other = h.post("/dossiers", json=operation_issue(subject="other"), headers=key)
    assert other.status_code == 409  # same key, different request
    act(h, first["id"], "accept")
    k = {"Idempotency-Key": "consult-1"}
    a = act(h, first["id"], "consult", {"agencies": ["BCA"]}, headers=k)
    clock.advance(hours=1)
    b = act(h, first["id"], "consult", {"agencies": ["BCA"]}, headers=k)
    assert a == b and len(b["consultations"]) == 1
    history = ok(h.get(f"/dossiers/{first['id']}/history"))
    assert [x["action"] for x in history] == ["receive", "accept", "consult"]


def test_documents_are_checksummed_and_size_limited(client: Client) -> None:
    """Upload stores SHA-256 and size; too large is 413 and stores nothing."""
    h = client("handler")
    d = _new(client)
    up = ok(
        h.post(
            f"/dossiers/{d['id']}/documents",
            files={"file": ("charter.pdf", b"%PDF-1.4 hello", "application/pdf")},
        ),
        201,
    )
    assert up["size"] == 14
    assert up["sha256"] == hashlib.sha256(b"%PDF-1.4 hello").hexdigest()
    big = h.post(
        f"/dossiers/{d['id']}/documents",
        files={"file": ("big.bin", b"x" * (64 * 1024 + 1), "application/octet-stream")},
    )
    assert big.status_code == 413 and big.json()["error"] == "too_large"
    assert h.post(f"/dossiers/{d['id']}/documents").status_code == 422
    listed = ok(h.get(f"/dossiers/{d['id']}/documents"))
    assert [x["name"] for x in listed] == ["charter.pdf"]
    assert client("BCA").get(f"/dossiers/{d['id']}/documents").status_code == 403
