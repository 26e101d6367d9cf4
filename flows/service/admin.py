"""Administration: reference agencies, and tokens for named users (CLI and tests)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Engine
from sqlmodel import Session, select

from flows.engine.state import Actor
from flows.errors import InvalidInput
from flows.procedures.agencies import REFERENCE_AGENCIES
from flows.service.admin_audit import record_admin
from flows.service.users import ROLES, issue_token
from models.agency import Agency
from models.db import write_session
from models.types import utcnow
from models.user import User

CLI = Actor("ngo-review CLI", "admin")


def ensure_reference_agencies(engine: Engine) -> int:
    """Insert the reference agencies that are missing; never overwrites an admin's edits.

    An agency stored before provinces and fields were kept gets the reference mapping once
    (only while it has neither).
    """
    added = 0
    with write_session(engine) as session:
        for data in REFERENCE_AGENCIES:
            found = session.get(Agency, data["code"])
            if found is None:
                session.add(Agency.model_validate(data))
                added += 1
            elif not found.provinces and not found.activity_fields:
                if data.get("provinces") or data.get("activity_fields"):
                    found.provinces = list(data.get("provinces", []))
                    found.activity_fields = list(data.get("activity_fields", []))
                    session.add(found)
    return added


def username_for(name: str) -> str:
    """An ASCII sign-in name made from a person's name: "Nguyễn Văn An" → nguyen.van.an."""
    text = name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", ".", text).strip(".")[:70] or "user"


def find_or_create_user(
    session: Session,
    *,
    role: str,
    name: str,
    agency: str | None,
    email: str = "",
    username: str | None = None,
) -> User:
    """The user with this name, role and agency, created (without a password) if missing."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of: {', '.join(ROLES)}")
    if not name.strip():
        raise InvalidInput("name must not be empty")
    if (role == "agency") != bool(agency):
        raise InvalidInput("an agency token needs --agency, and only agency tokens take one")
    if agency and session.get(Agency, agency) is None:
        raise InvalidInput(f"unknown agency {agency!r}")
    user = session.exec(
        select(User).where(
            User.display_name == name.strip(), User.role == role, User.agency_code == agency
        )
    ).first()
    if user is None:
        base = username or username_for(name)
        candidate, n = base, 1
        while session.exec(select(User).where(User.username == candidate)).first():
            n += 1
            candidate = f"{base}.{n}"
        user = User(
            username=candidate,
            display_name=name.strip(),
            role=role,
            agency_code=agency,
            email=email,
            created_at=utcnow(),
        )
        session.add(user)
        session.flush()
        record_admin(
            session,
            actor=CLI,
            entity="user",
            key=candidate,
            action="create",
            before=None,
            after={
                "username": candidate,
                "display_name": user.display_name,
                "role": role,
                "agency": agency,
                "email": email,
                "language": user.language,
                "active": True,
            },
            at=user.created_at,
        )
    elif email and not user.email:
        user.email = email
        session.add(user)
    return user


def create_token(
    engine: Engine,
    *,
    role: str,
    name: str,
    agency: str | None = None,
    email: str = "",
    expires_days: int | None = None,
) -> str:
    """A new random token for the named user (created if missing); shown once, stored hashed."""
    now = utcnow()
    with write_session(engine) as session:
        user = find_or_create_user(session, role=role, name=name, agency=agency, email=email)
        return issue_token(
            session, user, name="cli", expires_days=expires_days, now=now, actor=CLI
        ).token
