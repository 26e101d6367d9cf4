"""Register pages over real HTTP: the NGO list and page for staff, the forms that record what an
NGO sent and act on its certificates, the overdue obligations on the dashboard, and the public
pages (NGOs with a valid certificate, a dossier's status by code and e-mail) without sign-in."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import Engine

from flows.register.obligation_sweep import sweep_obligations
from tests.conftest import Clock
from tests.integration.conftest import Browser, Client, csrf_of
from tests.integration.helpers import act, answer_all, ok, operation_issue
from tests.integration.world import PDF

STAFF = ("handler", "leader", "manager", "admin")
RIVERS = "Save the Rivers Foundation"
RIVERS_EMAIL = "contact@savetherivers.example.org"


def registered(
    client: Client,
    name: str = RIVERS,
    country: str = "Norway",
    email: str = RIVERS_EMAIL,
) -> dict[str, Any]:
    """An ngo.operation.issue dossier received, accepted, consulted, answered, proposed and
    signed through the API: its certificate, its NGO (with obligations) in the register.
    Returns {dossier, ngo (the API's NgoDetail)}."""
    handler = client("handler")
    applicant = {"name": name, "country": country, "email": email, "language": "en"}
    dossier = ok(handler.post("/dossiers", json=operation_issue(applicant=applicant)), 201)
    act(handler, dossier["id"], "accept")
    answer_all(client, act(handler, dossier["id"], "consult"))
    act(handler, dossier["id"], "propose", {"outcome": "approve", "validity_years": 3})
    act(client("leader"), dossier["id"], "sign")
    found = ok(handler.get("/ngos", params={"q": name}))["items"]
    ngo_id = next(n["id"] for n in found if n["name"] == name)
    return {"dossier": dossier, "ngo": ok(handler.get(f"/ngos/{ngo_id}"))}


def _is_page(answer: httpx.Response, status: int) -> str:
    """An HTML page with that status, never a JSON error body; its text."""
    assert answer.status_code == status, (answer.status_code, answer.text[:800])
    assert answer.headers["content-type"].startswith("text/html")
    assert not answer.text.lstrip().startswith("{")
    return answer.text


def _obligation(ngo: dict[str, Any], kind: str) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in ngo["obligations"] if o["kind"] == kind)
    return found


def _status_of(client: Client, ngo_id: str, obligation_id: str) -> str:
    ngo = ok(client("handler").get(f"/ngos/{ngo_id}"))
    status: str = next(o["status"] for o in ngo["obligations"] if o["id"] == obligation_id)
    return status


def test_staff_see_the_register_and_agencies_are_refused(client: Client, browser: Browser) -> None:
    """List, search, risk filter and detail for every staff role; 403 for an agency officer,
    the sign-in form for a visitor; the dossier page links to its NGO."""
    made = registered(client)
    ngo, dossier = made["ngo"], made["dossier"]
    other = ok(
        client("handler").post(
            "/dossiers",
            json=operation_issue(
                applicant={"name": "Green Hands", "country": "Japan", "email": "gh@example.org"}
            ),
        ),
        201,
    )
    cert = ngo["certificates"][0]
    for role in STAFF:
        c = browser(role)
        listing = _is_page(c.get("/app/ngos"), 200)
        assert f'href="/app/ngos/{ngo["id"]}"' in listing and "Green Hands" in listing
        assert cert["number"] in listing and "Đang hiệu lực" in listing
        assert 'href="/app/ngos"' in listing  # the nav link "Tổ chức PCPNN"
        assert "Tổ chức PCPNN" in listing
        detail = _is_page(c.get(f"/app/ngos/{ngo['id']}"), 200)
        assert RIVERS in detail and "Norway" in detail and cert["number"] in detail
        assert "Thông báo tài khoản ngân hàng" in detail
        assert "Nghị định 58/2022/NĐ-CP, Điều 21" in detail
        assert "Cấp mới" in detail  # the certificate's history
        assert RIVERS_EMAIL in detail
        assert dossier["code"] in detail
        recorder = role in ("handler", "manager")
        assert ("Ghi nhận đã nhận" in detail) is recorder
        assert ("Ghi nhận báo cáo" in detail) is recorder
        assert ("Quyết định hành chính đối với giấy đăng ký" in detail) is (role == "leader")

    c = browser("handler")
    searched = _is_page(c.get("/app/ngos", params={"q": "norw"}), 200)
    assert RIVERS in searched and "Green Hands" not in searched
    assert "Không có tổ chức nào khớp" in c.get("/app/ngos", params={"q": "nobody"}).text
    group = ngo["risk"]["group"]
    assert RIVERS in c.get("/app/ngos", params={"risk_group": group}).text
    bad = _is_page(c.get("/app/ngos", params={"risk_group": "extreme"}), 422)
    assert "Nhóm rủi ro không hợp lệ" in bad
    _is_page(c.get("/app/ngos/00000000-0000-4000-8000-000000000000"), 404)
    english = _is_page(c.get(f"/app/ngos/{ngo['id']}", params={"lang": "en"}), 200)
    assert "Notice of bank accounts" in english and "Record as received" in english

    dossier_page = _is_page(c.get(f"/app/dossiers/{dossier['id']}"), 200)
    assert f'href="/app/ngos/{ngo["id"]}"' in dossier_page and RIVERS in dossier_page
    assert "/app/ngos/" in c.get(f"/app/dossiers/{other['id']}").text  # linked at intake

    officer = browser("BCA")
    _is_page(officer.get("/app/ngos"), 403)
    _is_page(officer.get(f"/app/ngos/{ngo['id']}"), 403)
    _is_page(officer.get("/app/obligations"), 403)
    _is_page(officer.get("/app/inspections"), 403)
    visitor = browser("")
    answer = visitor.get(f"/app/ngos/{ngo['id']}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/app/login")
    # The API refuses the officer too.
    assert client("BCA").get("/ngos").status_code == 403


def _fulfil(c: httpx.Client, ngo_id: str, obligation_id: str, **fields: str) -> httpx.Response:
    page = c.get(f"/app/ngos/{ngo_id}")
    return c.post(
        f"/app/ngos/{ngo_id}/obligations/{obligation_id}/fulfil",
        data={"csrf_token": csrf_of(page.text), **fields},
        follow_redirects=False,
    )


def test_recording_an_obligation_received_through_the_form_marks_it_met(
    client: Client, browser: Browser
) -> None:
    """The form meets the obligation (received date, reference, note); a second time is 409."""
    ngo = registered(client)["ngo"]
    bank = _obligation(ngo, "bank_account_notice")
    assert bank["status"] == "open"
    c = browser("handler")
    answer = _fulfil(
        c, ngo["id"], bank["id"], received_at="2026-11-23", document_ref="12/CV-STR", note="ok"
    )
    assert answer.status_code == 303, answer.text[:500]
    assert answer.headers["location"] == f"/app/ngos/{ngo['id']}?done=fulfil#obligations"
    shown = _is_page(c.get(answer.headers["location"]), 200)
    assert "Đã ghi nhận nghĩa vụ đã thực hiện." in shown
    row = re.search(rf'<tr id="obligation-{bank["id"]}".*?</tr>', shown, re.S)
    assert row is not None and "Đã thực hiện" in row.group(0) and "12/CV-STR" in row.group(0)
    assert "23/11/2026" in row.group(0)
    after = ok(client("handler").get(f"/ngos/{ngo['id']}"))
    met = next(o for o in after["obligations"] if o["id"] == bank["id"])
    assert met["status"] == "met" and met["received_on"] == "2026-11-23"
    assert met["document_ref"] == "12/CV-STR" and met["met_late"] is False

    again = _fulfil(c, ngo["id"], bank["id"], received_at="2026-11-23")
    assert "Chưa ghi nhận" in _is_page(again, 409)

    manager = browser("manager")
    plan = _obligation(ngo, "activity_plan_to_provinces")
    assert _fulfil(manager, ngo["id"], plan["id"], received_at="23/11/2026").status_code == 303
    assert _status_of(client, ngo["id"], plan["id"]) == "met"


def test_bad_form_input_shows_a_readable_message_and_changes_nothing(
    client: Client, browser: Browser
) -> None:
    """Bad dates, a future date, a missing field, a wrong year or currency: a 422 page naming
    the field, the obligation still open, no report recorded; a missing CSRF token is 403; a
    leader may not record, a handler may not act on a certificate."""
    ngo = registered(client)["ngo"]
    bank = _obligation(ngo, "bank_account_notice")
    c = browser("handler")
    for typed, words in (
        ("31/02/2026", "Không phải là ngày"),
        ("yesterday", "Không phải là ngày"),
        ("2026-12-01", "Không được sau ngày hôm nay"),
        ("", "Bắt buộc phải nhập"),
    ):
        shown = _is_page(_fulfil(c, ngo["id"], bank["id"], received_at=typed), 422)
        assert words in shown and "hãy sửa các ô được đánh dấu" in shown
        assert '<details class="fulfil-form" open>' in shown
    long_ref = _fulfil(c, ngo["id"], bank["id"], received_at="2026-11-23", document_ref="x" * 301)
    assert "Nhiều nhất 300 ký tự" in _is_page(long_ref, 422)
    assert _status_of(client, ngo["id"], bank["id"]) == "open"

    page = c.get(f"/app/ngos/{ngo['id']}")
    report = {
        "csrf_token": csrf_of(page.text),
        "kind": "annual",
        "period_year": "last year",
        "received_at": "2026-11-20",
        "currency": "US",
        "funds_disbursed": "12,000.50",
        "provinces": "Huế, Quảng Trị",
    }
    refused = c.post(f"/app/ngos/{ngo['id']}/reports", data=report)
    shown = _is_page(refused, 422)
    assert "Phải là số nguyên" in shown and "Không đúng định dạng" in shown
    assert 'value="last year"' in shown  # what was typed comes back
    assert ok(client("handler").get(f"/ngos/{ngo['id']}"))["reports"] == []

    no_csrf = c.post(
        f"/app/ngos/{ngo['id']}/obligations/{bank['id']}/fulfil", data={"received_at": "x"}
    )
    _is_page(no_csrf, 403)
    leader = browser("leader")
    _is_page(_fulfil(leader, ngo["id"], bank["id"], received_at="2026-11-23"), 403)
    cert = ngo["certificates"][0]
    handler_act = c.post(
        f"/app/ngos/{ngo['id']}/certificates/{cert['id']}/act",
        data={"csrf_token": csrf_of(page.text), "act": "revoke", "reason": "x", "legal_basis": "y"},
    )
    _is_page(handler_act, 403)
    assert _status_of(client, ngo["id"], bank["id"]) == "open"
    other = registered(client, "Green Hands", "Japan", "gh@example.org")["ngo"]
    wrong_ngo = _fulfil(c, other["id"], bank["id"], received_at="2026-11-23")
    _is_page(wrong_ngo, 404)


def test_a_report_and_an_inspection_through_the_forms(
    client: Client, browser: Browser, clock: Clock
) -> None:
    """An annual report meets that year's obligation; the manager proposes the year's plan and
    a handler records the inspection's findings with a remedy deadline."""
    ngo = registered(client)["ngo"]
    annual = next(
        o for o in ngo["obligations"] if o["kind"] == "annual_report" and o["period_year"] == 2026
    )
    c = browser("handler")
    page = c.get(f"/app/ngos/{ngo['id']}")
    answer = c.post(
        f"/app/ngos/{ngo['id']}/reports",
        data={
            "csrf_token": csrf_of(page.text),
            "kind": "annual",
            "period_year": "2026",
            "received_at": "2026-11-23",
            "projects": "3",
            "funds_disbursed": "12,000.50",
            "currency": "usd",
            "provinces": "Huế, Quảng Trị",
            "note": "Form 05",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:800]
    shown = _is_page(c.get(answer.headers["location"]), 200)
    assert "Đã ghi nhận báo cáo." in shown and "12,000.50 USD" in shown
    after = ok(client("handler").get(f"/ngos/{ngo['id']}"))
    assert after["reports"][0]["provinces"] == ["Huế", "Quảng Trị"]
    assert after["reports"][0]["obligation_id"] == annual["id"]
    assert _status_of(client, ngo["id"], annual["id"]) == "met"

    manager = browser("manager")
    plan_page = _is_page(manager.get("/app/inspections", params={"year": "2027"}), 200)
    # The scorecard in force is shown with the plan: points, groups, review depth.
    assert "Bộ tiêu chí đánh giá rủi ro" in plan_page and "Báo cáo hằng năm nộp muộn" in plan_page
    assert "Nhóm trung bình từ 20 điểm, nhóm cao từ 50 điểm" in plan_page
    assert "ngo.operation.renew" in plan_page and "LHHN" in plan_page
    assert "Lập kế hoạch kiểm tra năm" in plan_page
    assert "Lập kế hoạch kiểm tra năm" not in c.get("/app/inspections").text
    planned = manager.post(
        "/app/inspections/plan",
        data={"csrf_token": csrf_of(plan_page), "year": "2027"},
        follow_redirects=False,
    )
    assert planned.status_code == 303
    shown = _is_page(manager.get(planned.headers["location"]), 200)
    assert RIVERS in shown and "Đã đưa thêm 1 tổ chức vào kế hoạch." in shown
    bad_year = manager.post(
        "/app/inspections/plan", data={"csrf_token": csrf_of(plan_page), "year": "1999"}
    )
    assert "năm phải từ 2000 đến 2100" in _is_page(bad_year, 422)
    _is_page(c.post("/app/inspections/plan", data={"csrf_token": csrf_of(page.text)}), 403)

    clock.set(2027, 3, 10, 9, 0)
    c = browser("handler")
    inspection = ok(client("handler").get("/inspections", params={"year": 2027}))[0]
    page = c.get(f"/app/ngos/{ngo['id']}")
    assert "Ghi nhận kết quả kiểm tra" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "inspected_on": "2027-03-09",
        "inspectors": "Đoàn kiểm tra liên ngành",
        "minor": "Sổ sách chưa đầy đủ\n",
        "major": "",
        "follow_up_due": "2027-03-01",
    }
    url = f"/app/ngos/{ngo['id']}/inspections/{inspection['id']}/record"
    assert "Không được trước ngày kiểm tra" in _is_page(c.post(url, data=form), 422)
    done = c.post(url, data={**form, "follow_up_due": "2027-04-30"}, follow_redirects=False)
    assert done.status_code == 303, done.text[:800]
    shown = _is_page(c.get(done.headers["location"]), 200)
    assert "Sổ sách chưa đầy đủ" in shown and "Khắc phục sau kiểm tra" in shown


def test_a_leader_acts_on_a_certificate_from_the_ngo_page(client: Client, browser: Browser) -> None:
    """Suspend with reason and legal basis: shown in the certificate's history; a missing
    reason is a readable 422 and changes nothing."""
    ngo = registered(client)["ngo"]
    cert = ngo["certificates"][0]
    leader = browser("leader")
    page = leader.get(f"/app/ngos/{ngo['id']}")
    url = f"/app/ngos/{ngo['id']}/certificates/{cert['id']}/act"
    form = {
        "csrf_token": csrf_of(page.text),
        "act": "suspend",
        "reason": "",
        "legal_basis": "Nghị định 58/2022/NĐ-CP, Điều 7",
        "decision_number": "45/QĐ-UBCT",
    }
    assert "Bắt buộc phải nhập" in _is_page(leader.post(url, data=form), 422)
    assert ok(client("handler").get(f"/certificates/{cert['id']}"))["status"] == "active"
    wrong = leader.post(url, data={**form, "act": "reinstate", "reason": "x"})
    assert "Chưa ghi nhận" in _is_page(wrong, 409)
    done = leader.post(
        url, data={**form, "reason": "Hoạt động sai mục đích"}, follow_redirects=False
    )
    assert done.status_code == 303, done.text[:800]
    shown = _is_page(leader.get(done.headers["location"]), 200)
    assert "Tạm đình chỉ" in shown and "Hoạt động sai mục đích" in shown
    assert "45/QĐ-UBCT" in shown
    assert ok(client("handler").get(f"/certificates/{cert['id']}"))["status"] == "suspended"


def test_the_dashboard_and_the_obligations_page_show_an_overdue_obligation(
    client: Client, browser: Browser, engine: Engine, clock: Clock
) -> None:
    """After the sweep marks the bank-account notice overdue, the manager's dashboard lists it
    with its NGO, title and due date, and /app/obligations lists it by default."""
    ngo = registered(client)["ngo"]
    bank = _obligation(ngo, "bank_account_notice")
    c = browser("manager")
    before = _is_page(c.get("/app/dashboard"), 200)
    assert "Nghĩa vụ quá hạn" in before and "Không có nghĩa vụ nào quá hạn." in before

    clock.set(2026, 12, 15, 9, 0)
    sweep_obligations(engine, clock.now)
    assert _status_of(client, ngo["id"], bank["id"]) == "overdue"
    c = browser("manager")
    board = _is_page(c.get("/app/dashboard"), 200)
    section = re.search(r'<section id="overdue-obligations".*?</section>', board, re.S)
    assert section is not None
    text = section.group(0)
    assert "Nghĩa vụ quá hạn" in text and "(1)" in text
    assert RIVERS in text and "Thông báo tài khoản ngân hàng" in text
    due = bank["due_date"]
    assert f"{due[8:10]}/{due[5:7]}/{due[:4]}" in text
    assert f'href="/app/ngos/{ngo["id"]}#obligation-{bank["id"]}"' in text

    listed = _is_page(browser("handler").get("/app/obligations"), 200)
    assert RIVERS in listed and "Thông báo tài khoản ngân hàng" in listed
    assert "Gửi kế hoạch hoạt động" not in listed  # still open, not overdue
    everything = browser("handler").get("/app/obligations", params={"status": "all"}).text
    assert "Gửi kế hoạch hoạt động" in everything
    _is_page(browser("handler").get("/app/obligations", params={"status": "late"}), 422)


JSON = {"Accept": "application/json"}


def test_the_public_pages_answer_without_sign_in(client: Client) -> None:
    """NGOs with a valid certificate (not a revoked one) as a page and as JSON; the status
    lookup: a match gives the status, a wrong e-mail and an unknown code the same 404."""
    rivers = registered(client)
    revoked = registered(client, "Green Hands", "Japan", "gh@example.org")
    cert = revoked["ngo"]["certificates"][0]
    ok(
        client("leader").post(
            f"/certificates/{cert['id']}/acts",
            json={"act": "revoke", "reason": "Vi phạm", "legal_basis": "Điều 7"},
        )
    )
    visitor = client("")

    page = visitor.get("/public/ngos", follow_redirects=False)
    text = _is_page(page, 200)
    assert RIVERS in text and "Green Hands" not in text
    assert rivers["ngo"]["certificates"][0]["number"] in text
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing from another site
    english = _is_page(visitor.get("/public/ngos", params={"lang": "en"}), 200)
    assert "Foreign NGOs registered to operate" in english and 'lang="en"' in english
    listed = ok(visitor.get("/public/ngos", headers=JSON))
    assert [n["name"] for n in listed["items"]] == [RIVERS] and listed["total"] == 1
    assert listed["items"][0]["certificates"][0]["provinces"] == ["Quảng Trị", "Huế"]
    assert "contact_email" not in listed["items"][0]
    assert ok(visitor.get("/public/ngos", params={"q": "japan"}, headers=JSON))["total"] == 0
    assert "Không có tổ chức nào khớp" in visitor.get("/public/ngos", params={"q": "zz"}).text
    too_long = visitor.get("/public/ngos", params={"q": "x" * 201})
    assert "quá dài" in _is_page(too_long, 422)
    assert visitor.get("/public/ngos", params={"q": "x" * 201}, headers=JSON).status_code == 422
    assert visitor.get("/public/ngos", params={"lang": "fr"}).status_code == 422

    dossier = rivers["dossier"]
    found = ok(
        visitor.get(
            "/public/status",
            params={"code": dossier["code"], "email": RIVERS_EMAIL.upper()},
            headers=JSON,
        )
    )
    assert found["code"] == dossier["code"] and found["status"] == "approved"
    assert found["status_vi"] == "Đã có kết quả: chấp thuận"
    decided = ok(client("handler").get(f"/dossiers/{dossier['id']}"))
    assert found["appointment_date"] == decided["due_date"] is not None
    assert "applicant" not in found and "subject" not in found

    wrong_email = visitor.get(
        "/public/status",
        params={"code": dossier["code"], "email": "someone@else.example.org"},
        headers=JSON,
    )
    unknown_code = visitor.get(
        "/public/status",
        params={"code": "UBCT-PCPNN-20990101-9999", "email": "someone@else.example.org"},
        headers=JSON,
    )
    assert wrong_email.status_code == unknown_code.status_code == 404
    assert wrong_email.content == unknown_code.content
    assert wrong_email.json()["error"] == "not_found" and wrong_email.json()["detail"]

    missing = visitor.get("/public/status", params={"code": dossier["code"]}, headers=JSON)
    assert missing.status_code == 422 and missing.json()["error"] == "invalid_input"
    huge = visitor.get(
        "/public/status", params={"code": "x" * 61, "email": "a@b.org"}, headers=JSON
    )
    assert huge.status_code == 422
    control = visitor.get("/public/status", params={"code": "A\x00B", "email": "a@b.org"})
    _is_page(control, 422)

    form = _is_page(visitor.get("/public/status", follow_redirects=False), 200)
    assert 'name="code"' in form and 'name="email"' in form and "csrf" not in form
    shown = _is_page(
        visitor.get("/public/status", params={"code": dossier["code"], "email": RIVERS_EMAIL}),
        200,
    )
    assert "Đã có kết quả: chấp thuận" in shown and "Ngày hẹn trả kết quả" in shown
    hidden = [
        _is_page(
            visitor.get("/public/status", params={"code": code, "email": "x@else.example.org"}),
            404,
        )
        for code in (dossier["code"], "UBCT-PCPNN-20990101-9999")
    ]
    for text in hidden:
        assert "Không tìm thấy hồ sơ khớp" in text
        assert "chấp thuận" not in text and RIVERS not in text
        assert dossier["subject"] not in text
    assert hidden[0].replace(dossier["code"], "CODE") == hidden[1].replace(
        "UBCT-PCPNN-20990101-9999", "CODE"
    )
    one_field = _is_page(visitor.get("/public/status", params={"code": dossier["code"]}), 422)
    assert "nhập cả mã hồ sơ và địa chỉ thư điện tử" in one_field

    login = _is_page(visitor.get("/app/login"), 200)
    assert 'href="/public/ngos?lang=vi"' in login and 'href="/public/status?lang=vi"' in login


def test_a_handler_corrects_the_register_entry(client: Client, browser: Browser) -> None:
    """Names, home registration and contacts through the page; a bad e-mail or date is a 422
    page naming the field, and nothing changes; a leader may not correct."""
    ngo = registered(client)["ngo"]
    c = browser("handler")
    page = c.get(f"/app/ngos/{ngo['id']}")
    fields = {
        "csrf_token": csrf_of(page.text),
        "name_vi": "Quỹ Bảo vệ các dòng sông",
        "name_original": "Stiftelsen Redd Elvene",
        "home_registration_number": "NO-998877",
        "home_registration_valid_until": "31/12/2035",
        "contact_email": "office@rivers.example.org",
        "contact_phone": "+47 22 00 00 00",
        "address": "Oslo",
    }
    bad = c.post(f"/app/ngos/{ngo['id']}/edit", data={**fields, "contact_email": "not mail"})
    assert "hãy sửa các ô được đánh dấu" in _is_page(bad, 422)
    bad = c.post(
        f"/app/ngos/{ngo['id']}/edit", data={**fields, "home_registration_valid_until": "soon"}
    )
    assert "Không phải là ngày" in _is_page(bad, 422)
    assert ok(client("handler").get(f"/ngos/{ngo['id']}"))["name_vi"] is None
    done = c.post(f"/app/ngos/{ngo['id']}/edit", data=fields, follow_redirects=False)
    assert done.status_code == 303
    shown = _is_page(c.get(done.headers["location"]), 200)
    assert "Quỹ Bảo vệ các dòng sông" in shown and "Stiftelsen Redd Elvene" in shown
    after = ok(client("handler").get(f"/ngos/{ngo['id']}"))
    assert (after["home_registration_valid_until"], after["contact_email"]) == (
        "2035-12-31",
        "office@rivers.example.org",
    )
    leader = browser("leader")
    page = leader.get(f"/app/ngos/{ngo['id']}")
    assert "/edit" not in page.text
    refused = leader.post(
        f"/app/ngos/{ngo['id']}/edit", data={**fields, "csrf_token": csrf_of(page.text)}
    )
    _is_page(refused, 403)


def test_the_file_received_comes_with_the_form(client: Client, browser: Browser) -> None:
    """Record as received with the letter attached: met, and the page links the file."""
    ngo = registered(client)["ngo"]
    bank = _obligation(ngo, "bank_account_notice")
    c = browser("handler")
    page = c.get(f"/app/ngos/{ngo['id']}")
    answer = c.post(
        f"/app/ngos/{ngo['id']}/obligations/{bank['id']}/fulfil",
        data={"csrf_token": csrf_of(page.text), "received_at": "2026-11-23"},
        files={"file": ("thong-bao.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:300]
    shown = _is_page(c.get(answer.headers["location"]), 200)
    after = ok(client("handler").get(f"/ngos/{ngo['id']}"))
    [doc] = after["documents"]
    met = next(o for o in after["obligations"] if o["id"] == bank["id"])
    assert (met["status"], met["document_id"]) == ("met", doc["id"])
    link = f"/app/ngos/{ngo['id']}/documents/{doc['id']}"
    assert link in shown
    assert c.get(link).content == PDF
    # A file of no accepted type: the page says so and nothing is recorded.
    plan = _obligation(ngo, "activity_plan_to_provinces")
    refused = c.post(
        f"/app/ngos/{ngo['id']}/obligations/{plan['id']}/fulfil",
        data={"csrf_token": csrf_of(shown), "received_at": "2026-11-23"},
        files={"file": ("x.exe", b"MZ\x90\x00junk", "application/octet-stream")},
    )
    assert refused.status_code == 422
    assert _status_of(client, ngo["id"], plan["id"]) == "open"
    assert len(ok(client("handler").get(f"/ngos/{ngo['id']}"))["documents"]) == 1
