"""Handler pages over real HTTP: worklist, receiving a dossier, the dossier page, actions."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx

from tests.conftest import Clock
from tests.integration.conftest import Browser, Client, csrf_of
from tests.integration.helpers import act, answer_all, ok, operation_issue

INTAKE = "/app/dossiers/new/ngo.operation.issue"


def _create(client: Client, name: str = "Save the Rivers Foundation") -> dict[str, Any]:
    """A received ngo.operation.issue dossier, through the API."""
    applicant = {"name": name, "country": "Norway", "email": "contact@rivers.example.org"}
    return ok(client("handler").post("/dossiers", json=operation_issue(applicant=applicant)), 201)


def _intake_form(c: httpx.Client) -> dict[str, str]:
    """A valid intake form, with this browser's CSRF token and the form's idempotency key."""
    page = c.get(INTAKE)
    assert page.status_code == 200, page.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key is not None
    return {
        "csrf_token": csrf_of(page.text),
        "idempotency_key": key.group(1),
        "applicant.name": "Quỹ Sông Xanh",
        "applicant.country": "Na Uy",
        "applicant.email": "contact@songxanh.example.org",
        "applicant.language": "vi",
        "subject": "Đăng ký hoạt động dự án nước sạch",
        "provinces": "Quảng Trị\nHuế\n",
        "activity_fields": "nước sạch và vệ sinh",
        "requested_validity_years": "3",
        "home_registration_valid_until": "2035-12-31",
    }


def _action_form(c: httpx.Client, dossier_id: str, action: str) -> tuple[str, dict[str, str]]:
    """An action's form page and its hidden fields (CSRF token, version)."""
    page = c.get(f"/app/dossiers/{dossier_id}/actions/{action}")
    assert page.status_code == 200, page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None
    return page.text, {"csrf_token": csrf_of(page.text), "version": version.group(1)}


def _is_page(answer: httpx.Response, status: int) -> None:
    """An HTML page with that status, never a JSON error body."""
    assert answer.status_code == status, (answer.status_code, answer.text[:500])
    assert answer.headers["content-type"].startswith("text/html")
    assert not answer.text.lstrip().startswith("{")


def test_procedures_publish_the_json_schema_of_their_fields(client: Client) -> None:
    """GET /procedures gives each procedure's fields as JSON Schema; versions are unchanged."""
    listed = {p["code"]: p for p in ok(client("handler").get("/procedures"))}
    schema = listed["ngo.operation.issue"]["fields_schema"]
    assert schema["type"] == "object"
    assert set(schema["required"]) == {
        "provinces",
        "activity_fields",
        "home_registration_valid_until",
    }
    assert schema["properties"]["home_registration_valid_until"]["format"] == "date"
    assert schema["properties"]["provinces"]["type"] == "array"
    assert schema["properties"]["requested_validity_years"]["maximum"] == 3
    assert listed["ngo.operation.issue"]["fields_model"] == "OperationIssueFields"
    assert listed["ngo.operation.issue"]["total_working_days"] == 30
    assert "$defs" in listed["ngo.office.amend"]["fields_schema"]
    versions = ok(client("handler").get("/procedures/ngo.operation.issue/versions"))
    assert versions[0]["fields_schema"] == "OperationIssueFields"


def test_worklist_lists_filters_and_colours_days_left(
    client: Client, browser: Browser, clock: Clock
) -> None:
    """Status, overdue, at-risk and search filters; days left coloured; an empty state."""
    first = _create(client, "Alpha Trust")
    second = _create(client, "Beta Aid")
    accepted = act(client("handler"), first["id"], "accept")
    c = browser("handler")

    page = c.get("/app/worklist")
    _is_page(page, 200)
    assert first["code"] in page.text and second["code"] in page.text
    assert f'href="/app/dossiers/{first["id"]}"' in page.text
    assert 'class="days ok"' in page.text

    in_review = c.get("/app/worklist", params={"status": "in_review"}).text
    assert first["code"] in in_review and second["code"] not in in_review
    found = c.get("/app/worklist", params={"q": "beta"}).text
    assert second["code"] in found and first["code"] not in found
    assert "Không có hồ sơ nào khớp" in c.get("/app/worklist", params={"q": "nobody"}).text
    assert "Không có hồ sơ nào khớp" in c.get("/app/worklist", params={"overdue": "true"}).text

    assert accepted["due_date"] == "2027-01-06"
    clock.set(2027, 1, 5, 9, 0)  # one working day left; the session has expired meanwhile
    c = browser("handler")
    risky = c.get("/app/worklist", params={"at_risk": "true"}).text
    assert first["code"] in risky and second["code"] not in risky
    assert 'class="days warn"' in risky

    clock.set(2027, 2, 15, 9, 0)
    c = browser("handler")
    late = c.get("/app/worklist", params={"overdue": "true"}).text
    assert first["code"] in late and second["code"] not in late
    assert 'class="days late"' in late
    assert first["code"] not in c.get("/app/worklist", params={"at_risk": "true"}).text


def test_receiving_a_dossier_through_the_intake_form(client: Client, browser: Browser) -> None:
    """The form is built from the procedure's fields; a double submit creates one dossier."""
    c = browser("handler")
    choose = c.get("/app/dossiers/new")
    _is_page(choose, 200)
    assert f'href="{INTAKE}"' in choose.text
    form = _intake_form(c)
    page = c.get(INTAKE).text
    assert 'name="provinces"' in page and "Mỗi dòng một mục" in page
    assert 'name="requested_validity_years"' in page and 'max="3"' in page

    answer = c.post(INTAKE, data=form)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    dossier_id = location.removeprefix("/app/dossiers/").split("?")[0]
    again = c.post(INTAKE, data=form)  # the same form submitted twice
    assert again.headers["location"] == location

    dossier = ok(client("manager").get(f"/dossiers/{dossier_id}"))
    assert dossier["status"] == "received"
    assert dossier["fields"] == {
        "provinces": ["Quảng Trị", "Huế"],
        "activity_fields": ["nước sạch và vệ sinh"],
        "requested_validity_years": 3,
        "home_registration_valid_until": "2035-12-31",
    }
    assert dossier["applicant"]["name"] == "Quỹ Sông Xanh"
    assert ok(client("manager").get("/dossiers"))["total"] == 1
    shown = c.get(location)
    _is_page(shown, 200)
    assert 'class="notice ok"' in shown.text and "Quảng Trị" in shown.text


def test_a_bad_intake_shows_what_is_wrong_and_keeps_what_was_typed(
    client: Client, browser: Browser
) -> None:
    """Empty provinces and a bad e-mail: 422 HTML, the typed values still in the form."""
    c = browser("handler")
    form = {
        **_intake_form(c),
        "provinces": "  \n",
        "applicant.email": "not-an-email",
        "requested_validity_years": "abc",
    }
    answer = c.post(INTAKE, data=form)
    _is_page(answer, 422)
    assert 'value="Quỹ Sông Xanh"' in answer.text
    assert "nước sạch và vệ sinh</textarea>" in answer.text
    assert 'value="not-an-email"' in answer.text
    assert "Cần ít nhất 1 mục." in answer.text
    assert "Phải là số nguyên." in answer.text
    assert ok(client("manager").get("/dossiers"))["total"] == 0


def test_the_dossier_page_shows_buttons_for_the_signed_in_role(
    client: Client, browser: Browser
) -> None:
    """A handler sees the procedure's own labels; a manager sees the dossier without buttons."""
    dossier = _create(client)
    handler = browser("handler").get(f"/app/dossiers/{dossier['id']}")
    _is_page(handler, 200)
    assert "Tiếp nhận hồ sơ hợp lệ" in handler.text
    assert f'href="/app/dossiers/{dossier["id"]}/actions/accept"' in handler.text
    assert "/actions/respond" not in handler.text and "/actions/sign" not in handler.text
    assert "Tiếp nhận hồ sơ" in handler.text  # the timeline's first event

    manager = browser("manager").get(f"/app/dossiers/{dossier['id']}")
    _is_page(manager, 200)
    assert dossier["code"] in manager.text and "/actions/" not in manager.text
    assert 'enctype="multipart/form-data"' not in manager.text
    assert (
        browser("manager").get(f"/app/dossiers/{dossier['id']}/actions/accept").status_code == 403
    )

    english = browser("handler").get(f"/app/dossiers/{dossier['id']}", params={"lang": "en"})
    assert "Accept as complete and valid" in english.text


def test_accept_through_the_action_form_then_a_second_accept_is_refused(
    client: Client, browser: Browser
) -> None:
    """The form moves the status; a second accept is a 409 page, a stale form a 412 page."""
    dossier = _create(client)
    c = browser("handler")
    page, hidden = _action_form(c, dossier["id"], "accept")
    assert "Tiếp nhận hồ sơ hợp lệ" in page
    answer = c.post(f"/app/dossiers/{dossier['id']}/actions/accept", data=hidden)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/app/dossiers/{dossier['id']}?done=accept"
    now = ok(client("manager").get(f"/dossiers/{dossier['id']}"))
    assert now["status"] == "in_review" and now["due_date"]
    assert 'class="notice ok"' in c.get(answer.headers["location"]).text

    _is_page(c.get(f"/app/dossiers/{dossier['id']}/actions/accept"), 409)
    current = {**hidden, "version": str(now["version"])}
    again = c.post(f"/app/dossiers/{dossier['id']}/actions/accept", data=current)
    _is_page(again, 409)
    assert f'href="/app/dossiers/{dossier["id"]}"' in again.text
    stale = c.post(f"/app/dossiers/{dossier['id']}/actions/accept", data=hidden)
    _is_page(stale, 412)


def test_an_action_form_with_mistakes_is_shown_again(client: Client, browser: Browser) -> None:
    """Request-supplement without missing items: 422 with the note kept; then it works."""
    dossier = _create(client)
    c = browser("handler")
    page, hidden = _action_form(c, dossier["id"], "request-supplement")
    assert 'name="missing"' in page and 'name="note"' in page
    url = f"/app/dossiers/{dossier['id']}/actions/request-supplement"
    answer = c.post(url, data={**hidden, "missing": "\n", "note": "Gửi trước ngày 30"})
    _is_page(answer, 422)
    assert "Gửi trước ngày 30</textarea>" in answer.text and "Cần ít nhất 1 mục." in answer.text
    done = c.post(url, data={**hidden, "missing": "Điều lệ\nLý lịch tư pháp", "note": ""})
    assert done.status_code == 303, done.text
    assert ok(client("manager").get(f"/dossiers/{dossier['id']}"))["missing"] == [
        "Điều lệ",
        "Lý lịch tư pháp",
    ]
    timeline = c.get(f"/app/dossiers/{dossier['id']}").text
    assert "Yêu cầu bổ sung hồ sơ" in timeline and "Điều lệ; Lý lịch tư pháp" in timeline


def test_consult_form_offers_active_agencies_with_the_defaults_checked(
    client: Client, browser: Browser
) -> None:
    """The procedure's default agencies are pre-checked; the chosen ones are consulted."""
    dossier = _create(client)
    act(client("handler"), dossier["id"], "accept")
    c = browser("handler")
    page, hidden = _action_form(c, dossier["id"], "consult")
    assert 'value="BCA" checked' in page and 'value="BYT">' in page
    answer = c.post(
        f"/app/dossiers/{dossier['id']}/actions/consult",
        data={**hidden, "agencies": ["BCA", "BYT"], "working_days": ""},
    )
    assert answer.status_code == 303, answer.text
    consulted = ok(client("manager").get(f"/dossiers/{dossier['id']}"))["consultations"]
    assert sorted(x["agency"] for x in consulted) == ["BCA", "BYT"]
    shown = c.get(f"/app/dossiers/{dossier['id']}").text
    assert "Chờ trả lời" in shown and "(BYT)" in shown


def test_a_form_without_its_csrf_token_is_refused(client: Client, browser: Browser) -> None:
    """403 page, and nothing changes."""
    dossier = _create(client)
    c = browser("handler")
    _, hidden = _action_form(c, dossier["id"], "accept")
    answer = c.post(
        f"/app/dossiers/{dossier['id']}/actions/accept", data={"version": hidden["version"]}
    )
    _is_page(answer, 403)
    assert ok(client("manager").get(f"/dossiers/{dossier['id']}"))["status"] == "received"


def test_upload_then_download_a_document(client: Client, browser: Browser) -> None:
    """The bytes round-trip through the page and the API; the name is never trusted."""
    dossier = _create(client)
    other = _create(client, "Other Org")
    c = browser("handler")
    token = csrf_of(c.get(f"/app/dossiers/{dossier['id']}").text)
    content = b"%PDF-1.4\n" + bytes(range(256)) * 10
    name = "Điều lệ; bản sao.pdf"
    answer = c.post(
        f"/app/dossiers/{dossier['id']}/documents",
        data={"csrf_token": token},
        files={"file": (name, content, "application/pdf")},
    )
    assert answer.status_code == 303, answer.text
    page = c.get(f"/app/dossiers/{dossier['id']}").text
    (document_id,) = re.findall(rf'/app/dossiers/{dossier["id"]}/documents/([0-9a-f-]+)"', page)

    download = c.get(f"/app/dossiers/{dossier['id']}/documents/{document_id}")
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert disposition == (
        f"attachment; filename=\"_i_u l__ b_n sao.pdf\"; filename*=UTF-8''{quote(name, safe='')}"
    )

    api = client("manager").get(f"/dossiers/{dossier['id']}/documents/{document_id}/content")
    assert api.status_code == 200 and api.content == content
    assert api.headers["content-disposition"] == disposition
    wrong = client("manager").get(f"/dossiers/{other['id']}/documents/{document_id}/content")
    assert wrong.status_code == 404
    _is_page(browser("manager").get(f"/app/dossiers/{other['id']}/documents/{document_id}"), 404)


def test_an_upload_over_the_limit_is_a_413_page(client: Client, browser: Browser) -> None:
    """The test app allows 64 KiB."""
    dossier = _create(client)
    c = browser("handler")
    token = csrf_of(c.get(f"/app/dossiers/{dossier['id']}").text)
    answer = c.post(
        f"/app/dossiers/{dossier['id']}/documents",
        data={"csrf_token": token},
        files={"file": ("big.bin", b"x" * (64 * 1024 + 1), "application/pdf")},
    )
    _is_page(answer, 413)
    assert ok(client("manager").get(f"/dossiers/{dossier['id']}/documents")) == []


def test_only_handlers_open_the_intake_form(browser: Browser) -> None:
    """A leader gets a 403 page; a manager too."""
    _is_page(browser("leader").get(INTAKE), 403)
    _is_page(browser("manager").get("/app/dossiers/new"), 403)
    _is_page(browser("BCA").get("/app/worklist"), 403)


def test_assign_propose_and_sign_through_their_forms(client: Client, browser: Browser) -> None:
    """Assign offers the handlers; propose the procedure's outcomes; the leader signs."""
    dossier = _create(client)
    act(client("handler"), dossier["id"], "accept")
    answer_all(client, act(client("handler"), dossier["id"], "consult"))
    c = browser("handler")
    page, hidden = _action_form(c, dossier["id"], "assign")
    assert '<option value="Trần Thị Bình">' in page and "Lê Minh Cường" not in page
    url = f"/app/dossiers/{dossier['id']}/actions"
    answer = c.post(f"{url}/assign", data={**hidden, "assignee": "Trần Thị Bình"})
    assert answer.status_code == 303, answer.text

    page, hidden = _action_form(c, dossier["id"], "propose")
    assert 'value="approve"' in page and 'value="refuse"' in page and "forward" not in page
    refused = c.post(f"{url}/propose", data={**hidden, "outcome": "refuse", "reasons": ""})
    _is_page(refused, 422)  # a refusal must give its reasons (the engine's rule)
    assert 'value="refuse" required checked' in refused.text
    answer = c.post(
        f"{url}/propose",
        data={**hidden, "outcome": "approve", "reasons": "Đủ điều kiện", "validity_years": "3"},
    )
    assert answer.status_code == 303, answer.text

    leader = browser("leader")
    shown = leader.get(f"/app/dossiers/{dossier['id']}").text
    assert "Ký quyết định" in shown and "Trả lại dự thảo" in shown
    assert f"{url}/propose" not in shown
    page, hidden = _action_form(leader, dossier["id"], "sign")
    assert "Đủ điều kiện" in page
    assert leader.post(f"{url}/sign", data=hidden).status_code == 303
    signed = ok(client("manager").get(f"/dossiers/{dossier['id']}"))
    assert signed["status"] == "approved" and signed["assignee"] == "Trần Thị Bình"
    final = leader.get(f"/app/dossiers/{dossier['id']}").text
    assert signed["decision"]["certificate_number"] in final and "/actions/" not in final
