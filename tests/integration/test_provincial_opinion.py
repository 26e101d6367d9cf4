"""The provincial opinion runs inside the Committee's 10 WD and reads "đồng ý / không đồng ý"."""

from __future__ import annotations

from typing import Any

from tests.conftest import Clock
from tests.integration.conftest import Browser, Client
from tests.integration.helpers import act, answer_all, ok

APPLICANT = {"name": "Ủy ban công tác về các tổ chức PCPNN", "country": "Việt Nam", "email": ""}


def _opinion(received_on: str) -> dict[str, Any]:
    return {
        "procedure": "province.opinion",
        "applicant": {**APPLICANT, "email": "ubct@agencies.example.org"},
        "subject": "Ý kiến về hồ sơ cấp giấy đăng ký",
        "opinion_on": "issue",
        "ngo_name": "Save the Rivers",
        "committee_request_ref": "123/UBCT-PCPNN",
        "committee_request_received_on": received_on,
        "province": "Quảng Trị",
    }


def test_the_due_date_counts_from_the_committees_letter(client: Client, clock: Clock) -> None:
    """Letter received Wed 18/11/2026, registered Mon 23/11: due Thu 3/12 (24/11 off), not 8/12."""
    clock.set(2026, 11, 23, 9, 0)
    h = client("handler")
    d = ok(h.post("/dossiers", json=_opinion("2026-11-18")), 201)
    d = act(h, d["id"], "accept")
    assert d["due_date"] == "2026-12-03"  # 19, 20, 23, 25, 26, 27, 30/11, 1, 2, 3/12
    late = h.post("/dossiers", json=_opinion("2026-11-24"))  # tomorrow
    assert late.status_code == 422 and "committee_request_received_on" in late.json()["detail"]


def test_the_outcome_reads_agree_or_do_not_agree(
    client: Client, browser: Browser, clock: Clock
) -> None:
    """The proposal form, the dossier and the leader's queue use the procedure's own words."""
    clock.set(2026, 11, 23, 9, 0)
    h = client("handler")
    d = ok(h.post("/dossiers", json=_opinion("2026-11-23")), 201)
    act(h, d["id"], "accept")
    answer_all(client, act(h, d["id"], "consult"))
    form = browser("handler").get(f"/app/dossiers/{d['id']}/actions/propose").text
    assert "Đồng ý" in form and "Không đồng ý" in form and "Cấp / phê duyệt" not in form
    act(h, d["id"], "propose", {"outcome": "refuse", "reasons": "Địa bàn không phù hợp"})
    queue = browser("leader").get("/app/decisions").text
    assert "Không đồng ý" in queue
    act(client("leader"), d["id"], "sign")
    page = browser("handler").get(f"/app/dossiers/{d['id']}?lang=en").text
    assert "Do not agree" in page
