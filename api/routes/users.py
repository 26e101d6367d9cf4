"""Users, API tokens and the administration audit trail (administrators); all audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from api.deps import Caller, EngineDep, NowDep, require
from flows.service import users
from flows.service.admin_audit import list_admin_events
from models.schemas import (
    AdminEventPublic,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)

router = APIRouter(tags=["users and tokens"])
# Token ids are 32-bit integers in both databases; a larger one is a 422, not an overflow.
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The token's id.", examples=[7])]
Admin = Annotated[Caller, Depends(require("admin"))]
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "administrators only"},
    404: {"description": "no such user or token"},
    409: {"description": "taken or disabled"},
}


@router.get("/users", response_model=list[UserPublic], responses=ERRORS)
def list_users(_: Admin, engine: EngineDep) -> list[UserPublic]:
    """Every user, by username."""
    return users.list_users(engine)


@router.post("/users", status_code=201, response_model=UserPublic, responses=ERRORS)
def create_user(body: UserCreate, caller: Admin, engine: EngineDep, now: NowDep) -> UserPublic:
    """Add a user; the password is stored as an Argon2 hash."""
    if body.agency == "":  # no agency, not an agency coded "" (which none is)
        body = body.model_copy(update={"agency": None})
    return users.create_user(engine, body, caller.actor, now)


@router.get("/users/{username}", response_model=UserPublic, responses=ERRORS)
def get_user(username: str, _: Admin, engine: EngineDep) -> UserPublic:
    """One user."""
    return users.get_user(engine, username)


@router.patch("/users/{username}", response_model=UserPublic, responses=ERRORS)
def update_user(
    username: str, body: UserUpdate, caller: Admin, engine: EngineDep, now: NowDep
) -> UserPublic:
    """Change role, agency, e-mail, language or name; disable; reset the password."""
    if body.agency == "":  # no agency, not an agency coded "" (which none is)
        body = body.model_copy(update={"agency": None})
    return users.update_user(engine, username, body, caller.actor, now)


@router.get("/tokens", response_model=list[TokenPublic], responses=ERRORS)
def list_tokens(
    _: Admin, engine: EngineDep, username: Annotated[str | None, Query(max_length=80)] = None
) -> list[TokenPublic]:
    """Every token's metadata (never its secret), newest first."""
    return users.list_tokens(engine, username)


@router.post("/tokens", status_code=201, response_model=TokenCreated, responses=ERRORS)
def create_token(body: TokenCreate, caller: Admin, engine: EngineDep, now: NowDep) -> TokenCreated:
    """A new token for a user; the secret is in this answer only."""
    return users.create_token_for(
        engine,
        body.username,
        name=body.name,
        expires_days=body.expires_days,
        actor=caller.actor,
        now=now,
    )


@router.delete("/tokens/{token_id}", response_model=TokenPublic, responses=ERRORS)
def revoke_token(token_id: TokenId, caller: Admin, engine: EngineDep, now: NowDep) -> TokenPublic:
    """Revoke a token at once."""
    return users.revoke_token(engine, token_id, caller.actor, now)


@router.get("/admin/events", response_model=list[AdminEventPublic], responses=ERRORS)
def admin_events(
    _: Admin,
    engine: EngineDep,
    entity: Annotated[
        str | None,
        Query(
            max_length=40,
            description="user, token, agency, calendar or procedure",
            examples=["user"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AdminEventPublic]:
    """The administration audit trail, newest first: actor, entity, before and after."""
    return [
        AdminEventPublic.model_validate(e, from_attributes=True)
        for e in list_admin_events(engine, entity=entity or None, limit=limit)
    ]
