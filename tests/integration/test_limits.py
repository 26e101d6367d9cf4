"""Bounded input and load: a body past its limit is 413 (declared or streamed), and beyond
`max_in_flight` requests the API answers 503 with Retry-After at once instead of queueing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from api.app import create_app
from config.settings import Settings
from tests.conftest import Clock
from tests.integration.conftest import Browser, Client
from tests.integration.helpers import ok, operation_issue
from tests.integration.test_error_model import conforms, serve

BODY_LIMIT = 16 * 1024
UPLOAD_LIMIT = 64 * 1024  # the conftest's max_upload_bytes


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The integration settings with a small JSON body limit, below the upload limit."""
    assert settings.max_upload_bytes == UPLOAD_LIMIT
    return settings.model_copy(update={"max_body_bytes": BODY_LIMIT})


def _too_large(answer: httpx.Response) -> None:
    assert answer.status_code == 413, (answer.status_code, answer.text[:300])
    assert answer.json()["error"] == "too_large" and answer.json()["detail"]


def _chunks(data: bytes, size: int = 4096) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_a_json_body_over_the_limit_is_413_and_stores_nothing(client: Client) -> None:
    """A dossier with a million provinces, or a 10 MB legal basis, is refused before parsing."""
    handler = client("handler")
    answer = handler.post("/dossiers", json=operation_issue(provinces=["Huế"] * 1_000_000))
    _too_large(answer)
    conforms(ok(client("").get("/openapi.json")), "/dossiers", "post", answer)
    _too_large(handler.post("/dossiers", json=operation_issue(legal_basis="x" * 10_000_000)))
    _too_large(handler.post("/dossiers", json=operation_issue(subject="s" * BODY_LIMIT)))
    assert ok(client("manager").get("/dossiers"))["total"] == 0
    ok(handler.post("/dossiers", json=operation_issue()), 201)


def test_a_streamed_body_is_counted_while_it_is_read(client: Client) -> None:
    """Chunked (no Content-Length): refused once past the limit; under it, accepted; the
    connection stays usable after the refusal."""
    handler = client("handler")
    big = httpx.Request("POST", "/", json=operation_issue(subject="s" * BODY_LIMIT)).content
    answer = handler.post(
        "/dossiers", content=_chunks(big), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in answer.request.headers
    assert answer.request.headers["transfer-encoding"] == "chunked"
    _too_large(answer)
    assert ok(client("manager").get("/dossiers"))["total"] == 0
    small = httpx.Request("POST", "/", json=operation_issue()).content
    created = handler.post(
        "/dossiers", content=_chunks(small, 100), headers={"Content-Type": "application/json"}
    )
    ok(created, 201)
    assert ok(client("manager").get("/dossiers"))["total"] == 1


def test_uploads_have_their_own_limit_on_routes_that_take_a_file(client: Client) -> None:
    """A file larger than the JSON limit is fine on an upload route, not on a JSON route; a
    body past the upload limit is 413 whether declared or streamed."""
    handler = client("handler")
    dossier = ok(handler.post("/dossiers", json=operation_issue()), 201)
    documents = f"/dossiers/{dossier['id']}/documents"
    middle = b"%PDF-1.4\n" + b"x" * (BODY_LIMIT * 2)
    files = {"file": ("charter.pdf", middle, "application/pdf")}
    assert ok(handler.post(documents, files=files), 201)["size"] == len(middle)
    _too_large(handler.post("/dossiers", files=files))
    huge = {"file": ("big.pdf", b"%PDF-1.4\n" + b"x" * (UPLOAD_LIMIT * 3), "application/pdf")}
    _too_large(handler.post(documents, files=huge))
    multipart = httpx.Request("POST", "/", files=huge)
    streamed = handler.post(
        documents,
        content=_chunks(multipart.read(), 16 * 1024),
        headers={"Content-Type": multipart.headers["Content-Type"]},
    )
    assert streamed.request.headers["transfer-encoding"] == "chunked"
    _too_large(streamed)
    assert [d["size"] for d in ok(handler.get(documents))] == [len(middle)]


def test_a_page_form_over_the_limit_is_a_readable_page(server_url: str) -> None:
    """A sign-in form post far too large gets the 413 page, not JSON."""
    with httpx.Client(base_url=server_url, timeout=30) as browser:
        answer = browser.post("/app/login", data={"username": "u" * BODY_LIMIT, "password": "p"})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "<html" in answer.text.lower()


class Gate:
    """A route that holds its requests until the test opens the gate."""

    def __init__(self) -> None:
        self.entered = threading.Semaphore(0)
        self.opened = threading.Event()

    def route(self) -> dict[str, bool]:
        self.entered.release()
        assert self.opened.wait(timeout=30)
        return {"released": True}


def _shedding_app(
    engine: Engine, clock: Clock, tmp_path: Path, max_in_flight: int
) -> tuple[FastAPI, Gate]:
    settings = Settings(
        var_dir=tmp_path / "var", secret_key="test-secret-key", max_in_flight=max_in_flight
    )
    app = create_app(settings, engine=engine, clock=clock)
    gate = Gate()
    app.add_api_route("/test/held", gate.route)
    return app, gate


def test_beyond_max_in_flight_the_api_answers_503_at_once(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    """With two requests held, a third is refused with 503 overloaded and Retry-After before
    either is released; /health still answers; the held two then succeed."""
    app, gate = _shedding_app(engine, clock, tmp_path, max_in_flight=2)
    with serve(app) as url, ThreadPoolExecutor(max_workers=2) as pool:

        def held() -> httpx.Response:
            with httpx.Client(base_url=url, timeout=30) as http:
                return http.get("/test/held")

        first, second = pool.submit(held), pool.submit(held)
        for _ in range(2):
            assert gate.entered.acquire(timeout=10)
        with httpx.Client(base_url=url, timeout=10) as http:
            refused = http.get("/test/held")
            # Answered while both held requests are still inside the app: not queued.
            assert not gate.opened.is_set()
            assert refused.status_code == 503, refused.text
            assert refused.headers["Retry-After"] == "1"
            assert refused.json()["error"] == "overloaded" and refused.json()["detail"]
            conforms(app.openapi(), "/test/held", "get", refused)
            assert not first.done() and not second.done()
            assert ok(http.get("/health"))["status"] == "ok"
            gate.opened.set()
            assert ok(first.result(timeout=10)) == {"released": True}
            assert ok(second.result(timeout=10)) == {"released": True}
            assert ok(http.get("/test/held")) == {"released": True}


def test_max_in_flight_zero_sheds_nothing(engine: Engine, clock: Clock, tmp_path: Path) -> None:
    """0 disables shedding: three held requests all get through."""
    app, gate = _shedding_app(engine, clock, tmp_path, max_in_flight=0)
    with serve(app) as url, ThreadPoolExecutor(max_workers=3) as pool:

        def held() -> httpx.Response:
            with httpx.Client(base_url=url, timeout=30) as http:
                return http.get("/test/held")

        futures = [pool.submit(held) for _ in range(3)]
        for _ in range(3):
            assert gate.entered.acquire(timeout=10)
        gate.opened.set()
        assert [f.result(timeout=10).status_code for f in futures] == [200, 200, 200]


def test_a_shed_page_request_gets_a_readable_page(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    """On the pages, the 503 is an HTML page that says to retry, with Retry-After."""
    app, gate = _shedding_app(engine, clock, tmp_path, max_in_flight=1)
    with serve(app) as url, ThreadPoolExecutor(max_workers=1) as pool:

        def held() -> httpx.Response:
            with httpx.Client(base_url=url, timeout=30) as http:
                return http.get("/test/held")

        first = pool.submit(held)
        assert gate.entered.acquire(timeout=10)
        with httpx.Client(base_url=url, timeout=10) as http:
            refused = http.get("/app/login")
            assert not gate.opened.is_set()
            assert refused.status_code == 503
            assert refused.headers["Retry-After"] == "1"
            assert refused.headers["content-type"].startswith("text/html")
            assert "thử lại" in refused.text
            gate.opened.set()
            assert ok(first.result(timeout=10)) == {"released": True}
            assert http.get("/app/login").status_code == 200


# Every route that takes a file, API and pages, with a caller that reaches it.
UPLOAD_ROUTES = [
    ("handler", "/dossiers/{dossier}/documents", "file"),
    ("BCA", "/consultations/{consultation}/documents", "file"),
    ("admin", "/imports/dossiers?dry_run=true", "dossiers"),
    ("handler", "/app/dossiers/{dossier}/documents", "file"),
    ("BCA", "/app/consultations/{consultation}", "file"),
    ("handler", "/app/consultations/{consultation}/record-answer", "file"),
    ("admin", "/app/admin/import", "dossiers"),
]


@pytest.mark.parametrize(("who", "path", "part"), UPLOAD_ROUTES)
def test_every_upload_route_takes_a_file_past_the_json_limit(
    client: Client, browser: Browser, who: str, path: str, part: str
) -> None:
    """A file twice the JSON limit is never a 413 on a route that takes a file (the route
    answers for itself: here the pages refuse the missing CSRF token); three times the upload
    limit always is."""
    handler = client("handler")
    dossier = ok(handler.post("/dossiers", json=operation_issue()), 201)["id"]
    url = path.format(dossier=dossier, consultation="no-such-request")
    caller = browser(who) if path.startswith("/app/") else client(who)
    middle = {part: ("a.pdf", b"%PDF-1.4\n" + b"x" * (BODY_LIMIT * 2), "application/pdf")}
    answer = caller.post(url, files=middle, follow_redirects=False)
    assert answer.status_code in (201, 403, 404, 422), (url, answer.status_code, answer.text[:300])
    huge = {part: ("a.pdf", b"%PDF-1.4\n" + b"x" * (UPLOAD_LIMIT * 3), "application/pdf")}
    answer = caller.post(url, files=huge, follow_redirects=False)
    assert answer.status_code == 413, (url, answer.status_code, answer.text[:300])
