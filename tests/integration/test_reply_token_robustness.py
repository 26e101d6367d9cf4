"""Agency reply links of any shape over real HTTP: a wrong one is the readable 404 page, never
a 500, and the kept-alive connection goes on working."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import httpx
import pytest

from flows.service.reply_links import ReplyLink, _mac, sign
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue

SECRET = "test-secret-key"  # the test app's (tests/integration/conftest.py settings)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed(payload: str) -> str:
    """A token whose MAC is right for a payload that is not a genuine link."""
    return f"{payload}.{_mac(SECRET, payload)}"


GARBAGE = [
    "a.%C3%A9",  # the finding: non-ASCII after the dot answered 500
    "%C3%A9",
    "%C3%A9.%C3%A9",
    "a",
    "a.b.c",
    "a..b",
    "a.",
    ".b",
    "%00.%00",
    "%FF.%FE",
    "%F0%9F%98%80.x",
    "x" * 600 + "." + "y" * 600,
    "!!!.???",
    "e30.e30",
    _signed("!!!not base64!!!"),
    _signed("a"),
    _signed(_b64(b"\xff\xfe not utf-8")),
    _signed(_b64(b"not json")),
    _signed(_b64(b"[1, 2, 3]")),
    _signed(_b64(b"{}")),
    _signed(_b64(json.dumps({"c": "x", "e": 20261231}).encode())),
    _signed(_b64(json.dumps({"c": "x", "e": "31/12/2026"}).encode())),
    _signed(_b64(json.dumps({"c": "x", "e": "99999-01-01"}).encode())),
    _signed(_b64(b"[" * 300 + b"]" * 300)),
    sign(ReplyLink("no-such-consultation", date(2030, 1, 1)), SECRET),
    sign(ReplyLink("x", date(2030, 1, 1)), "another-secret"),
]


def _is_not_found_page(answer: httpx.Response) -> None:
    assert answer.status_code == 404, (answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("text/html")
    assert "Traceback" not in answer.text


@pytest.mark.parametrize("token", GARBAGE, ids=range(len(GARBAGE)))
def test_a_malformed_or_forged_link_is_the_404_page(client: Client, token: str) -> None:
    """GET and POST, in either language, without any token: 404 page; the connection lives on."""
    anonymous = client("")
    _is_not_found_page(anonymous.get(f"/reply/{token}"))
    _is_not_found_page(anonymous.get(f"/reply/{token}?lang=en"))
    _is_not_found_page(
        anonymous.post(f"/reply/{token}", data={"opinion": "agree", "comments": "ok"})
    )
    assert ok(anonymous.get("/health"))["status"] == "ok"


def test_the_probe_request_on_one_kept_alive_connection(client: Client) -> None:
    """The finding's exact request, then more on the same connection."""
    anonymous = client("")
    for _ in range(3):
        _is_not_found_page(anonymous.get("/reply/a.%C3%A9"))
    assert anonymous.get("/health").status_code == 200


def _consulted(client: Client) -> dict[str, Any]:
    handler = client("handler")
    d = ok(handler.post("/dossiers", json=operation_issue()), 201)
    act(handler, d["id"], "accept")
    consulted = act(handler, d["id"], "consult", {"agencies": ["BCA"]})
    (request,) = [c for c in consulted["consultations"] if c["agency"] == "BCA"]
    found: dict[str, Any] = request
    return found


def test_a_tampered_genuine_link_records_nothing(client: Client) -> None:
    """One character changed in a real link: 404 page, the request stays open."""
    request = _consulted(client)
    genuine = sign(ReplyLink(request["id"], date(2030, 1, 1)), SECRET)
    assert client("").get(f"/reply/{genuine}").status_code == 200
    for tampered in (
        genuine[:-1] + ("A" if genuine[-1] != "A" else "B"),
        "A" + genuine[1:] if genuine[0] != "A" else "B" + genuine[1:],
        genuine + ".x",
        genuine.replace(".", ".."),
    ):
        _is_not_found_page(client("").post(f"/reply/{tampered}", data={"opinion": "agree"}))
    assert ok(client("BCA").get(f"/consultations/{request['id']}"))["status"] == "requested"


def test_expired_wrong_language_and_bad_forms_are_readable_pages(client: Client) -> None:
    """410 for an expired link, 422 pages for a language or an opinion that does not exist."""
    request = _consulted(client)
    anonymous = client("")
    expired = sign(ReplyLink(request["id"], date(2020, 1, 1)), SECRET)
    answer = anonymous.get(f"/reply/{expired}")
    assert answer.status_code == 410 and answer.headers["content-type"].startswith("text/html")
    genuine = sign(ReplyLink(request["id"], date(2030, 1, 1)), SECRET)
    for lang in ("xx", "%C3%A9"):
        wrong = anonymous.get(f"/reply/{genuine}?lang={lang}")
        assert wrong.status_code == 422 and wrong.headers["content-type"].startswith("text/html")
    assert anonymous.get(f"/reply/{genuine}?lang={'v' * 50}").status_code == 422
    for form in (
        {"opinion": "maybe"},
        {"opinion": ""},
        {"opinion": "agree", "comments": "c" * 10_001},
    ):
        wrong = anonymous.post(f"/reply/{genuine}", data=form)
        assert wrong.status_code == 422 and wrong.headers["content-type"].startswith("text/html")
    assert ok(client("BCA").get(f"/consultations/{request['id']}"))["status"] == "requested"
    done = anonymous.post(f"/reply/{genuine}", data={"opinion": "agree", "comments": "Đồng ý"})
    assert done.status_code == 200
    assert ok(client("BCA").get(f"/consultations/{request['id']}"))["status"] == "answered"
