"""Users, their sign-in (with lock-out) and their API tokens; every change is audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from flows.engine.state import Actor
from flows.errors import Conflict, InvalidInput, NotFound
from flows.service.admin_audit import record_admin
from flows.service.passwords import hash_password, verify_password
from models.agency import Agency
from models.db import read_session, write_session
from models.schemas import TokenCreated, TokenPublic, UserCreate, UserPublic, UserUpdate
from models.token import ApiToken, hash_token
from models.types import utcnow
from models.user import User

ROLES = ("handler", "leader", "manager", "agency", "admin")
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
LAST_USED_EVERY = timedelta(minutes=5)  # how often a token's last use is written down


def actor_of(user: User) -> Actor:
    """The engine's actor for a user: display name, role, agency."""
    return Actor(name=user.display_name, role=user.role, agency=user.agency_code)


def user_public(user: User) -> UserPublic:
    """The administrators' view of a user."""
    assert user.id is not None
    return UserPublic(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        agency=user.agency_code,
        email=user.email,
        language=user.language,
        active=user.active,
        locked_until=user.locked_until,
        created_at=user.created_at,
    )


def _snapshot(user: User) -> dict[str, Any]:
    """What the audit trail keeps of a user (never the hash)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "agency": user.agency_code,
        "email": user.email,
        "language": user.language,
        "active": user.active,
    }


def _check_role_agency(session: Session, role: str, agency: str | None) -> None:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of: {', '.join(ROLES)}")
    if (role == "agency") != bool(agency):
        raise InvalidInput("an agency user needs an agency, and only agency users have one")
    if agency and session.get(Agency, agency) is None:
        raise InvalidInput(f"unknown agency {agency!r}")


def _get(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def create_user(
    engine: Engine, data: UserCreate, actor: Actor, now: datetime | None = None
) -> UserPublic:
    """Add a user with an Argon2-hashed password; a taken username is a Conflict."""
    now = now or utcnow()
    password_hash = hash_password(data.password)
    try:
        with write_session(engine) as session:
            _check_role_agency(session, data.role, data.agency)
            if session.exec(select(User).where(User.username == data.username)).first():
                raise Conflict(f"the username {data.username!r} is taken")
            user = User(
                username=data.username,
                display_name=data.display_name,
                role=data.role,
                agency_code=data.agency,
                email=str(data.email),
                language=data.language,
                password_hash=password_hash,
                created_at=now,
            )
            session.add(user)
            session.flush()
            record_admin(
                session,
                actor=actor,
                entity="user",
                key=user.username,
                action="create",
                before=None,
                after=_snapshot(user),
                at=now,
            )
            return user_public(user)
    except IntegrityError as exc:
        raise Conflict(f"the username {data.username!r} is taken") from exc


def list_users(engine: Engine) -> list[UserPublic]:
    """Every user, by username."""
    with read_session(engine) as session:
        return [
            user_public(u) for u in session.exec(select(User).order_by(col(User.username))).all()
        ]


def get_user(engine: Engine, username: str) -> UserPublic:
    """One user, or NotFound."""
    with read_session(engine) as session:
        return user_public(_get(session, username))


def update_user(
    engine: Engine, username: str, changes: UserUpdate, actor: Actor, now: datetime | None = None
) -> UserPublic:
    """Change a user; disabling, a new role or a password reset ends their sessions."""
    now = now or utcnow()
    fields = changes.model_dump(exclude_unset=True)
    new_hash = hash_password(fields.pop("password")) if fields.get("password") else None
    fields.pop("password", None)
    with write_session(engine) as session:
        user = _get(session, username)
        before = _snapshot(user)
        role = fields.get("role", user.role)
        agency = (
            fields["agency"]
            if "agency" in fields
            else (user.agency_code if role == "agency" else None)
        )
        _check_role_agency(session, role, agency)
        for name in ("display_name", "language", "active"):
            if fields.get(name) is not None:
                setattr(user, name, fields[name])
        if fields.get("email") is not None:
            user.email = str(fields["email"])
        user.role, user.agency_code = role, agency
        ends_sessions = (
            new_hash is not None
            or before["role"] != user.role
            or before["agency"] != user.agency_code
            or (before["active"] and not user.active)
        )
        if new_hash is not None:
            user.password_hash = new_hash
            user.failed_logins, user.locked_until = 0, None
        if user.active and not before["active"]:
            user.failed_logins, user.locked_until = 0, None
        if ends_sessions:
            user.session_epoch += 1
        session.add(user)
        after = _snapshot(user)
        if new_hash is not None:
            after["password"] = "reset"
        record_admin(
            session,
            actor=actor,
            entity="user",
            key=user.username,
            action="update",
            before=before,
            after=after,
            at=now,
        )
        return user_public(user)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt."""

    user: User | None
    locked: bool = False


def authenticate(
    engine: Engine, username: str, password: str, now: datetime | None = None
) -> SignIn:
    """Check a password; after MAX_FAILED_LOGINS failures the account is locked for a while."""
    now = now or utcnow()
    with write_session(engine) as session:
        user = session.exec(select(User).where(User.username == username.strip())).first()
        if user is None:
            verify_password(password, "")  # same cost whether or not the user exists
            return SignIn(None)
        if user.locked_until is not None and user.locked_until > now:
            return SignIn(None, locked=True)
        if not user.active or not verify_password(password, user.password_hash):
            user.failed_logins += 1
            locked = user.failed_logins >= MAX_FAILED_LOGINS
            if locked:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
                record_admin(
                    session,
                    actor=Actor("system", "system"),
                    entity="user",
                    key=user.username,
                    action="lock",
                    before=None,
                    after={"locked_until": user.locked_until.isoformat()},
                    at=now,
                )
            session.add(user)
            return SignIn(None, locked=locked)
        user.failed_logins, user.locked_until = 0, None
        session.add(user)
        session.flush()
        session.expunge(user)
        return SignIn(user)


def session_user(engine: Engine, user_id: int, epoch: int) -> User | None:
    """The active user of a page session, if the session is still valid for them."""
    with read_session(engine) as session:
        user = session.get(User, user_id)
        if user is None or not user.active or user.session_epoch != epoch:
            return None
        return user


def _token_public(token: ApiToken, user: User) -> TokenPublic:
    assert token.id is not None
    return TokenPublic(
        id=token.id,
        username=user.username,
        name=token.name,
        role=user.role,
        agency=user.agency_code,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )


def issue_token(
    session: Session,
    user: User,
    *,
    name: str,
    expires_days: int | None,
    now: datetime,
    actor: Actor,
    secret: str | None = None,
) -> TokenCreated:
    """Add a token for a user in the caller's transaction; its secret is returned once."""
    assert user.id is not None
    secret = secret or secrets.token_urlsafe(32)
    expires = now + timedelta(days=expires_days) if expires_days else None
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(secret),
        created_at=now,
        expires_at=expires,
    )
    session.add(token)
    session.flush()
    record_admin(
        session,
        actor=actor,
        entity="token",
        key=str(token.id),
        action="create",
        before=None,
        after={
            "username": user.username,
            "name": name,
            "expires_at": expires.isoformat() if expires else None,
        },
        at=now,
    )
    return TokenCreated(**_token_public(token, user).model_dump(), token=secret)


def create_token_for(
    engine: Engine,
    username: str,
    *,
    name: str = "api",
    expires_days: int | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> TokenCreated:
    """A new token for an existing, active user."""
    now = now or utcnow()
    with write_session(engine) as session:
        user = _get(session, username)
        if not user.active:
            raise Conflict(f"the user {username!r} is disabled")
        return issue_token(
            session, user, name=name, expires_days=expires_days, now=now, actor=actor
        )


def list_tokens(engine: Engine, username: str | None = None) -> list[TokenPublic]:
    """Every token (never the secrets), newest first."""
    with read_session(engine) as session:
        query = select(ApiToken, User).where(col(ApiToken.user_id) == col(User.id))
        if username:
            query = query.where(User.username == username)
        rows = session.exec(query.order_by(col(ApiToken.id).desc())).all()
        return [_token_public(t, u) for t, u in rows]


def revoke_token(
    engine: Engine, token_id: int, actor: Actor, now: datetime | None = None
) -> TokenPublic:
    """Revoke a token at once; revoking twice changes nothing."""
    now = now or utcnow()
    with write_session(engine) as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            raise NotFound(f"no token {token_id}")
        user = session.get(User, token.user_id)
        assert user is not None
        if token.revoked_at is None:
            token.revoked_at = now
            session.add(token)
            record_admin(
                session,
                actor=actor,
                entity="token",
                key=str(token_id),
                action="revoke",
                before={"revoked_at": None},
                after={"revoked_at": now.isoformat()},
                at=now,
            )
        return _token_public(token, user)


def resolve_token(engine: Engine, secret: str, now: datetime) -> tuple[User, int] | None:
    """The active user of a valid (unrevoked, unexpired) token, and its id; notes its use."""
    with read_session(engine) as session:
        row = session.exec(
            select(ApiToken, User).where(
                ApiToken.token_hash == hash_token(secret),
                col(ApiToken.revoked_at).is_(None),
                col(ApiToken.user_id) == col(User.id),
            )
        ).first()
        if row is None:
            return None
        token, user = row
        if not user.active or (token.expires_at is not None and token.expires_at <= now):
            return None
        assert token.id is not None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        with write_session(engine) as session:
            used = session.get(ApiToken, token.id)
            if used is not None:
                used.last_used_at = now
                session.add(used)
    return user, token.id


def active_users(session: Session, roles: list[str]) -> list[User]:
    """Active users of the given roles (for notifications)."""
    return list(
        session.exec(
            select(User).where(col(User.active).is_(True), col(User.role).in_(roles))
        ).all()
    )
