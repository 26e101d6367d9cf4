"""One error model: every 4xx/5xx is {error, detail, ...} as the OpenAPI document declares it,
malformed JSON is 422, and a 500 is a JSON answer on a connection that stays open."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import jsonschema
import pytest
import uvicorn
from fastapi import FastAPI, Request
from sqlalchemy import Engine, create_engine

from api.app import create_app
from config.settings import Settings
from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue

# Every operation may be refused for size, may fail unexpectedly and may be shed under load;
# an authenticated one may also be refused for the token, the role or the object.
EVERYWHERE = {"413", "500"}
AUTHENTICATED = {"401", "403", "404", "413", "422", "503"}


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """`app` served by a real uvicorn on 127.0.0.1 (a free port) for the block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", ws="none"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def spec(client: Client) -> dict[str, Any]:
    """The OpenAPI document the running app serves."""
    return ok(client("").get("/openapi.json"))  # type: ignore[no-any-return]


def conforms(spec: dict[str, Any], path: str, method: str, answer: httpx.Response) -> None:
    """The answer's JSON body matches the schema the document declares for its status."""
    declared = spec["paths"][path][method]["responses"]
    assert str(answer.status_code) in declared, (path, method, answer.status_code, answer.text)
    schema = declared[str(answer.status_code)]["content"]["application/json"]["schema"]
    jsonschema.validate(answer.json(), {**schema, "components": spec["components"]})


def error_schema(spec: dict[str, Any], model: str = "ErrorBody") -> dict[str, Any]:
    """The document's error schema, as a JSON Schema that resolves its references."""
    return {"$ref": f"#/components/schemas/{model}", "components": spec["components"]}


def test_every_operation_declares_its_errors_with_the_error_schemas(
    spec: dict[str, Any],
) -> None:
    """No operation without its error answers, none with FastAPI's own 422 schema."""
    assert "HTTPValidationError" not in str(spec)
    assert {"ErrorBody", "ValidationErrorBody"} <= set(spec["components"]["schemas"])
    operations = [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 50
    for path, method, operation in operations:
        responses = operation["responses"]
        expected = set(EVERYWHERE)
        if path != "/health":
            expected.add("503")
            assert "Retry-After" in responses["503"]["headers"], (path, method)
        if operation.get("security"):
            expected |= AUTHENTICATED
        if operation.get("parameters") or operation.get("requestBody"):
            expected.add("422")
        assert expected <= set(responses), (path, method, sorted(responses))
        for status, response in responses.items():
            if int(status) < 400:
                continue
            content = response["content"]
            assert content, (path, method, status)
            if "application/json" in content:
                schema = content["application/json"]["schema"]
                assert "components/schemas/" in str(schema), (path, method, status, schema)
            else:
                assert list(content) == ["text/html"], (path, method, status)


def test_error_bodies_match_what_the_document_declares(
    client: Client, spec: dict[str, Any]
) -> None:
    """401, 403, 404, 409, 412 and 422 (rule, type, malformed JSON) each fit their schema."""
    handler = client("handler")
    created = ok(handler.post("/dossiers", json=operation_issue()), 201)
    item = "/dossiers/{dossier_id}"
    sign = f"/dossiers/{created['id']}/actions/sign"
    accept = f"/dossiers/{created['id']}/actions/accept"
    answers = [
        ("/dossiers", "get", client("").get("/dossiers"), 401),
        ("/dossiers", "get", client("BCA").get("/dossiers"), 403),
        (item, "get", handler.get("/dossiers/nope"), 404),
        (f"{item}/actions/sign", "post", client("leader").post(sign, json={}), 409),
        (
            f"{item}/actions/accept",
            "post",
            handler.post(accept, json={}, headers={"If-Match": '"7"'}),
            412,
        ),
        ("/dossiers", "post", handler.post("/dossiers", json={"procedure": 3}), 422),
        ("/dossiers", "post", handler.post("/dossiers", json=operation_issue(subject="")), 422),
        (
            "/dossiers",
            "post",
            handler.post("/dossiers", content=b"{", headers={"Content-Type": "application/json"}),
            422,
        ),
        ("/dossiers", "get", handler.get("/dossiers", params={"limit": "many"}), 422),
    ]
    for path, method, answer, status in answers:
        assert answer.status_code == status, (path, answer.status_code, answer.text)
        conforms(spec, path, method, answer)
        body = answer.json()
        assert isinstance(body["error"], str) and body["detail"], body
    wrong_type = handler.post("/dossiers", json={"procedure": 3}).json()
    assert wrong_type["error"] == "invalid_input" and wrong_type["errors"]
    assert all(isinstance(part, str) for part in wrong_type["errors"][0]["loc"])


MALFORMED = {
    "not JSON": (b"hello", "application/json"),
    "truncated JSON": (
        b'{"procedure": "ngo.operation.issue", "applicant": {"na',
        "application/json",
    ),
    "a byte that is not UTF-8": (b'{"procedure": "ngo.operation.issue\xff"}', "application/json"),
    "a wrong content type": (b'{"procedure": "ngo.operation.issue"}', "text/plain"),
    "form data for a JSON body": (
        b"procedure=ngo.operation.issue",
        "application/x-www-form-urlencoded",
    ),
    "no content type": (b'{"procedure": "ngo.operation.issue"}', ""),
}


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_malformed_json_is_422_and_stores_nothing(
    client: Client, spec: dict[str, Any], kind: str
) -> None:
    """Each way a JSON body can be broken gets the same 422 error, on a create and an action."""
    content, content_type = MALFORMED[kind]
    headers = {"Content-Type": content_type} if content_type else {}
    handler = client("handler")
    created = ok(handler.post("/dossiers", json=operation_issue()), 201)
    action = f"/dossiers/{created['id']}/actions/reject-intake"
    for path, template, url in [
        ("/dossiers", "/dossiers", "/dossiers"),
        (action, "/dossiers/{dossier_id}/actions/reject-intake", action),
    ]:
        answer = handler.post(url, content=content, headers=headers)
        assert answer.status_code == 422, (path, answer.text)
        body = answer.json()
        assert body["error"] == "invalid_input" and body["errors"][0]["loc"][0] == "body"
        conforms(spec, template, "post", answer)
    assert ok(client("manager").get("/dossiers"))["total"] == 1
    assert ok(handler.get(f"/dossiers/{created['id']}"))["status"] == "received"


def test_a_broken_multipart_upload_is_422(client: Client) -> None:
    """A multipart body that cannot be parsed is 422 (it was FastAPI's undocumented 400)."""
    handler = client("handler")
    created = ok(handler.post("/dossiers", json=operation_issue()), 201)
    answer = handler.post(
        f"/dossiers/{created['id']}/documents",
        content=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n',
        headers={"Content-Type": "multipart/form-data"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_input"
    assert ok(handler.get(f"/dossiers/{created['id']}/documents")) == []


@pytest.fixture
def failing_app(engine: Engine, clock: Clock, tmp_path: Any) -> FastAPI:
    """The real app plus routes that raise and one that names the caller's port."""
    app = create_app(
        Settings(var_dir=tmp_path / "var", secret_key="test-secret-key"), engine=engine, clock=clock
    )

    def boom() -> None:
        raise RuntimeError("database password is hunter2")

    async def port(request: Request) -> dict[str, int]:
        assert request.client is not None
        return {"port": request.client.port}

    app.add_api_route("/test/boom", boom)
    app.add_api_route("/app/test/boom", boom)
    app.add_api_route("/test/port", port)
    return app


def test_a_500_is_json_and_keeps_the_connection(
    failing_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected exception: JSON 500 without the cause, logged with its traceback, and the
    next request goes over the same kept-alive connection."""
    with serve(failing_app) as url, httpx.Client(base_url=url, timeout=10) as http:
        before = ok(http.get("/test/port"))["port"]
        with caplog.at_level(logging.ERROR, logger="ngo_review.api"):
            answer = http.get("/test/boom")
        assert answer.status_code == 500
        assert answer.json() == {
            "error": "internal",
            "detail": "unexpected error; nothing was changed",
        }
        assert "hunter2" not in answer.text and "Traceback" not in answer.text
        assert answer.headers.get("connection", "").lower() != "close"
        conforms(failing_app.openapi(), "/test/boom", "get", answer)
        after = ok(http.get("/test/port"))["port"]
        assert after == before
    logged = [r for r in caplog.records if r.name == "ngo_review.api" and r.exc_info]
    assert len(logged) == 1 and "hunter2" in str(logged[0].exc_info[1])  # type: ignore[index]


def test_a_500_on_a_page_is_a_page(failing_app: FastAPI) -> None:
    """On the pages the unexpected error is a readable page, still without the cause."""
    with serve(failing_app) as url, httpx.Client(base_url=url, timeout=10) as http:
        answer = http.get("/app/test/boom")
        assert answer.status_code == 500
        assert answer.headers["content-type"].startswith("text/html")
        assert "hunter2" not in answer.text
        assert ok(http.get("/test/port"))


def test_existing_errors_keep_their_codes(client: Client, spec: dict[str, Any]) -> None:
    """The codes clients rely on stay: not_allowed with allowed_actions, version_mismatch."""
    handler = client("handler")
    created = ok(handler.post("/dossiers", json=operation_issue()), 201)
    act(handler, created["id"], "accept")
    answer = client("leader").post(f"/dossiers/{created['id']}/actions/sign", json={})
    assert answer.status_code == 409 and answer.json()["error"] == "not_allowed"
    assert isinstance(answer.json()["allowed_actions"], list)
    answer = handler.post("/no/such/route")
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    assert "/no/such/route" in answer.json()["detail"]
    jsonschema.validate(answer.json(), error_schema(spec))
    assert client("").get("/no/such/route").json()["error"] == "not_found"
    answer = handler.delete("/dossiers")
    assert answer.status_code == 405 and answer.json()["error"] == "method_not_allowed"
    assert answer.headers["Allow"] and "DELETE" in answer.json()["detail"]
    jsonschema.validate(answer.json(), error_schema(spec))


def test_an_unhealthy_database_is_a_503_in_the_error_shape(clock: Clock, tmp_path: Any) -> None:
    """/health with a database that cannot be opened: 503 {error, detail, status, ...}."""
    broken = create_engine(f"sqlite:///{tmp_path}/no/such/dir/ngo.db")
    app = create_app(
        Settings(var_dir=tmp_path / "var", secret_key="test-secret-key"), engine=broken, clock=clock
    )
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as http:
        answer = http.get("/health")
    assert answer.status_code == 503, answer.text
    body = answer.json()
    assert body["error"] == "unavailable" and body["detail"]
    assert (body["status"], body["database"]) == ("degraded", "unavailable")
    conforms(app.openapi(), "/health", "get", answer)
