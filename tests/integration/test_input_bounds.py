"""Bounded input over real HTTP: every string and list a client may send has a maximum, and
going past it is a 422 naming the field, with nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue

# Request bodies whose parts are files: bounded by the upload limit (413), not by the schema.
FILE_PARTS = {"file", "dossiers", "consultations"}


def _unbounded(
    schema: dict[str, Any], defs: dict[str, Any], path: str, seen: frozenset[str]
) -> list[str]:
    """Every string without maxLength, array without maxItems, open object without maxProperties."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _unbounded(defs[name], defs, path, seen | {name})
    found: list[str] = []
    alternatives = schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", [])
    numeric = any(alt.get("type") in ("number", "integer") for alt in alternatives)
    for alt in alternatives:
        if numeric and alt.get("type") == "string" and not alt.get("format"):
            continue  # a decimal also accepted as a string: bounded by its digits (max_digits)
        found += _unbounded(alt, defs, path, seen)
    kind = schema.get("type")
    if kind == "string" and not (
        "maxLength" in schema
        or "enum" in schema
        or "const" in schema
        or schema.get("format") in ("date", "date-time", "email")
        or "contentMediaType" in schema
        or _bounded_pattern(schema.get("pattern", ""))
    ):
        found.append(path)
    if kind == "array":
        if "maxItems" not in schema:
            found.append(f"{path}[]")
        found += _unbounded(schema.get("items", {}), defs, f"{path}[]", seen)
    for key, sub in schema.get("properties", {}).items():
        found += _unbounded(sub, defs, f"{path}.{key}", seen)
    extra = schema.get("additionalProperties")
    if extra not in (None, False) and "maxProperties" not in schema:
        found.append(f"{path}.*")
    return found


def _bounded_pattern(pattern: str) -> bool:
    """An anchored pattern of fixed or bounded length, e.g. ^[A-Z]{3}$ or ^[A-Z]{1,39}$."""
    return (
        pattern.startswith("^")
        and pattern.endswith("}$")
        and "*" not in pattern
        and "+" not in pattern
        and not pattern.endswith(",}$")
    )


def test_every_string_and_list_of_every_request_body_has_a_maximum(client: Client) -> None:
    """Walks the app's own OpenAPI document and every procedure's fields schema: a new field
    without a bound fails here."""
    anonymous = client("")
    document = ok(anonymous.get("/openapi.json"))
    defs = document["components"]["schemas"]
    loose: list[str] = []
    bodies = 0
    for route, item in document["paths"].items():
        for method, operation in item.items():
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                bodies += 1
                for found in _unbounded(
                    content["schema"], defs, f"{method.upper()} {route} {media}", frozenset()
                ):
                    if found.rsplit(".", 1)[-1] not in FILE_PARTS or "multipart" not in media:
                        loose.append(found)
    procedures = ok(client("handler").get("/procedures"))
    assert len(procedures) >= 10 and bodies >= 20
    for procedure in procedures:
        schema = procedure["fields_schema"]
        loose += _unbounded(schema, schema.get("$defs", {}), procedure["code"], frozenset())
    assert loose == []


def _field_error(answer: Any, field: str) -> str:
    """The 422's detail, after checking that it names the field."""
    assert answer.status_code == 422, (answer.status_code, answer.text[:500])
    body = answer.json()
    assert body["error"] in ("invalid_input", "validation_error"), body
    assert field in body["detail"], body["detail"][:500]
    assert len(answer.content) < 10_000  # one error, not one per item
    detail: str = body["detail"]
    return detail


def test_a_dossier_with_100000_provinces_is_refused_and_not_stored(client: Client) -> None:
    """The finding (a million provinces accepted); 100,000 short ones stay below the body limit."""
    handler = client("handler")
    answer = handler.post("/dossiers", json=operation_issue(provinces=["a"] * 100_000))
    assert "at most 34" in _field_error(answer, "provinces")
    assert ok(client("manager").get("/dossiers"))["total"] == 0
    ok(handler.post("/dossiers", json=operation_issue(provinces=["Huế"] * 34)), 201)


def _fields(procedure: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = procedure["fields_schema"]
    return schema


def _too_long(prop: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A value one past the property's bound, or None when it has none of its own."""
    if "maxItems" in prop:
        item = prop.get("items", {})
        if "$ref" in item:
            return None  # a list of objects (changes): tested below with a real item
        return ["x"] * (prop["maxItems"] + 1)
    if "maxLength" in prop:
        return "x" * (prop["maxLength"] + 1)
    return None


def test_every_procedure_refuses_each_over_long_field_by_name(client: Client) -> None:
    """Each bounded field of each procedure's dossier, one past its bound: 422 naming it."""
    handler = client("handler")
    tried = 0
    for procedure in ok(handler.get("/procedures")):
        schema = _fields(procedure)
        for name, prop in schema["properties"].items():
            value = _too_long(prop, schema.get("$defs", {}))
            if value is None:
                continue
            body = {
                "procedure": procedure["code"],
                "applicant": {"name": "NGO", "country": "Norway", "email": "a@ngo.example.org"},
                "subject": "Bounds",
                name: value,
            }
            _field_error(handler.post("/dossiers", json=body), name)
            tried += 1
    assert tried >= 20
    change = {"what": "name", "new_value": "New name"}
    amend = {
        "procedure": "ngo.operation.amend",
        "applicant": {"name": "NGO", "country": "Norway", "email": "a@ngo.example.org"},
        "subject": "Bounds",
        "certificate_number": "123/GĐK-BNG",
        "changes": [change] * 21,
    }
    _field_error(handler.post("/dossiers", json=amend), "changes")
    amend["changes"] = [{"what": "name", "new_value": "n" * 201}]
    _field_error(handler.post("/dossiers", json=amend), "new_value")
    assert ok(client("manager").get("/dossiers"))["total"] == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": "s" * 501}, "subject"),
        ({"procedure": "p" * 81}, "procedure"),
        ({"applicant": {"name": "n" * 301, "country": "No", "email": "a@b.example.org"}}, "name"),
        ({"applicant": {"name": "n", "country": "c" * 101, "email": "a@b.example.org"}}, "country"),
        ({"activity_fields": ["water"] * 51}, "activity_fields"),
        ({"activity_fields": ["w" * 201]}, "activity_fields"),
        ({"provinces": ["p" * 201]}, "provinces"),
        ({f"extra_{n}": n for n in range(41)}, "at most 40 procedure fields"),
    ],
)
def test_an_over_long_dossier_is_422_naming_the_field(
    client: Client, overrides: dict[str, Any], field: str
) -> None:
    """The common fields, the procedure's own, and the number of keys."""
    _field_error(client("handler").post("/dossiers", json=operation_issue(**overrides)), field)
    assert ok(client("manager").get("/dossiers"))["total"] == 0


def test_aid_amount_with_too_many_digits_is_422(client: Client) -> None:
    """A decimal may come as a string; its digits are bounded."""
    body = {
        "procedure": "aid.relief.approve",
        "applicant": {"name": "NGO", "country": "Norway", "email": "a@ngo.example.org"},
        "subject": "Relief",
        "amount": "1" * 50,
    }
    _field_error(client("handler").post("/dossiers", json=body), "amount")


def test_over_long_action_bodies_are_422_and_change_nothing(client: Client) -> None:
    """Each action's lists and texts; the dossier's version does not move."""
    handler = client("handler")
    d = ok(handler.post("/dossiers", json=operation_issue()), 201)
    for action, body, field in (
        ("request-supplement", {"missing": ["charter"] * 51}, "missing"),
        ("request-supplement", {"missing": ["c" * 501]}, "missing"),
        ("request-supplement", {"missing": ["charter"], "note": "n" * 5001}, "note"),
        ("reject-intake", {"reason": "r" * 5001}, "reason"),
        ("withdraw", {"reason": "r" * 5001}, "reason"),
        ("assign", {"assignee": "a" * 121}, "assignee"),
    ):
        _field_error(handler.post(f"/dossiers/{d['id']}/actions/{action}", json=body), field)
    accepted = act(handler, d["id"], "accept")
    for action, body, field in (
        ("consult", {"agencies": ["BCA"] * 51}, "agencies"),
        ("consult", {"agencies": ["B" * 41]}, "agencies"),
        ("extend", {"reason": "r" * 5001, "working_days": 5}, "reason"),
        ("propose", {"outcome": "approve", "reasons": "r" * 5001}, "reasons"),
        ("receive-supplement", {"documents": ["d"] * 51}, "documents"),
        ("receive-supplement", {"documents": ["d" * 37]}, "documents"),
    ):
        _field_error(handler.post(f"/dossiers/{d['id']}/actions/{action}", json=body), field)
    assert ok(handler.get(f"/dossiers/{d['id']}"))["version"] == accepted["version"]


def test_an_over_long_consultation_answer_is_422_and_records_nothing(client: Client) -> None:
    """Comments and the letter number are bounded; the request stays open."""
    handler = client("handler")
    d = ok(handler.post("/dossiers", json=operation_issue()), 201)
    act(handler, d["id"], "accept")
    consulted = act(handler, d["id"], "consult", {"agencies": ["BCA"]})
    (request,) = [c for c in consulted["consultations"] if c["agency"] == "BCA"]
    bca = client("BCA")
    url = f"/consultations/{request['id']}/response"
    _field_error(bca.post(url, json={"opinion": "agree", "comments": "c" * 10_001}), "comments")
    _field_error(bca.post(url, json={"opinion": "agree", "letter_number": "n" * 61}), "letter")
    assert ok(bca.get(f"/consultations/{request['id']}"))["status"] == "requested"


def test_a_10_mb_legal_basis_is_refused_and_never_served(client: Client) -> None:
    """The finding: 413 from the body limit at 10 MB; below the body limit the schema's 2,000
    characters apply (422 naming legal_basis); every role keeps reading the short text."""
    admin = client("admin")
    url = "/procedures/ngo.operation.issue/versions"
    huge = admin.post(url, json={"changes": {"legal_basis": "L" * (10 * 1024 * 1024)}})
    assert huge.status_code == 413, huge.text[:300]
    assert huge.json()["error"] == "too_large"
    below_body_limit = {"changes": {"legal_basis": "L" * (512 * 1024)}, "note": "long"}
    assert "at most 2000" in _field_error(admin.post(url, json=below_body_limit), "legal_basis")
    _field_error(admin.post(url, json={"changes": {"legal_basis": "L" * 2001}}), "legal_basis")
    _field_error(admin.post(url, json={"changes": {"title_en": "T" * 301}}), "title_en")
    _field_error(admin.post(url, json={"changes": {"default_agencies": ["BCA"] * 51}}), "default")
    _field_error(
        admin.post(url, json={"changes": {"legal_basis": "ok"}, "note": "n" * 5000}), "note"
    )
    for role in ("handler", "leader", "manager", "BCA", "admin"):
        for procedure in ok(client(role).get("/procedures")):
            assert len(procedure["legal_basis"]) <= 2000
            assert procedure["version"] == 1
    published = ok(admin.post(url, json={"changes": {"legal_basis": "B" * 2000}}), 201)
    assert published["version"] == 2


def test_over_long_admin_bodies_are_422(client: Client) -> None:
    """Agencies, users, tokens and the calendar: each string and list is bounded."""
    admin = client("admin")
    agency = {"code": "BTC-KHDT", "name_vi": "Bộ", "name_en": "Ministry"}
    for overrides, field in (
        ({"name_vi": "n" * 301}, "name_vi"),
        ({"name_en": "n" * 301}, "name_en"),
        ({"code": "C" * 41}, "code"),
        ({"provinces": ["Huế"] * 51}, "provinces"),
        ({"activity_fields": ["f" * 101]}, "activity_fields"),
        ({"activity_fields": ["health"] * 101}, "activity_fields"),
    ):
        _field_error(admin.post("/agencies", json={**agency, **overrides}), field)
    _field_error(admin.patch("/agencies/BCA", json={"name_en": "n" * 301}), "name_en")
    user = {
        "username": "tran.van.b",
        "display_name": "Trần Văn B",
        "role": "handler",
        "password": "a long enough password",
    }
    for overrides, field in (
        ({"display_name": "d" * 121}, "display_name"),
        ({"username": "u" * 81}, "username"),
        ({"password": "p" * 201}, "password"),
        ({"agency": "A" * 41}, "agency"),
    ):
        _field_error(admin.post("/users", json={**user, **overrides}), field)
    _field_error(admin.post("/tokens", json={"username": "admin", "name": "n" * 121}), "name")
    _field_error(
        admin.put("/calendar/overrides/2026-12-24", json={"kind": "holiday", "note": "n" * 301}),
        "note",
    )
    days = [{"day": f"2027-01-{n:02d}", "kind": "holiday"} for n in range(1, 32)] * 2
    _field_error(admin.post("/calendar/years/2027", json={"source": "QĐ 1", "days": days}), "days")
    _field_error(
        admin.post("/calendar/years/2027", json={"source": "s" * 301, "days": days[:1]}), "source"
    )
    assert all(a["code"] != "BTC-KHDT" for a in ok(admin.get("/agencies")))
    assert all(u["username"] != "tran.van.b" for u in ok(admin.get("/users")))
