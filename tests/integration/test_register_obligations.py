"""After approval: a signed certificate creates the NGO's obligations (Decree 58/2022 Art 21)
with working-day deadlines; the sweep reminds and marks them overdue; what the NGO sends
meets them; the dashboard's feed lists the overdue ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from flows.service.admin import create_token
from flows.service.sweep import sweep
from models.db import read_session
from models.outbox import Outbox
from tests.conftest import VN, Clock
from tests.integration.conftest import Client
from tests.integration.helpers import issue_certificate as issue
from tests.integration.helpers import ok
from tests.integration.world import PDF

NGO_EMAIL = "contact@savetherivers.example.org"
MANAGER_EMAIL = "binh@managers.example.org"


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


def _by_kind(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for o in items:
        found.setdefault(o["kind"], []).append(o)
    return found


def _mail(engine: Engine, template: str) -> list[tuple[str, str]]:
    with read_session(engine) as session:
        rows = session.exec(
            select(Outbox.recipient, Outbox.template).where(Outbox.template == template)
        ).all()
        return sorted((r, t) for r, t in rows)


def test_signing_an_issuance_creates_the_obligations_with_their_deadlines(
    client: Client, clock: Clock
) -> None:
    """Signed Fri 4 Dec 2026, valid to 3 Dec 2029."""
    signed = issue(client, clock)
    assert signed["decision"]["valid_until"] == "2029-12-03"
    manager = client("manager")
    [ngo] = ok(manager.get("/ngos", params={"q": "rivers"}))["items"]
    assert ngo["name"] == "Save the Rivers Foundation" and ngo["country"] == "Norway"
    assert [c["number"] for c in ngo["certificates"]] == [signed["decision"]["certificate_number"]]
    assert ngo["risk"]["group"] == "low"
    obligations = ok(manager.get("/obligations", params={"ngo": ngo["id"]}))
    kinds = _by_kind(obligations["items"])
    assert obligations["total"] == 6
    # 10 WD from Fri 4 Dec: 7-11 and 14-18 Dec.
    [bank] = kinds["bank_account_notice"]
    assert (bank["due_date"], bank["status"]) == ("2026-12-18", "open")
    assert "Điều 21" in bank["legal_basis"]
    # 45 WD: 19 by 31 Dec (1 Jan 2027 off), 39 by 29 Jan, 1-3 Feb make 42, Tết keeps 4-5 and
    # 8-10 Feb off, then 11, 12 and Mon 15 Feb 2027.
    [plan] = kinds["activity_plan_to_provinces"]
    assert plan["due_date"] == "2027-02-15"
    # Each 18 December within the validity: 2026, 2027, 2028 (18 Dec 2029 is after 3 Dec).
    assert [(o["period_year"], o["due_date"]) for o in kinds["annual_report"]] == [
        (2026, "2026-12-18"),
        (2027, "2027-12-18"),
        (2028, "2028-12-18"),
    ]
    [renewal] = kinds["renewal"]
    assert renewal["due_date"] == "2029-12-03"
    assert renewal["remind_on"] == "2029-09-04"  # 90 days before (NGO_REVIEW_RENEWAL_...)
    detail = ok(manager.get(f"/ngos/{ngo['id']}"))
    assert [d["id"] for d in detail["dossiers"]] == [signed["id"]]
    assert signed["ngo_id"] == ngo["id"]  # the dossier links to its NGO
    assert len(detail["obligations"]) == 6


def test_the_sweep_reminds_then_marks_overdue_and_a_bank_notice_meets_one(
    client: Client, clock: Clock, engine: Engine
) -> None:
    issue(client, clock)
    create_token(engine, role="manager", name="Trần Thị Bình", email=MANAGER_EMAIL)
    manager, handler = client("manager"), client("handler")
    [ngo] = ok(manager.get("/ngos"))["items"]

    # 5 WD before 18 Dec is Fri 11 Dec: the bank notice and the 2026 report are reminded.
    assert sweep(engine, _at(2026, 12, 10, 23, 0)).obligations_reminded == 0
    first = sweep(engine, _at(2026, 12, 11, 8, 0))
    assert (first.obligations_reminded, first.obligations_overdue) == (2, 0)
    assert _mail(engine, "obligation_reminder") == [
        (NGO_EMAIL, "obligation_reminder"),
        (NGO_EMAIL, "obligation_reminder"),
    ]
    again = sweep(engine, _at(2026, 12, 11, 8, 0))
    assert (again.obligations_reminded, again.obligations_overdue) == (0, 0)

    # Still due on Fri 18 Dec; overdue from Sat 19 Dec.
    assert sweep(engine, _at(2026, 12, 18, 23, 59)).obligations_overdue == 0
    late = sweep(engine, _at(2026, 12, 19, 0, 30))
    assert late.obligations_overdue == 2
    overdue = ok(manager.get("/obligations", params={"status": "overdue"}))
    assert sorted(o["kind"] for o in overdue["items"]) == ["annual_report", "bank_account_notice"]
    # The NGO and the managers are told.
    assert {r for r, _ in _mail(engine, "obligation_overdue")} == {NGO_EMAIL, MANAGER_EMAIL}
    # Missing report (40) + overdue notice (15) + a border province, Quảng Trị (10): high.
    risk = ok(manager.get(f"/ngos/{ngo['id']}"))["risk"]
    assert (risk["score"], risk["group"]) == (65, "high")
    assert ok(manager.get("/ngos", params={"risk_group": "high"}))["total"] == 1

    clock.set(2026, 12, 21, 9, 0)
    bank = next(o for o in overdue["items"] if o["kind"] == "bank_account_notice")
    met = ok(
        handler.post(
            f"/obligations/{bank['id']}/fulfil",
            json={
                "received_at": "2026-12-21",
                "document_ref": "Công văn 12/SRF",
                "note": "Vietcombank",
            },
        )
    )
    assert (met["status"], met["received_on"], met["met_late"]) == ("met", "2026-12-21", True)
    # A second record, a date in the future, or an unknown obligation change nothing.
    assert (
        handler.post(
            f"/obligations/{bank['id']}/fulfil", json={"received_at": "2026-12-21"}
        ).status_code
        == 409
    )
    annual = next(o for o in overdue["items"] if o["kind"] == "annual_report")
    assert (
        handler.post(
            f"/obligations/{annual['id']}/fulfil", json={"received_at": "2026-12-22"}
        ).status_code
        == 422
    )
    assert (
        handler.post(
            f"/obligations/{annual['id']}/fulfil", json={"received_at": "21/12/2026"}
        ).status_code
        == 422
    )
    assert (
        handler.post("/obligations/nope/fulfil", json={"received_at": "2026-12-21"}).status_code
        == 404
    )
    before = handler.post(f"/obligations/{annual['id']}/fulfil", json={"received_at": "2026-12-03"})
    assert before.status_code == 422 and "before the obligation arose" in before.text
    assert client("BCA").get("/obligations").status_code == 403
    still = ok(manager.get("/obligations", params={"status": "overdue"}))
    assert [o["kind"] for o in still["items"]] == ["annual_report"]
    # The notice met late still counts (15), with the missing report (40) and the province.
    risk = ok(manager.get(f"/ngos/{ngo['id']}"))["risk"]
    assert risk["score"] == 65
    assert {r["criterion"] for r in risk["reasons"]} == {
        "missing_annual_report",
        "overdue_obligation",
        "sensitive_province",
    }


def test_an_annual_report_recorded_meets_its_year_and_sets_on_time(
    client: Client, clock: Clock
) -> None:
    issue(client, clock)
    handler, manager = client("handler"), client("manager")
    [ngo] = ok(manager.get("/ngos"))["items"]
    clock.set(2026, 12, 16, 9, 0)
    report = ok(
        handler.post(
            f"/ngos/{ngo['id']}/reports",
            json={
                "kind": "annual",
                "period_year": 2026,
                "received_at": "2026-12-16",
                "projects": 2,
                "funds_disbursed": "150000.00",
                "currency": "USD",
                "provinces": ["Quảng Trị"],
            },
        ),
        201,
    )
    assert report["on_time"] is True and report["obligation_id"]
    annual = ok(manager.get("/obligations", params={"ngo": ngo["id"], "kind": "annual_report"}))
    assert [(o["period_year"], o["status"]) for o in annual["items"]] == [
        (2026, "met"),
        (2027, "open"),
        (2028, "open"),
    ]
    bad = handler.post(f"/ngos/{ngo['id']}/reports", json={"kind": "annual", "period_year": 2026})
    assert bad.status_code == 422
    assert handler.post("/ngos/nope/reports", json={**_report(2027)}).status_code == 404
    assert ok(manager.get(f"/ngos/{ngo['id']}"))["risk"]["group"] == "low"


def _report(year: int, received: str = "2026-12-16") -> dict[str, Any]:
    return {"kind": "annual", "period_year": year, "received_at": received}


def test_revoking_a_certificate_cancels_what_it_still_owed(client: Client, clock: Clock) -> None:
    signed = issue(client, clock)
    leader, manager = client("leader"), client("manager")
    [ngo] = ok(manager.get("/ngos"))["items"]
    cert_id = ngo["certificates"][0]["id"]
    clock.set(2026, 12, 10, 9, 0)
    body = {"act": "revoke", "reason": "Hoạt động sai mục đích", "legal_basis": "Điều 7 NĐ 58"}
    assert client("handler").post(f"/certificates/{cert_id}/acts", json=body).status_code == 403
    future = leader.post(f"/certificates/{cert_id}/acts", json={**body, "decided_on": "2026-12-11"})
    assert future.status_code == 422
    cert = ok(leader.post(f"/certificates/{cert_id}/acts", json=body))
    assert cert["status"] == "revoked"
    assert [h["action"] for h in cert["history"]] == ["issue", "revoke"]
    assert cert["history"][1]["dossier_id"] is None
    assert cert["history"][1]["details"]["reason"] == "Hoạt động sai mục đích"
    again = leader.post(f"/certificates/{cert_id}/acts", json={**body, "act": "suspend"})
    assert again.status_code == 409
    items = ok(manager.get("/obligations", params={"ngo": ngo["id"]}))["items"]
    # Due after 10 Dec: cancelled; nothing was due before.
    assert {o["status"] for o in items} == {"cancelled"}
    assert signed["id"] in {d["id"] for d in ok(manager.get(f"/ngos/{ngo['id']}"))["dossiers"]}


def test_a_file_received_meets_an_obligation_with_it(client: Client, clock: Clock) -> None:
    """The bank notice's letter uploaded to the register, named when meeting the obligation."""
    issue(client, clock)
    second = issue(
        client, clock, applicant={"name": "Green Schools", "country": "Ireland", "email": "g@s.org"}
    )
    handler, manager = client("handler"), client("manager")
    rivers = ok(manager.get("/ngos", params={"q": "rivers"}))["items"][0]
    schools = ok(manager.get("/ngos", params={"q": "schools"}))["items"][0]
    clock.set(2026, 12, 10, 9, 0)
    letter = ok(
        handler.post(
            f"/ngos/{rivers['id']}/documents",
            files={"file": ("bank notice.pdf", PDF, "application/pdf")},
        ),
        201,
    )
    assert (letter["size"], letter["uploaded_by"]) == (len(PDF), "Nguyễn Văn An")
    bank = ok(
        manager.get("/obligations", params={"ngo": rivers["id"], "kind": "bank_account_notice"})
    )
    [owed] = bank["items"]
    # Another NGO's file cannot meet it; garbage is not a document; an unknown NGO is 404.
    other = ok(
        handler.post(
            f"/ngos/{schools['id']}/documents", files={"file": ("x.pdf", PDF, "application/pdf")}
        ),
        201,
    )
    wrong = handler.post(
        f"/obligations/{owed['id']}/fulfil",
        json={"received_at": "2026-12-10", "document_id": other["id"]},
    )
    assert wrong.status_code == 422
    garbage = handler.post(
        f"/ngos/{rivers['id']}/documents",
        files={"file": ("x.pdf", b"\x00\x01junk", "application/pdf")},
    )
    assert garbage.status_code == 422
    assert (
        handler.post(
            "/ngos/nope/documents", files={"file": ("x.pdf", PDF, "application/pdf")}
        ).status_code
        == 404
    )
    met = ok(
        handler.post(
            f"/obligations/{owed['id']}/fulfil",
            json={"received_at": "2026-12-10", "document_id": letter["id"]},
        )
    )
    assert (met["status"], met["document_id"]) == ("met", letter["id"])
    got = manager.get(f"/ngos/{rivers['id']}/documents/{letter['id']}/content")
    assert got.status_code == 200 and got.content == PDF
    assert "attachment" in got.headers["content-disposition"]
    assert manager.get(f"/ngos/{schools['id']}/documents/{letter['id']}/content").status_code == 404
    detail = ok(manager.get(f"/ngos/{rivers['id']}"))
    assert [d["id"] for d in detail["documents"]] == [letter["id"]]
    assert second["status"] == "approved"
