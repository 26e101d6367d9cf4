"""Dependencies: the database engine, the clock, and the authenticated caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import Engine
from sqlmodel import col, select

from api.errors import Unauthorized
from flows.engine.state import Actor
from flows.errors import Forbidden, InvalidInput
from models.db import read_session
from models.token import ApiToken, hash_token


def get_engine(request: Request) -> Engine:
    """The database engine the app was created with."""
    engine: Engine = request.app.state.engine
    return engine


def get_now(request: Request) -> datetime:
    """The current instant from the app's injected clock."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


EngineDep = Annotated[Engine, Depends(get_engine)]
NowDep = Annotated[datetime, Depends(get_now)]


@dataclass(frozen=True)
class Caller:
    """The authenticated actor, with the id of the token used (scopes idempotency keys)."""

    actor: Actor
    token_id: int

    @property
    def role(self) -> str:
        """The caller's role."""
        return self.actor.role


def current_caller(
    engine: EngineDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Caller:
    """The caller named by the bearer token, or 401."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("send Authorization: Bearer <token>")
    token = authorization[7:].strip()
    with read_session(engine) as session:
        row = session.exec(select(ApiToken).where(
            ApiToken.token_hash == hash_token(token),
            col(ApiToken.revoked_at).is_(None))).first()
    if row is None or row.id is None:
        raise Unauthorized("unknown or revoked token")
    return Caller(Actor(name=row.name, role=row.role, agency=row.agency_code), token_id=row.id)


CallerDep = Annotated[Caller, Depends(current_caller)]


def require(*roles: str) -> Callable[[Caller], Caller]:
    """A dependency that lets only the given roles through (403 otherwise)."""

    def check(caller: CallerDep) -> Caller:
        if caller.role not in roles:
            raise Forbidden(f"role {caller.role!r} may not do this; needs: {', '.join(roles)}")
        return caller

    return check


def parse_if_match(value: str | None) -> int | None:
    """The dossier version in an If-Match header ("3", W/"3" or 3)."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput("If-Match must be the dossier's version, as given in its ETag")
    return int(text)
