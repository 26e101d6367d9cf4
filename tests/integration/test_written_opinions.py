"""Written opinions over real HTTP: the reply letter's number, date and signed copy, and
answers a handler records from paper."""

from __future__ import annotations

from typing import Any

from tests.conftest import Clock
from tests.integration.conftest import Browser, Client, csrf_of
from tests.integration.helpers import act, answer_all, ok, operation_issue

LETTER = b"%PDF-1.4 signed reply letter of the Ministry of Public Security"


def _consulted(client: Client, agencies: list[str] | None = None) -> dict[str, Any]:
    """An accepted dossier whose requests went out; the consultations by agency code."""
    handler = client("handler")
    d = ok(handler.post("/dossiers", json=operation_issue()), 201)
    act(handler, d["id"], "accept")
    body = {"agencies": agencies} if agencies else {}
    consulted = act(handler, d["id"], "consult", body)
    return {**consulted, "by_agency": {c["agency"]: c for c in consulted["consultations"]}}


def _upload(c: Any, consultation_id: str, content: bytes = LETTER) -> dict[str, Any]:
    """Upload a signed letter to a request; the document."""
    files = {"file": ("Công văn 123-BCA.pdf", content, "application/pdf")}
    found: dict[str, Any] = ok(
        c.post(f"/consultations/{consultation_id}/documents", files=files), 201
    )
    return found


def test_an_agency_answers_with_its_signed_letter(client: Client) -> None:
    """Number, date and the uploaded letter are kept, shown, listed and downloadable."""
    d = _consulted(client, ["BCA", "BTC"])
    request = d["by_agency"]["BCA"]
    bca = client("BCA")
    doc = _upload(bca, request["id"])
    answered = ok(
        bca.post(
            f"/consultations/{request['id']}/response",
            json={
                "opinion": "agree",
                "comments": "Không có ý kiến khác.",
                "letter_number": "123/BCA-A03",
                "letter_date": "2026-11-23",
                "letter_document_id": doc["id"],
            },
        )
    )
    assert answered["status"] == "answered"
    assert answered["letter_number"] == "123/BCA-A03"
    assert answered["letter_date"] == "2026-11-23"
    assert answered["letter_document_id"] == doc["id"]
    assert answered["recorded_by"] is None and answered["answered_by"] == "Officer BCA"
    assert ok(bca.get(f"/consultations/{request['id']}"))["letter_number"] == "123/BCA-A03"
    handler = client("handler")
    listed = ok(handler.get(f"/dossiers/{d['id']}"))["consultations"]
    shown = next(c for c in listed if c["id"] == request["id"])
    assert (shown["letter_number"], shown["letter_document_id"]) == ("123/BCA-A03", doc["id"])
    history = ok(handler.get(f"/dossiers/{d['id']}/history"))
    events = [ev for item in history for ev in item["details"].get("events", [])]
    answer = next(ev for ev in events if ev["event"] == "ConsultationAnswered")
    assert answer["letter_number"] == "123/BCA-A03" and answer["letter_date"] == "2026-11-23"
    own = bca.get(f"/consultations/{request['id']}/documents/{doc['id']}/content")
    assert own.status_code == 200 and own.content == LETTER
    dossier_copy = handler.get(f"/dossiers/{d['id']}/documents/{doc['id']}/content")
    assert dossier_copy.status_code == 200 and dossier_copy.content == LETTER
    slip = handler.get(f"/dossiers/{d['id']}/forms/06?format=html")
    assert slip.status_code == 200 and "123/BCA-A03" in slip.text


def test_a_bad_letter_is_422_and_changes_nothing(client: Client) -> None:
    """Future or pre-request dates, another request's document, an unknown one: 422."""
    d = _consulted(client, ["BCA", "BTC"])
    bca_request, btc_request = d["by_agency"]["BCA"], d["by_agency"]["BTC"]
    bca, btc = client("BCA"), client("BTC")
    btc_letter = _upload(btc, btc_request["id"])
    before = ok(client("handler").get(f"/dossiers/{d['id']}"))
    for bad in (
        {"letter_date": "2026-11-24"},
        {"letter_date": "2026-11-20"},
        {"letter_date": "23/11/2026"},
        {"letter_number": "x" * 61},
        {"letter_document_id": btc_letter["id"]},
        {"letter_document_id": "no-such-document"},
    ):
        answer = bca.post(
            f"/consultations/{bca_request['id']}/response", json={"opinion": "agree", **bad}
        )
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["error"] in ("invalid_input", "validation_error"), answer.text
    after = ok(client("handler").get(f"/dossiers/{d['id']}"))
    assert after["version"] == before["version"]
    assert ok(bca.get(f"/consultations/{bca_request['id']}"))["status"] == "requested"
    other = _consulted(client, ["BCA"])["by_agency"]["BCA"]
    foreign = bca.post(f"/consultations/{other['id']}/documents", files={"file": ("a.pdf", LETTER)})
    assert foreign.status_code == 201  # BCA's own request on another dossier: fine
    misfiled = bca.post(
        f"/consultations/{bca_request['id']}/response",
        json={"opinion": "agree", "letter_document_id": foreign.json()["id"]},
    )
    assert misfiled.status_code == 422, misfiled.text
    assert (
        btc.post(
            f"/consultations/{bca_request['id']}/documents", files={"file": ("a.pdf", LETTER)}
        ).status_code
        == 404
    )


def test_a_handler_records_a_paper_answer(client: Client, clock: Clock) -> None:
    """Recorded for the agency by the handler; a second record is 409; agencies get 403."""
    d = _consulted(client, ["BCA", "BTC"])
    request = d["by_agency"]["BCA"]
    handler = client("handler")
    clock.advance(days=1)
    scan = _upload(handler, request["id"])
    body = {
        "opinion": "agree_with_conditions",
        "comments": "Đề nghị tổ chức báo cáo định kỳ.",
        "letter_number": "456/BCA-A03",
        "letter_date": "2026-11-23",
        "letter_document_id": scan["id"],
    }
    assert (
        client("BCA").post(f"/consultations/{request['id']}/record-answer", json=body).status_code
        == 403
    )
    missing = handler.post(
        f"/consultations/{request['id']}/record-answer",
        json={k: v for k, v in body.items() if k != "letter_number"},
    )
    assert missing.status_code == 422
    recorded = ok(handler.post(f"/consultations/{request['id']}/record-answer", json=body))
    assert recorded["status"] == "answered" and recorded["opinion"] == "agree_with_conditions"
    assert recorded["recorded_by"] == "Nguyễn Văn An"
    assert recorded["answered_by"] and recorded["answered_by"] != "Nguyễn Văn An"
    assert (recorded["letter_number"], recorded["letter_date"]) == ("456/BCA-A03", "2026-11-23")
    assert recorded["letter_document_id"] == scan["id"]
    assert recorded["answered_at"].startswith("2026-11-24")  # received today, dated yesterday
    again = handler.post(f"/consultations/{request['id']}/record-answer", json=body)
    assert again.status_code == 409, again.text
    assert (
        client("BCA")
        .post(f"/consultations/{request['id']}/response", json={"opinion": "object"})
        .status_code
        == 409
    )
    unknown = handler.post("/consultations/no-such-request/record-answer", json=body)
    assert unknown.status_code == 404
    history = ok(handler.get(f"/dossiers/{d['id']}/history"))
    entry = next(item for item in history if item["action"] == "respond")
    assert (entry["actor"], entry["actor_role"]) == ("Nguyễn Văn An", "handler")
    assert entry["details"]["events"][0]["recorded_by"] == "Nguyễn Văn An"
    done = answer_all(client, ok(handler.get(f"/dossiers/{d['id']}")))
    assert all(c["status"] == "answered" for c in done["consultations"])


def test_the_handler_records_a_paper_answer_from_the_dossier_page(
    client: Client, browser: Browser
) -> None:
    """The dossier page's form takes the letter and its scan; errors are readable pages."""
    d = _consulted(client, ["BCA", "BTC"])
    request = d["by_agency"]["BCA"]
    page = browser("handler")
    shown = page.get(f"/app/dossiers/{d['id']}")
    assert shown.status_code == 200
    assert "Ghi nhận ý kiến bằng văn bản giấy" in shown.text
    action = f"/app/consultations/{request['id']}/record-answer"
    assert f'action="{action}"' in shown.text
    form = {
        "csrf_token": csrf_of(shown.text),
        "opinion": "agree",
        "comments": "Thống nhất.",
        "letter_number": "789/BCA-A03",
        "letter_date": "2026-11-24",
    }
    future = page.post(action, data=form, files={"file": ("scan.pdf", LETTER, "application/pdf")})
    assert future.status_code == 422 and "text/html" in future.headers["content-type"]
    assert "2026" in future.text and "Traceback" not in future.text
    assert ok(client("handler").get(f"/dossiers/{d['id']}/documents")) == []  # no stray scan
    no_csrf = page.post(action, data={**form, "csrf_token": "forged", "letter_date": "2026-11-23"})
    assert no_csrf.status_code == 403
    saved = page.post(
        action,
        data={**form, "letter_date": "2026-11-23"},
        files={"file": ("scan.pdf", LETTER, "application/pdf")},
    )
    assert saved.status_code == 303, saved.text
    view = ok(client("handler").get(f"/consultations/{request['id']}"))
    assert view["status"] == "answered" and view["recorded_by"] == "Nguyễn Văn An"
    assert view["letter_number"] == "789/BCA-A03" and view["letter_document_id"]
    after = page.get(saved.headers["location"])
    assert "789/BCA-A03" in after.text
    assert f"/app/dossiers/{d['id']}/documents/{view['letter_document_id']}" in after.text
    assert after.text.count(f'action="{action}"') == 0
    twice = page.post(action, data={**form, "letter_date": "2026-11-23"})
    assert twice.status_code == 409 and "text/html" in twice.headers["content-type"]
    assert browser("BCA").post(action, data=form).status_code in (403, 404)


def test_the_agency_page_takes_the_letter_and_its_upload(client: Client, browser: Browser) -> None:
    """The agency's reply form carries number, date and the signed letter."""
    d = _consulted(client, ["BCA", "BTC"])
    request = d["by_agency"]["BCA"]
    bca = browser("BCA")
    page = bca.get(f"/app/consultations/{request['id']}")
    assert page.status_code == 200
    assert 'name="letter_number"' in page.text and 'type="file"' in page.text
    saved = bca.post(
        f"/app/consultations/{request['id']}",
        data={
            "csrf_token": csrf_of(page.text),
            "opinion": "agree",
            "letter_number": "321/BCA-A03",
            "letter_date": "2026-11-23",
        },
        files={"file": ("Công văn.pdf", LETTER, "application/pdf")},
    )
    assert saved.status_code == 303, saved.text
    view = ok(client("BCA").get(f"/consultations/{request['id']}"))
    assert view["letter_number"] == "321/BCA-A03" and view["letter_document_id"]
    done = bca.get(saved.headers["location"])
    assert "321/BCA-A03" in done.text
    download = bca.get(f"/app/consultations/{request['id']}/documents/{view['letter_document_id']}")
    assert download.status_code == 200 and download.content == LETTER
