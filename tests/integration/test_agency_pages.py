"""An agency answers its own requests from the pages and reads only its own dossiers' files."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Browser, Client, csrf_of
from tests.integration.helpers import act, ok, operation_issue

CHARTER = "%PDF-1.4\nĐiều lệ tổ chức — bản dịch công chứng.\n".encode()


def _consulted(client: Client, **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A dossier with one uploaded document, consulting BCA and BTC: (dossier, by agency)."""
    handler = client("handler")
    d = ok(handler.post("/dossiers", json=operation_issue(**overrides)), 201)
    act(handler, d["id"], "accept")
    doc = ok(
        handler.post(
            f"/dossiers/{d['id']}/documents",
            files={"file": ("Điều lệ.pdf", CHARTER, "application/pdf")},
        ),
        201,
    )
    consulted = act(handler, d["id"], "consult", {"agencies": ["BCA", "BTC"]})
    return {**consulted, "document": doc}, {c["agency"]: c for c in consulted["consultations"]}


def test_inbox_lists_only_the_agencys_own_requests(client: Client, browser: Browser) -> None:
    """BCA sees its open request, linked, with its due date; never BTC's."""
    d, by_agency = _consulted(client)
    page = browser("BCA").get("/app/consultations")
    assert page.status_code == 200
    assert f'href="/app/consultations/{by_agency["BCA"]["id"]}"' in page.text
    assert by_agency["BTC"]["id"] not in page.text
    assert d["code"] in page.text and "Save the Rivers Foundation" in page.text
    assert "ngày làm việc" in page.text
    assert "Chưa có đề nghị nào đã trả lời." in page.text
    assert browser("handler").get("/app/consultations").status_code == 403


def test_open_requests_come_soonest_due_first(client: Client, browser: Browser) -> None:
    """Two requests to BCA with different answer times: the sooner one is on top."""
    handler = client("handler")
    late, soon = (
        ok(handler.post("/dossiers", json=operation_issue(subject=s)), 201)
        for s in ("Later", "Sooner")
    )
    for d, days in ((late, 10), (soon, 3)):
        act(handler, d["id"], "accept")
        act(handler, d["id"], "consult", {"agencies": ["BCA"], "working_days": days})
    page = browser("BCA").get("/app/consultations").text
    assert page.index(soon["code"]) < page.index(late["code"])


def test_another_agencys_request_and_files_are_not_found(client: Client, browser: Browser) -> None:
    """BCA opening BTC's request or its document gets a 404 page with none of the dossier."""
    d, by_agency = _consulted(client, subject="Confidential subject of the dossier")
    bca = browser("BCA")
    btc_request = by_agency["BTC"]["id"]
    for path in (
        f"/app/consultations/{btc_request}",
        f"/app/consultations/{btc_request}/documents/{d['document']['id']}",
    ):
        answer = bca.get(path)
        assert answer.status_code == 404 and "text/html" in answer.headers["content-type"]
        for secret in (d["code"], "Confidential subject", "Save the Rivers", "Điều lệ"):
            assert secret not in answer.text
    other = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    foreign = ok(
        client("handler").post(
            f"/dossiers/{other['id']}/documents",
            files={"file": ("other.pdf", b"%PDF-1.4 other", "application/pdf")},
        ),
        201,
    )
    own = by_agency["BCA"]["id"]
    assert bca.get(f"/app/consultations/{own}/documents/{foreign['id']}").status_code == 404
    assert client("BCA").get(f"/consultations/{btc_request}/documents").status_code == 404
    assert (
        client("BCA")
        .get(f"/consultations/{btc_request}/documents/{d['document']['id']}/content")
        .status_code
        == 404
    )


def test_agency_downloads_the_dossiers_documents(client: Client, browser: Browser) -> None:
    """The handler's upload is listed on BCA's request page and downloads as an attachment."""
    d, by_agency = _consulted(client)
    own, doc = by_agency["BCA"]["id"], d["document"]
    bca = browser("BCA")
    page = bca.get(f"/app/consultations/{own}")
    link = f"/app/consultations/{own}/documents/{doc['id']}"
    assert f'href="{link}"' in page.text and "Điều lệ.pdf" in page.text
    file = bca.get(link)
    assert file.status_code == 200 and file.content == CHARTER
    assert file.headers["content-disposition"].startswith("attachment;")
    assert file.headers["x-content-type-options"] == "nosniff"
    listed = ok(client("BCA").get(f"/consultations/{own}/documents"))
    assert [x["sha256"] for x in listed] == [doc["sha256"]]
    api = client("BCA").get(f"/consultations/{own}/documents/{doc['id']}/content")
    assert api.status_code == 200 and api.content == CHARTER


def test_agency_answers_through_the_page_once(client: Client, browser: Browser) -> None:
    """The shared opinion form records the answer as the signed-in officer; again is 409."""
    d, by_agency = _consulted(client)
    own = by_agency["BCA"]["id"]
    bca = browser("BCA")
    page = bca.get(f"/app/consultations/{own}")
    assert "Trả lời đề nghị lấy ý kiến" in page.text
    assert 'name="opinion" value="agree_with_conditions"' in page.text
    assert "Ý kiến cụ thể (nếu có)" in page.text and "Gửi ý kiến" in page.text
    token = csrf_of(page.text)
    done = bca.post(
        f"/app/consultations/{own}",
        data={
            "csrf_token": token,
            "opinion": "agree_with_conditions",
            "comments": "Chỉ hoạt động tại Quảng Trị và Huế.",
        },
    )
    assert done.status_code == 303
    shown = bca.get(done.headers["location"])
    assert "Đã ghi nhận ý kiến" in shown.text and "Đồng ý có điều kiện" in shown.text
    assert 'name="opinion"' not in shown.text
    [answered] = [
        c
        for c in ok(client("handler").get(f"/dossiers/{d['id']}"))["consultations"]
        if c["agency"] == "BCA"
    ]
    assert (answered["status"], answered["opinion"], answered["answered_by"]) == (
        "answered",
        "agree_with_conditions",
        "Officer BCA",
    )
    assert answered["comments"] == "Chỉ hoạt động tại Quảng Trị và Huế."
    again = bca.post(f"/app/consultations/{own}", data={"csrf_token": token, "opinion": "object"})
    assert again.status_code == 409 and "text/html" in again.headers["content-type"]
    inbox = bca.get("/app/consultations").text
    assert "Không có đề nghị nào đang chờ cơ quan trả lời." in inbox
    assert f'href="/app/consultations/{own}"' in inbox and "Đã trả lời" in inbox


def test_a_bad_or_foreign_answer_records_nothing(client: Client, browser: Browser) -> None:
    """An unknown opinion is a 422 page; answering BTC's request as BCA is a 404 page."""
    d, by_agency = _consulted(client)
    bca = browser("BCA")
    own = by_agency["BCA"]["id"]
    token = csrf_of(bca.get(f"/app/consultations/{own}").text)
    assert (
        bca.post(
            f"/app/consultations/{own}", data={"csrf_token": token, "opinion": "maybe"}
        ).status_code
        == 422
    )
    assert (
        bca.post(
            f"/app/consultations/{by_agency['BTC']['id']}",
            data={"csrf_token": token, "opinion": "agree"},
        ).status_code
        == 404
    )
    assert bca.post(f"/app/consultations/{own}", data={"opinion": "agree"}).status_code == 403
    statuses = {
        c["status"] for c in ok(client("handler").get(f"/dossiers/{d['id']}"))["consultations"]
    }
    assert statuses == {"requested"}


def test_the_reply_form_speaks_english(client: Client, browser: Browser) -> None:
    """?lang=en gives the same form in English, as the e-mailed link does."""
    _, by_agency = _consulted(client)
    page = browser("BCA").get(f"/app/consultations/{by_agency['BCA']['id']}?lang=en")
    for text in (
        "Answer a request for your opinion",
        "Agree with conditions",
        "Comments (optional)",
        "Send opinion",
        "The dossier&#39;s documents",
    ):
        assert text in page.text
