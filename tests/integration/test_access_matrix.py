"""Every route × every role over real HTTP: who may call it, and which objects each caller sees."""

# The routes come from the app itself (static files and the API docs aside); their rules from
# access_rules.py; the objects from world.py. A route without a rule fails, so a new route cannot
# ship without saying who may call it. One database and one app for the whole matrix: its
# requests read, or change only throwaway objects, so they do not depend on their order.

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine
from starlette.routing import Mount

from api import docs
from api.app import create_app
from config.settings import Settings
from tests.integration.access_rules import MISSING, PARAM_OBJECTS, ROLES, RULES, Rule, Send
from tests.integration.conftest import Browser, Client, csrf_of
from tests.integration.world import PDF, ROLE_USERS, World, build_world

HOME = {
    "handler": "/app/worklist",
    "leader": "/app/decisions",
    "manager": "/app/dashboard",
    "agency": "/app/consultations",
    "admin": "/app/admin",
}


def app_routes(app: FastAPI) -> list[str]:
    """'METHOD /path' of every route of the app but static files and the docs."""
    try:  # FastAPI 0.150+ keeps included routers lazily: flatten them as the app routes
        from fastapi.routing import iter_route_contexts

        routes: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:
        routes = list(app.routes)
    found = []
    for route in routes:
        original = getattr(route, "original_route", route)
        endpoint = getattr(original, "endpoint", None)
        if isinstance(original, Mount) or route.path == app.openapi_url:
            continue
        if getattr(endpoint, "__module__", None) == docs.__name__:
            continue
        found += [f"{method} {route.path}" for method in sorted(route.methods or ())]
    return found


def _collected_routes() -> list[str]:
    """The routes of an app built only to be read (its engine never connects)."""
    settings = Settings(secret_key="unused", var_dir=Path("var-unused"))
    return app_routes(create_app(settings, engine=create_engine("sqlite://"), mail_dir=None))


ROUTES = _collected_routes()


@dataclass
class Matrix:
    """The running app, its objects, and a way in for every role."""

    http: httpx.Client
    world: World
    tokens: dict[str, str]  # role → bearer token
    cookies: dict[str, dict[str, str]]  # role → page cookies ("anonymous": the CSRF seed)
    csrf: dict[str, str]  # role → the CSRF token of those cookies

    def call(
        self, rule: Rule, method: str, template: str, role: str, send: Send, **objects: str
    ) -> httpx.Response:
        """One request as `role`, path parameters filled with World objects."""
        path = template
        for name in re.findall(r"{(\w+)}", template):
            attribute = objects.get(name) or rule.params.get(name) or PARAM_OBJECTS[name]
            value = getattr(self.world, attribute, None) or MISSING[attribute.lstrip("!")][0]
            path = path.replace(f"{{{name}}}", value)
        kwargs: dict[str, Any] = {"params": dict(rule.query)}
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        if rule.page:
            cookies = self.cookies[role]
        elif role != "anonymous":
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        if send.json is not None:
            kwargs["json"] = send.json
        if send.form is not None or send.file:
            form = dict(send.form or {})
            if rule.page:
                form["csrf_token"] = self.csrf[role]
            kwargs["data"] = form
        if send.file:
            kwargs["files"] = {send.file: ("letter.pdf", PDF, "application/pdf")}
        # The caller's cookies anew for every request: what an answer sets (a renewed or
        # cleared session cookie) never leaks into the next case.
        self.http.cookies = httpx.Cookies(cookies)
        return self.http.request(method, path, headers=headers, **kwargs)


def _sign_in_redirect(response: httpx.Response) -> bool:
    return response.status_code == 303 and response.headers.get("location", "").startswith(
        "/app/login?next="
    )


def _error_body(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), str) and "detail" in body


def judge(rule: Rule, role: str, response: httpx.Response) -> str | None:
    """What is wrong with this answer to this role, or None."""
    status = response.status_code
    where = f"{role}: {response.request.method} {response.request.url.path} → {status}"
    if status >= 500:
        return f"{where}: a server error {response.text[:200]!r}"
    if role in rule.roles:
        if status in (401, 403) or _sign_in_redirect(response):
            return f"{where}: refused, but {role} may call it {response.text[:200]!r}"
        return None
    if role == "anonymous":
        if rule.page:
            return None if _sign_in_redirect(response) else f"{where}: not sent to sign in"
        if status != 401 or not _error_body(response):
            return f"{where}: expected 401 with an error body"
        return None
    if status != 403 or (not rule.page and not _error_body(response)):
        return f"{where}: expected 403 for a wrong role {response.text[:200]!r}"
    return None


def _page_ways_in(browser: Browser) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Signed-in cookies and CSRF token per role; the anonymous visitor's CSRF seed."""
    cookies, csrf = {}, {}
    for role in ROLES:
        if role == "anonymous":
            signed = browser("")
            form = signed.get("/app/login")
        else:
            signed = browser(ROLE_USERS[role])
            form = signed.get(HOME[role])
        assert form.status_code == 200, (role, form.status_code)
        cookies[role] = dict(signed.cookies)
        csrf[role] = csrf_of(form.text)
    return cookies, csrf


def _hidden_probes(rule: Rule, template: str) -> list[tuple[str, str, set[int]]]:
    """(path parameter, stand-in object, statuses it must get) for objects that do not exist."""
    probes = []
    for name in re.findall(r"{(\w+)}", template):
        attribute = rule.params.get(name) or PARAM_OBJECTS[name]
        if attribute in MISSING:
            expected = {MISSING[attribute][1]}
            has_body = rule.send.json is not None or rule.send.form is not None
            if has_body and rule.probe is None:
                expected.add(422)  # the body is checked before the object is looked up
            probes.append((name, f"!{attribute}", expected))
    return probes


def route_problems(matrix: Matrix, key: str) -> list[str]:
    """Everything wrong with one route: its rule, each role's answer, hidden and missing objects."""
    rule = RULES.get(key)
    if rule is None:
        return [f"{key} has no access rule: add one to tests/integration/access_rules.py"]
    method, template = key.split(" ", 1)
    problems = [
        judge(rule, role, matrix.call(rule, method, template, role, rule.send)) for role in ROLES
    ]
    if not rule.page and "anonymous" not in rule.roles:
        # A signed-in browser's cookies are no substitute for a token (no CSRF through the API).
        cookies = Rule(rule.roles, page=True, params=rule.params, query=rule.query)
        answer = matrix.call(cookies, method, template, "admin", Send(json=rule.send.json))
        if answer.status_code != 401:
            problems.append(f"page cookies without a token: {key} → {answer.status_code}")
    probe = rule.probe or rule.send
    for role in sorted(rule.roles):
        for name, stand_in, expected in _hidden_probes(rule, template):
            answer = matrix.call(rule, method, template, role, probe, **{name: stand_in})
            if answer.status_code not in expected:
                problems.append(
                    f"{role}: {key} with no such {name} → {answer.status_code}, "
                    f"expected {sorted(expected)} {answer.text[:200]!r}"
                )
    if rule.own_agency and "agency" in rule.roles:
        problems += _other_agency(matrix, rule, method, template, probe)
    return [p for p in problems if p]


def _other_agency(matrix: Matrix, rule: Rule, method: str, template: str, probe: Send) -> list[str]:
    """An agency does not see, nor answer, another agency's request: 404 as if it did not exist."""
    world = matrix.world
    if "{consultation_id}" in template:
        answer = matrix.call(
            rule, method, template, "agency", probe, consultation_id="other_consultation"
        )
        if answer.status_code != 404:
            return [
                f"agency: {method} {template} on another agency's request → "
                f"{answer.status_code} {answer.text[:200]!r}"
            ]
        return []
    listed = matrix.call(rule, method, template, "agency", probe)
    if world.other_consultation in listed.text or world.consultation not in listed.text:
        return [f"agency: {method} {template} does not list exactly its own requests"]
    return []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_route_follows_its_access_rule(
    subtests: pytest.Subtests,
    client: Client,
    tokens: dict[str, str],
    browser: Browser,
    settings: Settings,
) -> None:
    """Allowed roles get in, others get 401/403, hidden and missing objects are 404, no 5xx."""
    world = build_world(client, settings)
    cookies, csrf = _page_ways_in(browser)
    role_tokens = {role: tokens[user] for role, user in ROLE_USERS.items()}
    matrix = Matrix(client(""), world, role_tokens, cookies, csrf)
    for key in ROUTES:
        with subtests.test(msg=key):
            problems = route_problems(matrix, key)
            assert not problems, "\n".join(problems)


def test_every_route_has_a_rule() -> None:
    """A route without a rule fails here, named, before any request is made."""
    assert [key for key in ROUTES if key not in RULES] == []


def test_every_rule_names_a_route_of_the_app() -> None:
    """A rule for a route that no longer exists is a stale rule."""
    assert sorted(set(RULES) - set(ROUTES)) == []


def test_the_matrix_sees_every_role_and_kind_of_route() -> None:
    """The generated matrix is not empty: API routes and pages, for all six callers."""
    assert len(ROUTES) > 100 and "GET /dossiers/{dossier_id}" in ROUTES
    assert any(RULES[k].page for k in ROUTES if k in RULES)
    assert set(ROLES) == {"handler", "leader", "manager", "agency", "admin", "anonymous"}
