"""The leader signs or returns proposals from the pages: the queue, the review, the forms."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from flows.service.sweep import sweep
from tests.conftest import VN, Clock
from tests.integration.conftest import Browser, Client, csrf_of
from tests.integration.helpers import act, answer_all, ok, operation_issue


def _awaiting_decision(client: Client, clock: Clock, **overrides: Any) -> dict[str, Any]:
    """A dossier accepted, answered by BCA and BTC (and the other required agencies), proposed."""
    handler = client("handler")
    d = ok(handler.post("/dossiers", json=operation_issue(**overrides)), 201)
    act(handler, d["id"], "accept")
    consulted = act(handler, d["id"], "consult", {"agencies": ["BCA", "BTC"]})
    answers = {
        "BCA": ("agree", "Không có ý kiến về an ninh."),
        "BTC": ("agree_with_conditions", "Báo cáo tài chính hằng năm."),
    }
    for c in consulted["consultations"]:
        opinion, comments = answers[c["agency"]]
        ok(
            client(c["agency"]).post(
                f"/consultations/{c['id']}/response",
                json={"opinion": opinion, "comments": comments},
            )
        )
    answer_all(client, act(handler, d["id"], "consult"))  # the other agencies the law requires
    clock.advance(hours=1)
    return act(
        handler,
        d["id"],
        "propose",
        {
            "outcome": "approve",
            "reasons": "Đủ điều kiện theo Nghị định 58/2025",
            "validity_years": 3,
        },
    )


def _version(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version on the page"
    return match.group(1)


def test_queue_lists_the_oldest_proposal_first(
    client: Client, browser: Browser, clock: Clock
) -> None:
    """Two proposals: the one proposed first is on top, linked, with its working days left."""
    first = _awaiting_decision(client, clock, subject="First proposal")
    clock.advance(days=1)
    second = _awaiting_decision(client, clock, subject="Second proposal")
    page = browser("leader").get("/app/decisions")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert page.text.index(first["code"]) < page.text.index(second["code"])
    assert f'href="/app/decisions/{first["id"]}"' in page.text
    assert "Save the Rivers Foundation" in page.text
    assert "Cấp / phê duyệt" in page.text and "Nguyễn Văn An" in page.text
    assert date.fromisoformat(first["due_date"]).strftime("%d/%m/%Y") in page.text
    assert f"{first['working_days_left']} ngày làm việc" in page.text
    english = browser("leader").get("/app/decisions?lang=en")
    assert "Proposals awaiting signature" in english.text and "working days" in english.text


def test_review_shows_the_proposal_and_both_answers(
    client: Client, browser: Browser, clock: Clock
) -> None:
    """Outcome, reasons, validity, proposer; each agency by its registry name and opinion."""
    d = _awaiting_decision(client, clock)
    page = browser("leader").get(f"/app/decisions/{d['id']}")
    assert page.status_code == 200
    text = page.text
    assert "Đủ điều kiện theo Nghị định 58/2025" in text and "3 năm" in text
    assert "Bộ Công an" in text and "Bộ Tài chính" in text
    assert "Không có ý kiến về an ninh." in text and "Báo cáo tài chính hằng năm." in text
    assert "Đồng ý có điều kiện" in text and "Đúng hạn" in text
    assert f'href="/app/dossiers/{d["id"]}"' in text
    assert f'action="/app/decisions/{d["id"]}/sign"' in text
    assert f'action="/app/decisions/{d["id"]}/return"' in text
    assert _version(text) == str(d["version"])


def test_leader_signs_from_the_page(client: Client, browser: Browser, clock: Clock) -> None:
    """Sign → back to the queue with a notice; the dossier is approved in the API."""
    d = _awaiting_decision(client, clock)
    leader = browser("leader")
    review = leader.get(f"/app/decisions/{d['id']}")
    signed = leader.post(
        f"/app/decisions/{d['id']}/sign",
        data={"csrf_token": csrf_of(review.text), "version": _version(review.text)},
    )
    assert signed.status_code == 303
    assert signed.headers["location"].startswith("/app/decisions?done=signed")
    queue = leader.get(signed.headers["location"])
    assert "Đã ký hồ sơ" in queue.text and d["code"] in queue.text
    assert f'href="/app/decisions/{d["id"]}"' not in queue.text
    after = ok(client("leader").get(f"/dossiers/{d['id']}"))
    assert after["status"] == "approved" and after["decision"]["signed_by"] == "Lê Minh Cường"
    again = leader.post(
        f"/app/decisions/{d['id']}/sign",
        data={"csrf_token": csrf_of(review.text), "version": after["version"]},
    )
    assert again.status_code == 409 and "text/html" in again.headers["content-type"]


def test_return_needs_a_comment(client: Client, browser: Browser, clock: Clock) -> None:
    """An empty comment is a 422 page and changes nothing; with one, the handler has it back."""
    d = _awaiting_decision(client, clock)
    leader = browser("leader")
    review = leader.get(f"/app/decisions/{d['id']}")
    form = {"csrf_token": csrf_of(review.text), "version": _version(review.text)}
    empty = leader.post(f"/app/decisions/{d['id']}/return", data={**form, "comment": "  "})
    assert empty.status_code == 422 and "text/html" in empty.headers["content-type"]
    assert "Dữ liệu chưa hợp lệ" in empty.text
    assert ok(client("handler").get(f"/dossiers/{d['id']}"))["status"] == "awaiting_decision"
    returned = leader.post(
        f"/app/decisions/{d['id']}/return", data={**form, "comment": "Bổ sung ý kiến Bộ Nội vụ"}
    )
    assert returned.status_code == 303 and "done=returned" in returned.headers["location"]
    assert "Đã trả lại" in leader.get(returned.headers["location"]).text
    assert ok(client("handler").get(f"/dossiers/{d['id']}"))["status"] == "in_review"
    history = ok(client("handler").get(f"/dossiers/{d['id']}/history"))
    assert history[-1]["action"] == "return" and history[-1]["actor"] == "Lê Minh Cường"


def test_a_stale_form_is_a_readable_412(client: Client, browser: Browser, clock: Clock) -> None:
    """The dossier changed after the page was read: nothing is signed."""
    d = _awaiting_decision(client, clock)
    leader = browser("leader")
    review = leader.get(f"/app/decisions/{d['id']}")
    act(client("handler"), d["id"], "assign", {"assignee": "Trần Thị Bình"})
    stale = leader.post(
        f"/app/decisions/{d['id']}/sign",
        data={"csrf_token": csrf_of(review.text), "version": _version(review.text)},
    )
    assert stale.status_code == 412 and "Hồ sơ đã thay đổi" in stale.text
    assert ok(client("handler").get(f"/dossiers/{d['id']}"))["status"] == "awaiting_decision"


def test_only_leaders_decide(client: Client, browser: Browser, clock: Clock) -> None:
    """A handler gets a 403 page; a manager reads the queue and the review but has no forms."""
    d = _awaiting_decision(client, clock)
    handler = browser("handler")
    refused = handler.get("/app/decisions")
    assert refused.status_code == 403 and "Không có quyền" in refused.text
    assert handler.get(f"/app/decisions/{d['id']}").status_code == 403
    manager = browser("manager")
    assert d["code"] in manager.get("/app/decisions").text
    review = manager.get(f"/app/decisions/{d['id']}")
    assert review.status_code == 200 and "Bộ Công an" in review.text
    assert "/sign" not in review.text
    forbidden = manager.post(
        f"/app/decisions/{d['id']}/sign",
        data={"csrf_token": csrf_of(review.text), "version": d["version"]},
    )
    assert forbidden.status_code == 403
    assert ok(client("manager").get(f"/dossiers/{d['id']}"))["status"] == "awaiting_decision"
    assert browser("leader").get("/app/decisions/no-such-dossier").status_code == 404


def test_a_form_without_csrf_signs_nothing(client: Client, browser: Browser, clock: Clock) -> None:
    """The sign form needs this browser's CSRF token."""
    d = _awaiting_decision(client, clock)
    refused = browser("leader").post(
        f"/app/decisions/{d['id']}/sign", data={"version": d["version"]}
    )
    assert refused.status_code == 403
    assert ok(client("leader").get(f"/dossiers/{d['id']}"))["status"] == "awaiting_decision"


def test_deemed_consent_is_shown_as_a_system_outcome(
    client: Client, browser: Browser, engine: Engine, clock: Clock
) -> None:
    """A provincial member's silence appears as deemed consent recorded by the system."""
    handler = client("handler")
    d = ok(
        handler.post(
            "/dossiers",
            json={
                "procedure": "province.opinion",
                "subject": "Provincial opinion",
                "applicant": {
                    "name": "Save the Rivers",
                    "country": "Norway",
                    "email": "contact@savetherivers.example.org",
                },
                "opinion_on": "issue",
                "ngo_name": "Save the Rivers",
                "committee_request_ref": "123/UBCT-PCPNN",
                "committee_request_received_on": "2026-11-23",
                "province": "Quảng Trị",
            },
        ),
        201,
    )
    act(handler, d["id"], "accept")
    members = {c["agency"]: c for c in act(handler, d["id"], "consult")["consultations"]}
    ok(
        client("CA-QT").post(
            f"/consultations/{members['CA-QT']['id']}/response", json={"opinion": "agree"}
        )
    )
    assert sweep(engine, datetime(2026, 12, 2, tzinfo=VN)).deemed_consent == 2
    clock.set(2026, 12, 3, 9, 0)
    act(handler, d["id"], "propose", {"outcome": "approve", "reasons": "The province agrees"})
    page = browser("leader").get(f"/app/decisions/{d['id']}")
    assert page.status_code == 200
    assert page.text.count("Coi như đồng ý (không trả lời)") == 2
    assert "Hệ thống ghi nhận" in page.text and "Công an tỉnh Quảng Trị" in page.text
