"""Dependencies: the database engine, the clock, and the authenticated caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from api.errors import Unauthorized
from flows.engine.state import Actor
from flows.errors import Forbidden, InvalidInput
from flows.service.users import actor_of, resolve_token


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
    """The authenticated actor; `scope` keeps idempotency keys apart per credential."""

    actor: Actor
    user_id: int
    scope: str

    @property
    def role(self) -> str:
        """The caller's role."""
        return self.actor.role


bearer = HTTPBearer(auto_error=False, description="An API token: `ngo-review token create`.")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def current_caller(engine: EngineDep, now: NowDep, credentials: BearerDep) -> Caller:
    """The caller named by the bearer token, or 401 (unknown, revoked, expired, disabled)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send Authorization: Bearer <token>")
    found = resolve_token(engine, credentials.credentials.strip(), now)
    if found is None:
        raise Unauthorized("unknown, revoked or expired token")
    user, token_id = found
    assert user.id is not None
    return Caller(actor_of(user), user_id=user.id, scope=str(token_id))


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
