"""The front door and the API docs: /docs and /redoc work with no Internet, the OpenAPI
document declares the bearer token, and / sends people to the sign-in page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

REFERENCE = re.compile(r"""\b(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""")
ABSOLUTE_URL = re.compile(r"""https?://[^\s"'<>)]+""")
LOCAL_URL = re.compile(r"https?://127\.0\.0\.1(?::\d+)?(?:/|$)")
CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
DOSSIER_OPERATIONS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def anonymous(server_url: str) -> Iterator[httpx.Client]:
    """A client without a token or cookie, that does not follow redirects."""
    with httpx.Client(base_url=server_url, timeout=30, follow_redirects=False) as client:
        yield client


def _references(html: str) -> list[str]:
    return REFERENCE.findall(html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_only_this_site(anonymous: httpx.Client, page: str) -> None:
    """Every src/href is a local path; no URL to anywhere but 127.0.0.1 appears at all."""
    answer = anonymous.get(page)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    references = _references(answer.text)
    assert any(ref.endswith(".js") for ref in references), references
    for ref in references:
        assert ref.startswith("/") and not ref.startswith("//"), ref
    foreign = [url for url in ABSOLUTE_URL.findall(answer.text) if not LOCAL_URL.match(url)]
    assert foreign == []


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_assets_are_served_with_their_type(anonymous: httpx.Client, page: str) -> None:
    """The scripts, styles and icon the pages name are here, with the right content type."""
    assets = [
        ref
        for ref in _references(anonymous.get(page).text)
        if ref.rsplit("?", 1)[0].endswith(tuple(CONTENT_TYPES))
    ]
    assert assets
    for ref in assets:
        answer = anonymous.get(ref)
        assert answer.status_code == 200, ref
        expected = CONTENT_TYPES["." + ref.rsplit(".", 1)[1]]
        assert expected in answer.headers["content-type"], (ref, answer.headers)
        assert len(answer.content) > 0


def test_openapi_declares_the_bearer_token_on_dossier_routes(anonymous: httpx.Client) -> None:
    """An HTTP bearer scheme in components, required by every dossier operation."""
    answer = anonymous.get("/openapi.json")
    assert answer.status_code == 200
    spec: dict[str, Any] = answer.json()
    schemes = spec["components"]["securitySchemes"]
    bearer = [
        name
        for name, scheme in schemes.items()
        if scheme["type"] == "http" and scheme["scheme"].lower() == "bearer"
    ]
    assert len(bearer) == 1, schemes
    operations = [
        (path, method, operation)
        for path, item in spec["paths"].items()
        if path == "/dossiers" or path.startswith("/dossiers/")
        for method, operation in item.items()
        if method in DOSSIER_OPERATIONS
    ]
    assert len(operations) >= 5
    for path, method, operation in operations:
        assert {bearer[0]: []} in operation.get("security", []), (method, path)


@pytest.mark.parametrize("accept", ["text/html", "application/json", "*/*"])
def test_the_front_door_redirects_to_sign_in(anonymous: httpx.Client, accept: str) -> None:
    """/ is for people: a 303 to the sign-in page, never a JSON body, whatever is asked."""
    answer = anonymous.get("/", headers={"Accept": accept})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/login"
    assert "json" not in answer.headers.get("content-type", "")
    login = anonymous.get(answer.headers["location"])
    assert login.status_code == 200
    assert login.headers["content-type"].startswith("text/html")
