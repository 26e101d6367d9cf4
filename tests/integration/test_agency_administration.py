"""Admins add, rename and deactivate agencies over HTTP; consultation history survives."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue

BKHDT = {
    "code": "BKHDT",
    "name_vi": "Bộ Kế hoạch và Đầu tư",
    "name_en": "Ministry of Planning and Investment",
    "email": "bkhdt@agencies.example.org",
}
# Neither the People's Committee of a province nor the ministry of an activity field.
UNMAPPED: dict[str, list[str]] = {"provinces": [], "activity_fields": []}
SUCCESSOR = {
    "code": "BTC-KHDT",
    "name_vi": "Bộ Tài chính (Khối Kế hoạch và Đầu tư)",
    "name_en": "Ministry of Finance (Planning and Investment)",
    "email": "btc-khdt@agencies.example.org",
}


def _consulting(client: Client, *codes: str) -> dict[str, Any]:
    """A dossier accepted and consulting the given agencies."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")
    view: dict[str, Any] = act(h, d["id"], "consult", {"agencies": list(codes)})
    return view


def test_admin_adds_an_agency_that_everyone_can_read(client: Client) -> None:
    """201 with the agency, active by default; handlers and agencies then see it."""
    created = ok(client("admin").post("/agencies", json=BKHDT), 201)
    assert created == {**BKHDT, **UNMAPPED, "active": True}
    assert ok(client("handler").get("/agencies/BKHDT")) == created
    assert ok(client("BCA").get("/agencies/BKHDT")) == created
    assert "BKHDT" in {a["code"] for a in ok(client("BCA").get("/agencies"))}


def test_agency_without_email_can_be_added(client: Client) -> None:
    """The e-mail address is optional; an inactive agency can be registered."""
    body = {
        "code": "UBND-XX",
        "name_vi": "Ủy ban nhân dân tỉnh X",
        "name_en": "X Province",
        "active": False,
        "provinces": ["Tỉnh X"],
    }
    created = ok(client("admin").post("/agencies", json=body), 201)
    assert created == {**body, "email": "", "activity_fields": []}


def test_adding_an_existing_code_is_409_and_keeps_the_first(client: Client) -> None:
    """A second agency with the same code is refused; the first is unchanged."""
    admin = client("admin")
    ok(admin.post("/agencies", json=BKHDT), 201)
    r = admin.post("/agencies", json={**BKHDT, "name_en": "Other"})
    assert r.status_code == 409 and r.json()["error"] == "conflict"
    reference = {"code": "BCA", "name_vi": "Bộ Công an", "name_en": "Other"}
    assert ok(admin.post("/agencies", json=reference), 409)["error"] == "conflict"
    assert ok(admin.get("/agencies/BKHDT"))["name_en"] == BKHDT["name_en"]
    assert ok(admin.get("/agencies/BCA"))["name_en"] == "Ministry of Public Security"


@pytest.mark.parametrize("code", ["bkhdt", "B", "-BKHDT", "BK HDT", "BKHĐT", "B" * 41, ""])
def test_adding_an_agency_with_a_malformed_code_is_422(client: Client, code: str) -> None:
    """Codes are 2-40 capitals, digits and hyphens, not starting with a hyphen."""
    r = client("admin").post("/agencies", json={**BKHDT, "code": code})
    assert r.status_code == 422 and r.json()["error"] == "invalid_input"
    assert client("admin").get("/agencies/BKHDT").status_code == 404


@pytest.mark.parametrize("email", ["not-an-email", "bkhdt@", "@agencies.example.org", "a b@x.org"])
def test_adding_an_agency_with_a_bad_email_is_422(client: Client, email: str) -> None:
    """A non-empty e-mail must be a valid address."""
    r = client("admin").post("/agencies", json={**BKHDT, "email": email})
    assert r.status_code == 422 and r.json()["error"] == "invalid_input"
    assert client("admin").get("/agencies/BKHDT").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {k: v for k, v in BKHDT.items() if k != "name_vi"},
        {**BKHDT, "name_en": ""},
        {**BKHDT, "parent": "BTC"},
    ],
)
def test_adding_an_agency_with_missing_or_unknown_fields_is_422(
    client: Client, body: dict[str, Any]
) -> None:
    """Both names are required and unknown keys are refused."""
    assert client("admin").post("/agencies", json=body).status_code == 422


def test_merged_ministry_is_deactivated_and_its_successor_consulted(client: Client) -> None:
    """Planning and Investment merges into Finance: history keeps BKHDT; new requests go on."""
    admin, h = client("admin"), client("handler")
    ok(admin.post("/agencies", json=BKHDT), 201)
    before = _consulting(client, "BKHDT")
    [old] = before["consultations"]
    assert old["agency"] == "BKHDT"

    gone = ok(admin.patch("/agencies/BKHDT", json={"active": False}))
    assert gone == {**BKHDT, **UNMAPPED, "active": False}
    ok(admin.post("/agencies", json=SUCCESSOR), 201)

    kept = ok(h.get(f"/dossiers/{before['id']}"))
    assert [c["agency"] for c in kept["consultations"]] == ["BKHDT"]
    assert ok(h.get(f"/consultations/{old['id']}"))["agency"] == "BKHDT"

    again = h.post(f"/dossiers/{before['id']}/actions/consult", json={"agencies": ["BKHDT"]})
    assert again.status_code == 422 and "BKHDT" in again.json()["detail"]
    fresh = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, fresh["id"], "accept")
    act(h, fresh["id"], "consult", {"agencies": ["BKHDT"]}, status=422)
    view = act(h, fresh["id"], "consult", {"agencies": ["BTC-KHDT"]})
    assert [c["agency"] for c in view["consultations"]] == ["BTC-KHDT"]


def test_provincial_department_is_renamed_in_place(client: Client) -> None:
    """A department folded into the People's Committee Office keeps its code, new names."""
    admin = client("admin")
    ok(
        admin.post(
            "/agencies",
            json={
                "code": "SNGV-TN",
                "name_vi": "Sở Ngoại vụ tỉnh Tây Ninh",
                "name_en": "Tây Ninh Department of Foreign Affairs",
                "email": "sngv-tn@agencies.example.org",
            },
        ),
        201,
    )
    change = {
        "name_vi": "Văn phòng Ủy ban nhân dân tỉnh Tây Ninh",
        "name_en": "Office of the Tây Ninh People's Committee",
        "email": "vp-ubnd-tn@agencies.example.org",
    }
    renamed = ok(admin.patch("/agencies/SNGV-TN", json=change))
    assert renamed == {"code": "SNGV-TN", **change, **UNMAPPED, "active": True}
    assert ok(client("handler").get("/agencies/SNGV-TN")) == renamed
    assert ok(admin.patch("/agencies/SNGV-TN", json={"email": ""}))["email"] == ""
    assert (
        ok(admin.patch("/agencies/SNGV-TN", json={"active": True}))["name_vi"] == change["name_vi"]
    )


def test_reactivated_agency_can_be_consulted_again(client: Client) -> None:
    """Deactivation is reversible."""
    admin = client("admin")
    ok(admin.patch("/agencies/BCA", json={"active": False}))
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")
    act(h, d["id"], "consult", {"agencies": ["BCA"]}, status=422)
    ok(admin.patch("/agencies/BCA", json={"active": True}))
    assert act(h, d["id"], "consult", {"agencies": ["BCA"]})["consultations"][0]["agency"] == "BCA"


def test_changing_an_unknown_agency_is_404(client: Client) -> None:
    """PATCH and GET of a code that is not registered."""
    r = client("admin").patch("/agencies/NOPE", json={"active": False})
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert client("handler").get("/agencies/NOPE").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name_vi": None},
        {"active": None},
        {"code": "BCA2"},
        {"name_en": ""},
        {"email": "nope"},
        {"active": "maybe"},
    ],
)
def test_change_with_nothing_valid_to_apply_is_422(client: Client, body: dict[str, Any]) -> None:
    """Empty, null, unknown or invalid fields are refused and nothing changes."""
    before = ok(client("admin").get("/agencies/BCA"))
    r = client("admin").patch("/agencies/BCA", json=body)
    assert r.status_code == 422 and r.json()["error"] == "invalid_input"
    assert ok(client("admin").get("/agencies/BCA")) == before


@pytest.mark.parametrize("who", ["handler", "leader", "manager", "BCA"])
def test_only_admins_change_the_registry(client: Client, who: str) -> None:
    """Other roles get 403 on POST and PATCH and change nothing."""
    c = client(who)
    assert c.post("/agencies", json=BKHDT).status_code == 403
    r = c.patch("/agencies/BCA", json={"active": False})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert ok(c.get("/agencies/BCA"))["active"] is True
    assert c.get("/agencies/BKHDT").status_code == 404


def test_reading_the_registry_needs_a_token(client: Client) -> None:
    """No token: 401 on reads and writes."""
    anon = client("nobody")
    assert anon.get("/agencies").status_code == 401
    assert anon.get("/agencies/BCA").status_code == 401
    assert anon.post("/agencies", json=BKHDT).status_code == 401


def test_agencies_filter_by_active(client: Client) -> None:
    """active=false lists the deactivated ones; active=true the rest; no filter lists all."""
    admin = client("admin")
    ok(admin.post("/agencies", json=BKHDT), 201)
    ok(admin.patch("/agencies/BKHDT", json={"active": False}))
    reader = client("BTC")
    inactive = ok(reader.get("/agencies", params={"active": "false"}))
    assert [a["code"] for a in inactive] == ["BKHDT"]
    active = {a["code"] for a in ok(reader.get("/agencies", params={"active": "true"}))}
    assert "BKHDT" not in active and {"BCA", "BTC"} <= active
    every = [a["code"] for a in ok(reader.get("/agencies"))]
    assert every == sorted(every) and set(every) == active | {"BKHDT"}
    assert reader.get("/agencies", params={"active": "sometimes"}).status_code == 422


def test_registry_routes_are_documented_with_examples(client: Client) -> None:
    """Each agency route has a summary; writes carry request examples."""
    paths = ok(client("nobody").get("/openapi.json"))["paths"]
    ops = [
        paths["/agencies"]["get"],
        paths["/agencies"]["post"],
        paths["/agencies/{code}"]["get"],
        paths["/agencies/{code}"]["patch"],
    ]
    assert all(op.get("summary") for op in ops)
    for op in ops[1], ops[3]:
        assert op["requestBody"]["content"]["application/json"]["examples"]
        assert {403, 422} <= {int(s) for s in op["responses"]}
    assert ops[0]["parameters"][0]["name"] == "active"
