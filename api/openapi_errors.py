"""The error answers in the OpenAPI document: every operation declares its 4xx/5xx, one schema."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from api.limits import UNSHED_PATHS
from models.import_schemas import ImportProblem

REF = "#/components/schemas/{model}"
WRITES = frozenset({"post", "put", "patch", "delete"})


class ErrorBody(BaseModel):
    """Every error answer: a stable machine code, a sentence for people, and at times more."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"error": "not_found", "detail": "no dossier 42"}]},
    )

    error: str = Field(
        description="Stable machine-readable code: `unauthorized`, `forbidden`, `not_found`, "
        "`not_allowed` (with `allowed_actions`), `conflict`, `version_mismatch`, `too_large`, "
        "`invalid_input`, `internal`, `overloaded`, ..."
    )
    detail: str = Field(description="What is wrong, in words.")


class FieldError(BaseModel):
    """One invalid part of a request."""

    loc: list[str] = Field(
        description="Where: `body`, `query`, `path` or `header`, then the field names.",
        examples=[["body", "applicant", "email"]],
    )
    msg: str = Field(description="What is wrong with it.")


class ValidationErrorBody(ErrorBody):
    """422: the input is malformed (not JSON, a wrong type) or breaks a rule."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": "invalid_input",
                    "detail": "applicant.email: value is not a valid email address",
                    "errors": [{"loc": ["body", "applicant", "email"], "msg": "not an e-mail"}],
                }
            ]
        }
    )

    errors: list[FieldError] = Field(
        default_factory=list, description="Each invalid field, when the fault is in one."
    )


class ImportErrorBody(ErrorBody):
    """422 of an import: nothing was imported; each bad cell, row or header."""

    errors: list[ImportProblem]


DESCRIPTIONS: dict[int, str] = {
    401: "no token, or one that is unknown, revoked or expired (`unauthorized`)",
    403: "the caller's role may not do this (`forbidden`)",
    404: "not found, or not visible to the caller (`not_found`)",
    409: "not allowed in the current state (`not_allowed`, naming `allowed_actions`), or in "
    "conflict with what exists or with a concurrent change (`conflict`)",
    412: "`If-Match` is not the current version (`version_mismatch`)",
    413: "the request body is larger than allowed (`too_large`)",
    422: "malformed or invalid input (`invalid_input`): not JSON, a wrong type, a broken rule",
    500: "unexpected error; nothing was changed (`internal`)",
    503: "too many requests in flight (`overloaded`): retry after `Retry-After` seconds",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}}


def expected_errors(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses any operation of this kind can answer, besides its own."""
    codes = [413, 500]
    if path not in UNSHED_PATHS:
        codes.append(503)
    if operation.get("parameters") or operation.get("requestBody") or operation.get("security"):
        codes.append(422)
    if operation.get("security"):
        codes += [401, 403, 404]
        if method in WRITES:
            codes.append(409)
    headers = {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}
    if "if-match" in headers:
        codes.append(412)
    return codes


def _error_schemas() -> dict[str, Any]:
    """ErrorBody, ValidationErrorBody and their parts, as OpenAPI component schemas."""
    _, document = models_json_schema(
        [(ErrorBody, "serialization"), (ValidationErrorBody, "serialization")], ref_template=REF
    )
    schemas: dict[str, Any] = document["$defs"]
    return schemas


def _declare(status: int, response: dict[str, Any], shed: bool) -> None:
    """Give one error response its description, its JSON schema and its headers."""
    response.setdefault("description", DESCRIPTIONS.get(status, "error"))
    model = "ValidationErrorBody" if status == 422 else "ErrorBody"
    content = response.setdefault("content", {})
    if content and "application/json" not in content:
        return  # a page's own error (an HTML page), declared by its route
    media = content.setdefault("application/json", {})
    ref = media.get("schema", {}).get("$ref", "")
    # FastAPI's own 422 schema is not the body we answer; a route's own schema is kept.
    if not media.get("schema") or ref.endswith("/HTTPValidationError"):
        media["schema"] = {"$ref": REF.format(model=model)}
    if status == 503 and shed:
        response.setdefault("headers", {}).update(RETRY_AFTER)
    if status == 401:
        response.setdefault("headers", {}).update(WWW_AUTHENTICATE)


def _refs(node: Any) -> set[str]:
    """Every `$ref` under `node`."""
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _drop_unused(document: dict[str, Any], names: tuple[str, ...]) -> None:
    """Remove component schemas nothing refers to any more (FastAPI's own 422 schemas)."""
    schemas = document.get("components", {}).get("schemas", {})
    for name in names:
        schema = schemas.pop(name, None)
        if schema is not None and REF.format(model=name) in _refs(document):
            schemas[name] = schema


def declare_errors(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every operation's error answers declared with the error schemas."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _error_schemas().items():
        components.setdefault(name, schema)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            for status in expected_errors(path, method, operation):
                responses.setdefault(str(status), {})
            for key, response in responses.items():
                if key.isdigit() and int(key) >= 400:
                    _declare(int(key), response, path not in UNSHED_PATHS)
            operation["responses"] = dict(sorted(responses.items()))
    _drop_unused(document, ("HTTPValidationError", "ValidationError"))
    return document


def install(app: FastAPI) -> None:
    """Make the app's OpenAPI document declare the error answers of every operation."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            # A copy: FastAPI's document shares dicts with the routes' `responses=`.
            app.openapi_schema = declare_errors(copy.deepcopy(generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
