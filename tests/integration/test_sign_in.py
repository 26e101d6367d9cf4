"""Signing in and out of the pages: sessions, CSRF, lock-out, the front door."""

from __future__ import annotations

import httpx

from tests.conftest import Clock
from tests.integration.conftest import PASSWORD, Browser, csrf_of


def test_front_door_sends_a_visitor_to_sign_in(server_url: str) -> None:
    """`/` is never a JSON 404: a visitor is sent to the sign-in form."""
    with httpx.Client(base_url=server_url) as c:
        answer = c.get("/", follow_redirects=True)
    assert answer.status_code == 200
    assert answer.url.path == "/app/login"
    assert "text/html" in answer.headers["content-type"]
    assert 'name="username"' in answer.text and 'name="password"' in answer.text


def test_each_role_lands_on_its_home_page(browser: Browser) -> None:
    """Handler → worklist, leader → decisions, agency → consultations, ..."""
    homes = {
        "handler": "/app/worklist",
        "leader": "/app/decisions",
        "BCA": "/app/consultations",
        "manager": "/app/dashboard",
        "admin": "/app/admin",
    }
    for who, home in homes.items():
        assert browser(who).get("/").headers["location"] == home


def test_wrong_password_then_lock_out(server_url: str, logins: dict[str, str]) -> None:
    """Five wrong passwords lock the account: even the right one is refused for a while."""
    with httpx.Client(base_url=server_url) as c:
        token = csrf_of(c.get("/app/login").text)
        for _ in range(5):
            bad = c.post(
                "/app/login", data={"username": "handler", "password": "wrong", "csrf_token": token}
            )
            assert bad.status_code == 401
        locked = c.post(
            "/app/login", data={"username": "handler", "password": PASSWORD, "csrf_token": token}
        )
        assert locked.status_code == 401 and "khóa" in locked.text


def test_a_form_without_csrf_token_is_refused(server_url: str, logins: dict[str, str]) -> None:
    """The sign-in form itself needs this browser's CSRF token."""
    with httpx.Client(base_url=server_url) as c:
        c.get("/app/login")
        answer = c.post("/app/login", data={"username": "handler", "password": PASSWORD})
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"]


def test_an_expired_session_goes_back_to_sign_in(browser: Browser, clock: Clock) -> None:
    """After the idle lifetime the session is over: pages redirect to sign-in, forms too."""
    c = browser("handler")
    assert c.get("/app/worklist").status_code != 303
    clock.advance(hours=3)
    answer = c.get("/app/worklist")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/app/login?next=/app/worklist")


def test_sign_out_ends_the_session(browser: Browser) -> None:
    """After sign-out the same cookies open nothing."""
    c = browser("leader")
    page = c.get("/app/decisions")
    assert c.post("/app/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    assert c.get("/app/decisions").status_code == 303
