"""Administering users, tokens, agencies, the calendar and procedures through the pages."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import Engine

from api.app import create_app
from config.settings import Settings
from tests.conftest import Clock
from tests.integration.conftest import PASSWORD, Browser, Client, csrf_of
from tests.integration.helpers import ok

NEW_PASSWORD = "a brand new passphrase"


def _sign_in(server_url: str, username: str, password: str) -> tuple[httpx.Client, str]:
    """A fresh browser that tried to sign in, and where the sign-in sent it ('' if refused)."""
    c = httpx.Client(base_url=server_url, timeout=30)
    form = c.get("/app/login")
    answer = c.post(
        "/app/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
    )
    return c, answer.headers.get("location", "") if answer.status_code == 303 else ""


def _post(c: httpx.Client, url: str, **data: str) -> httpx.Response:
    """Submit a form the way a browser does: with the CSRF token of the signed-in session."""
    return c.post(url, data={"csrf_token": csrf_of(c.get("/app/admin").text), **data})


def _events(client: Client, entity: str) -> list[dict[str, Any]]:
    answer = client("admin").get("/admin/events", params={"entity": entity})
    assert answer.status_code == 200, answer.text
    events: list[dict[str, Any]] = answer.json()
    return events


def test_admin_creates_a_user_who_then_signs_in(
    browser: Browser, client: Client, server_url: str
) -> None:
    """The new user signs in with the initial password and lands on their home page."""
    admin = browser("admin")
    form = {
        "username": "le.thi.hoa",
        "display_name": "Lê Thị Hoa",
        "role": "leader",
        "agency": "",
        "email": "hoa@users.example.org",
        "language": "en",
        "password": NEW_PASSWORD,
    }
    short = _post(admin, "/app/admin/users", **{**form, "password": "short"})
    assert short.status_code == 422 and "password" in short.text
    assert 'value="le.thi.hoa"' in short.text  # the form comes back filled in
    orphan = _post(admin, "/app/admin/users", **{**form, "role": "agency"})
    assert orphan.status_code == 422 and "agency" in orphan.text
    created = _post(admin, "/app/admin/users", **form)
    assert created.status_code == 303
    assert created.headers["location"] == "/app/admin/users/le.thi.hoa?done=user-created"
    shown = admin.get(created.headers["location"])
    assert shown.status_code == 200 and "Lê Thị Hoa" in shown.text
    assert "Đã tạo người dùng" in shown.text
    assert "le.thi.hoa" in admin.get("/app/admin/users").text
    taken = _post(admin, "/app/admin/users", **form)
    assert taken.status_code == 409 and "text/html" in taken.headers["content-type"]

    hoa, home = _sign_in(server_url, "le.thi.hoa", NEW_PASSWORD)
    assert home == "/app/decisions"
    hoa.close()
    [event] = [e for e in _events(client, "user") if e["entity_key"] == "le.thi.hoa"]
    assert (event["actor"], event["action"], event["before"]) == ("Quản trị", "create", None)
    assert event["after"]["role"] == "leader" and "password" not in str(event["after"])


def test_role_change_disable_and_password_reset_end_sessions(
    browser: Browser, client: Client, server_url: str
) -> None:
    """Each change ends the user's open session; the next page sends them to sign in."""
    admin = browser("admin")
    handler = browser("handler")
    assert handler.get("/").headers["location"] == "/app/worklist"
    assert handler.get("/app/admin").status_code == 403
    assert (
        _post(admin, "/app/admin/users/handler/role", role="manager", agency="").status_code == 303
    )
    assert handler.get("/app/admin").headers["location"].startswith("/app/login?next=")
    again, home = _sign_in(server_url, "handler", PASSWORD)
    assert home == "/app/dashboard"
    again.close()

    leader = browser("leader")
    disabled = _post(admin, "/app/admin/users/leader/disable")
    assert disabled.headers["location"] == "/app/admin/users/leader?done=disabled"
    assert leader.get("/").headers["location"] == "/app/login"
    assert _sign_in(server_url, "leader", PASSWORD)[1] == ""
    assert _post(admin, "/app/admin/users/leader/enable").status_code == 303
    assert _sign_in(server_url, "leader", PASSWORD)[1] == "/app/decisions"

    manager = browser("manager")
    differ = _post(
        admin,
        "/app/admin/users/manager/password",
        password=NEW_PASSWORD,
        password_confirm=NEW_PASSWORD + "!",
    )
    assert differ.status_code == 422 and "không giống nhau" in differ.text
    assert (
        _post(
            admin,
            "/app/admin/users/manager/password",
            password=NEW_PASSWORD,
            password_confirm=NEW_PASSWORD,
        ).status_code
        == 303
    )
    assert manager.get("/").headers["location"] == "/app/login"
    assert _sign_in(server_url, "manager", PASSWORD)[1] == ""
    assert _sign_in(server_url, "manager", NEW_PASSWORD)[1] == "/app/dashboard"

    changes = [
        (e["entity_key"], e["before"], e["after"])
        for e in _events(client, "user")
        if e["action"] == "update"
    ]
    assert changes[0][0] == "manager" and changes[0][2]["password"] == "reset"
    assert ("leader", True, False) in [(k, b["active"], a["active"]) for k, b, a in changes]
    assert ("handler", "handler", "manager") in [(k, b["role"], a["role"]) for k, b, a in changes]


def test_a_token_from_the_page_works_until_revoked_or_expired(
    browser: Browser, client: Client, clock: Clock, server_url: str
) -> None:
    """The secret is shown once; revoking or expiry ends it at once (401)."""
    admin = browser("admin")
    assert (
        _post(
            admin, "/app/admin/tokens", username="manager", name="x", expires_days="0"
        ).status_code
        == 422
    )

    def create(label: str, days: str) -> str:
        page = _post(admin, "/app/admin/tokens", username="manager", name=label, expires_days=days)
        assert page.status_code == 201, page.text
        assert page.headers["cache-control"] == "no-store"
        match = re.search(r'id="token-secret" class="secret" readonly value="([^"]+)"', page.text)
        assert match
        return match.group(1)

    secret = create("reporting", "")
    use = httpx.Client(base_url=server_url, headers={"Authorization": f"Bearer {secret}"})
    assert use.get("/dossiers").status_code == 200
    listed = admin.get("/app/admin/tokens").text
    assert "reporting" in listed and secret not in listed
    [token] = [
        t
        for t in client("admin").get("/tokens", params={"username": "manager"}).json()
        if t["name"] == "reporting"
    ]
    assert token["last_used_at"] is not None and token["expires_at"] is None
    revoked = _post(admin, f"/app/admin/tokens/{token['id']}/revoke")
    assert revoked.headers["location"] == "/app/admin/tokens?done=token-revoked"
    assert use.get("/dossiers").status_code == 401

    short_lived = create("one day", "1")
    use.headers["Authorization"] = f"Bearer {short_lived}"
    assert use.get("/dossiers").status_code == 200
    clock.advance(days=1, seconds=1)
    assert use.get("/dossiers").status_code == 401
    use.close()
    events = [(e["action"], e["entity_key"]) for e in _events(client, "token")]
    assert ("revoke", str(token["id"])) in events
    assert [a for a, _ in events].count("create") == len(events) - 1


def test_only_administrators_get_in(browser: Browser, client: Client, server_url: str) -> None:
    """A handler gets the 403 page (pages) and a 403 error (API); a visitor signs in first."""
    handler = browser("handler")
    for path in ("/app/admin", "/app/admin/users", "/app/admin/audit", "/mail"):
        answer = handler.get(path)
        assert answer.status_code == 403, path
        assert "text/html" in answer.headers["content-type"]
    token = csrf_of(handler.get("/app/admin").text)
    assert (
        handler.post(
            "/app/admin/users",
            data={
                "csrf_token": token,
                "username": "x.y",
                "display_name": "X",
                "role": "admin",
                "password": NEW_PASSWORD,
            },
        ).status_code
        == 403
    )
    for path in ("/users", "/tokens", "/admin/events"):
        answer = client("handler").get(path)
        assert answer.status_code == 403 and answer.json()["error"] == "forbidden"
    with httpx.Client(base_url=server_url) as visitor:
        assert visitor.get("/app/admin").headers["location"] == "/app/login?next=/app/admin"
        assert visitor.get("/mail").headers["location"] == "/app/login?next=/mail"
    assert browser("admin").get("/mail").status_code == 200


async def test_without_the_embedded_sink_there_is_no_mail_page(
    engine: Engine, settings: Settings, logins: dict[str, str]
) -> None:
    """With a real SMTP server configured /mail does not exist, even for an administrator."""
    app = create_app(settings, engine=engine, mail_dir=None)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as c:
        assert (await c.get("/mail")).status_code == 404
        form = await c.get("/app/login")
        await c.post(
            "/app/login",
            data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        )
        assert (await c.get("/app/admin")).status_code == 200
        assert (await c.get("/mail")).status_code == 404


def test_agencies_calendar_and_procedures_from_the_pages(browser: Browser, client: Client) -> None:
    """Each change is made whole or not at all, and lands in the audit trail."""
    admin = browser("admin")
    agency = {
        "code": "btc-khdt",
        "name_vi": "Bộ Tài chính (Khối KHĐT)",
        "name_en": "Ministry of Finance (Planning)",
        "email": "khdt@agencies.example.org",
    }
    assert _post(admin, "/app/admin/agencies", **{**agency, "email": "nope"}).status_code == 422
    added = _post(admin, "/app/admin/agencies", **agency)
    assert added.headers["location"] == "/app/admin/agencies/BTC-KHDT?done=agency-created"
    assert _post(admin, "/app/admin/agencies", **agency).status_code == 409
    renamed = _post(
        admin,
        "/app/admin/agencies/BTC-KHDT",
        name_vi="Bộ Tài chính",
        name_en="Ministry of Finance",
        email="btc@agencies.example.org",
    )
    assert renamed.status_code == 303
    mapped = _post(
        admin,
        "/app/admin/agencies/BTC-KHDT/mapping",
        provinces="",
        activity_fields="public investment\n\nplanning\nplanning\n",
    )
    assert mapped.status_code == 303
    shown = ok(client("admin").get("/agencies/BTC-KHDT"))
    assert shown["activity_fields"] == ["public investment", "planning"]
    assert (
        "public investment\nplanning</textarea>" in admin.get("/app/admin/agencies/BTC-KHDT").text
    )
    too_long = _post(admin, "/app/admin/agencies/BTC-KHDT/mapping", activity_fields="x" * 101)
    assert too_long.status_code == 422 and 'class="notice error"' in too_long.text
    assert (
        ok(client("admin").get("/agencies/BTC-KHDT"))["activity_fields"] == shown["activity_fields"]
    )
    assert _post(admin, "/app/admin/agencies/BTC-KHDT/deactivate").status_code == 303
    page = admin.get("/app/admin/agencies/BTC-KHDT")
    assert "Bộ Tài chính" in page.text and "/activate" in page.text
    assert _post(admin, "/app/admin/agencies/NOPE/deactivate").status_code == 404

    assert _post(admin, "/app/admin/calendar", day="31/12/2026", kind="holiday").status_code == 422
    assert (
        _post(
            admin, "/app/admin/calendar", day="2026-12-31", kind="holiday", note="Provincial day"
        ).status_code
        == 303
    )
    assert "Provincial day" in admin.get("/app/admin/calendar").text
    assert client("admin").get("/calendar/overrides").json()[0]["kind"] == "holiday"
    assert _post(admin, "/app/admin/calendar/2026-12-31/delete").status_code == 303
    assert client("admin").get("/calendar/overrides").json() == []

    code = "ngo.operation.issue"
    assert code in admin.get("/app/admin/procedures").text
    for bad in ("{not json", "[1]", '{"steps": []}', '{"consultation_working_days": -1}'):
        answer = _post(admin, f"/app/admin/procedures/{code}/versions", changes=bad, note="x")
        assert answer.status_code == 422, bad
    published = _post(
        admin,
        f"/app/admin/procedures/{code}/versions",
        changes='{"consultation_working_days": 7}',
        note="Decision 12/QĐ",
    )
    assert published.headers["location"] == f"/app/admin/procedures/{code}?done=version-published"
    versions = client("admin").get(f"/procedures/{code}/versions").json()
    assert [v["consultation_working_days"] for v in versions][-1] == 7 and len(versions) == 2
    assert "Decision 12/QĐ" in admin.get(f"/app/admin/procedures/{code}").text

    agency_events = [(e["action"], e["before"], e["after"]) for e in _events(client, "agency")]
    assert agency_events[0] == ("update", {"active": True}, {"active": False})
    assert agency_events[1][2]["activity_fields"] == ["public investment", "planning"]
    assert agency_events[2][1]["name_vi"] == "Bộ Tài chính (Khối KHĐT)"
    assert agency_events[3][0] == "create" and agency_events[3][2]["code"] == "BTC-KHDT"
    calendar_events = [
        (e["action"], e["entity_key"], e["before"], e["after"]) for e in _events(client, "calendar")
    ]
    assert calendar_events == [
        ("delete", "2026-12-31", {"kind": "holiday", "note": "Provincial day"}, None),
        ("set", "2026-12-31", None, {"kind": "holiday", "note": "Provincial day"}),
    ]
    [publish] = _events(client, "procedure")
    assert publish["before"]["consultation_working_days"] != 7
    assert publish["after"] == {
        "version": 2,
        "note": "Decision 12/QĐ",
        "consultation_working_days": 7,
    }
    audit = admin.get("/app/admin/audit", params={"entity": "calendar"}).text
    assert "2026-12-31" in audit and "BTC-KHDT" not in audit
    assert "BTC-KHDT" in admin.get("/app/admin").text
