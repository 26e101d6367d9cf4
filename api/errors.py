"""The one place where errors become HTTP answers: {"error": CODE, "detail": TEXT}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def error_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The JSON shape of every error."""
    return {"error": code, "detail": detail, **extra}


def _page_error(request: Request, status: int, detail: str, exc: Exception) -> Response | None:
    """On pages, the error is a readable page (or the sign-in form), never a JSON body."""
    from api.web.errors import error_page, wants_page  # the pages import this module

    return error_page(request, status, detail, exc) if wants_page(request) else None


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
        errors = [
            {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))}
            for err in exc.errors()
        ]
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
        page = _page_error(request, exc.status_code, str(exc.detail), exc)
        if page is not None:
            return page
        code = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthorized",
            403: "forbidden",
            413: "too_large",
        }.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error", exc_info=exc)
        page = _page_error(request, 500, "unexpected error; nothing was changed", exc)
        if page is not None:
            return page
        return JSONResponse(
            error_body("internal", "unexpected error; nothing was changed"), status_code=500
        )
