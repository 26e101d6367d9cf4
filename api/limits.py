"""Bounds on what one request may cost: its body size (413) and the requests in flight (503)."""

from __future__ import annotations

from fastapi import params
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_answer

# A load balancer asking /health must learn whether the server works, not that it is busy:
# a busy server answering 503 there would be taken out of service and the load moved on.
UNSHED_PATHS = frozenset({"/health"})
# Room for the multipart boundaries, part headers and small fields around an upload's file.
MULTIPART_ALLOWANCE = 64 * 1024


class BodyTooLarge(HTTPException):
    """The body went past its limit while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def _multipart(scope: Scope) -> bool:
    return _header(scope, b"content-type").lower().startswith("multipart/form-data")


def takes_a_file(scope: Scope) -> bool:
    """Whether a routed request is multipart to a route with a file parameter.

    Known once the router has put the route in the scope, which is before the body is read."""
    body = getattr(scope.get("route"), "body_field", None)
    # FastAPI marks a body with any file part as File (a subclass of Form).
    return _multipart(scope) and body is not None and isinstance(body.field_info, params.File)


class BodyLimit:
    """413 for a body over its limit: at once from Content-Length, or as soon as a streamed
    (chunked) body passes it; the body is counted as it is read, never buffered here."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes + MULTIPART_ALLOWANCE

    def limit(self, scope: Scope) -> int:
        """Uploads may be as large as a file plus its multipart framing; other bodies less."""
        return self.max_upload_bytes if takes_a_file(scope) else self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        text = _header(scope, b"content-length").strip()
        declared = int(text) if text.isdigit() else None
        ceiling = self.max_upload_bytes if _multipart(scope) else self.max_body_bytes
        if declared is not None and declared > ceiling:
            detail = f"the request body is larger than {ceiling} bytes"
            await error_answer(Request(scope), 413, "too_large", detail)(scope, receive, send)
            return
        received = 0
        limit: int | None = None

        async def counted() -> Message:
            nonlocal received, limit
            if limit is None:
                # The first read comes after routing: now the route says which limit applies.
                limit = self.limit(scope)
                if declared is not None and declared > limit:
                    raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


class LoadShedding:
    """503 `overloaded` with Retry-After at once beyond `max_in_flight` requests, instead of
    queueing without bound; 0 sheds nothing. Counted in the event loop: no lock needed."""

    def __init__(self, app: ASGIApp, max_in_flight: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.max_in_flight or scope["path"] in UNSHED_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            detail = f"more than {self.max_in_flight} requests in flight; retry in a second"
            answer = error_answer(
                Request(scope), 503, "overloaded", detail, headers={"Retry-After": "1"}
            )
            await answer(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
