"""The one place where errors become HTTP answers: {"error": CODE, "detail": TEXT}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flows.errors import (
    Conflict,
    DossierError,
    Forbidden,
    InvalidInput,
    NotAllowed,
    NotFound,
    PreconditionFailed,
    TooLarge,
)

log = logging.getLogger("ngo_review.api")

STATUS: dict[type[DossierError], int] = {
    NotFound: 404,
    Forbidden: 403,
    InvalidInput: 422,
    NotAllowed: 409,
    Conflict: 409,
    PreconditionFailed: 412,
    TooLarge: 413,
}


class Unauthorized(DossierError):
    """No token, or one that is not valid."""

    code = "unauthorized"


STATUS[Unauthorized] = 401
# FastAPI's words for a body it could not decode at all, said so that a client can act on them.
UNREADABLE = {
    "There was an error parsing the body": "the body could not be read: not UTF-8 JSON, or"
    " not well-formed form data"
}


def error_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The JSON shape of every error."""
    return {"error": code, "detail": detail, **extra}


def _page_error(
    request: Request, status: int, detail: str, exc: Exception | None
) -> Response | None:
    """On pages, the error is a readable page (or the sign-in form), never a JSON body."""
    from api.web.errors import error_page, wants_page  # the pages import this module

    return error_page(request, status, detail, exc) if wants_page(request) else None


def error_answer(
    request: Request, status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    """An error answered outside any route (by a middleware): a page on pages, else JSON."""
    page = _page_error(request, status, detail, None)
    if page is not None:
        page.headers.update(headers or {})
        return page
    return JSONResponse(error_body(code, detail), status_code=status, headers=headers)


def unexpected_answer(request: Request, exc: Exception) -> Response:
    """A 500 that says nothing of the cause (it is logged with its traceback)."""
    detail = "unexpected error; nothing was changed"
    page = _page_error(request, 500, detail, exc)
    return page if page is not None else JSONResponse(error_body("internal", detail), 500)


def _field_error(err: Any) -> dict[str, Any]:
    loc = [str(part) for part in err.get("loc", ())]
    if err.get("type") == "json_invalid":
        # FastAPI puts the character position where a field name would be.
        reason = err.get("ctx", {}).get("error", "")
        at = f" (character {loc[1]})" if len(loc) > 1 else ""
        return {"loc": ["body"], "msg": f"the body is not valid JSON: {reason}{at}"}
    return {"loc": loc, "msg": str(err.get("msg", ""))}


def _invalid_body(request: Request, reason: str) -> Response:
    """A body that cannot be read at all (bytes that are not UTF-8, broken multipart): 422."""
    errors = [{"loc": ["body"], "msg": reason}]
    page = _page_error(request, 422, f"body: {reason}", None)
    if page is not None:
        return page
    return JSONResponse(
        error_body("invalid_input", f"body: {reason}", errors=errors), status_code=422
    )


def _http_detail(request: Request, exc: StarletteHTTPException) -> str:
    """Starlette's bare phrases for an unknown route or method, said in words a client can use."""
    if exc.status_code == 404 and exc.detail == "Not Found":
        return f"no such route: {request.url.path}"
    if exc.status_code == 405 and exc.detail == "Method Not Allowed":
        return f"{request.method} is not allowed on {request.url.path}"
    return str(exc.detail)


class CatchUnexpected:
    """Answers an exception no handler took with a JSON 500 (or page) on the same connection.

    Starlette's own last-resort handler answers and then re-raises, which makes uvicorn close
    a kept-alive connection; here the exception stops, once logged with its traceback.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = finished = False

        async def watched(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if finished:
                return  # the answer went out whole (a background task failed after it)
            if started:
                raise  # half an answer: only closing the connection tells the client
            await unexpected_answer(Request(scope, receive), exc)(scope, receive, send)


def install(app: FastAPI) -> None:
    """Register the handlers that map every error to JSON (or to a page, on pages)."""

    @app.exception_handler(DossierError)
    async def _domain(request: Request, exc: DossierError) -> Response:
        status = next((STATUS[k] for k in type(exc).__mro__ if k in STATUS), 400)
        page = _page_error(request, status, exc.detail, exc)
        if page is not None:
            return page
        extra: dict[str, Any] = {}
        if isinstance(exc, NotAllowed):
            extra["allowed_actions"] = exc.allowed_actions
        extra.update(getattr(exc, "extra", {}))
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        return JSONResponse(
            error_body(exc.code, exc.detail, **extra), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [_field_error(err) for err in exc.errors()]
        detail = "; ".join(
            f"{'.'.join(e['loc'][1:]) or e['loc'][0] if e['loc'] else 'body'}: {e['msg']}"
            for e in errors
        )
        page = _page_error(request, 422, detail or "invalid input", exc)
        if page is not None:
            return page
        return JSONResponse(
            error_body("invalid_input", detail or "invalid input", errors=errors), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:
            # FastAPI and Starlette answer 400 to a body they cannot parse; malformed is 422.
            return _invalid_body(request, UNREADABLE.get(str(exc.detail), str(exc.detail)))
        detail = _http_detail(request, exc)
        page = _page_error(request, exc.status_code, detail, exc)
        if page is not None:
            return page
        code = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthorized",
            403: "forbidden",
            413: "too_large",
            415: "unsupported_media_type",
        }.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, detail),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Reached only from outside CatchUnexpected (a failing middleware).
        log.exception("unexpected error", exc_info=exc)
        return unexpected_answer(request, exc)
