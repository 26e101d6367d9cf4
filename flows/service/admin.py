"""Administration: reference agencies and API tokens."""

from __future__ import annotations

import secrets

from sqlalchemy import Engine

from flows.errors import InvalidInput
from flows.procedures.agencies import REFERENCE_AGENCIES
from models.agency import Agency
from models.db import write_session
from models.token import ApiToken, hash_token

ROLES = ("handler", "leader", "manager", "agency", "admin")


def ensure_reference_agencies(engine: Engine) -> int:
    """Insert the reference agencies that are missing; never overwrites an admin's edits."""
    added = 0
    with write_session(engine) as session:
        for data in REFERENCE_AGENCIES:
            if session.get(Agency, data["code"]) is None:
                session.add(Agency.model_validate(data))
                added += 1
    return added


def create_token(engine: Engine, *, role: str, name: str, agency: str | None = None,
                 email: str = "") -> str:
    """A new random token for a user; only its SHA-256 is stored, so it is shown once."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of: {', '.join(ROLES)}")
    if not name.strip():
        raise InvalidInput("name must not be empty")
    if (role == "agency") != bool(agency):
        raise InvalidInput("an agency token needs --agency, and only agency tokens take one")
    token = secrets.token_urlsafe(32)
    with write_session(engine) as session:
        if agency and session.get(Agency, agency) is None:
            raise InvalidInput(f"unknown agency {agency!r}")
        session.add(ApiToken(name=name.strip(), role=role, agency_code=agency, email=email,
                             token_hash=hash_token(token)))
    return token
