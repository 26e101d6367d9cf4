"""Idempotency-Key support: a retried request gets the first answer and changes nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from flows.errors import Conflict
from models.idempotency import IdempotencyRecord


@dataclass(frozen=True)
class IdempotencyKey:
    """Who asked (scope: caller and route), their key, and a hash of what they sent."""

    scope: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, scope: str, key: str, body: Any) -> IdempotencyKey:
        """Build from the request body (hashed canonically)."""
        blob = json.dumps(body, sort_keys=True, default=str, ensure_ascii=False).encode()
        return cls(scope=scope, key=key, fingerprint=hashlib.sha256(blob).hexdigest())


def stored_answer(session: Session, idem: IdempotencyKey | None) -> dict[str, Any] | None:
    """The body stored for this key, if the request was already done."""
    if idem is None:
        return None
    row = session.get(IdempotencyRecord, (idem.scope, idem.key))
    if row is None:
        return None
    if row.fingerprint != idem.fingerprint:
        raise Conflict("this Idempotency-Key was already used with a different request")
    return row.body


def store_answer(
    session: Session,
    idem: IdempotencyKey | None,
    status_code: int,
    body: dict[str, Any],
    now: datetime,
) -> None:
    """Remember the answer, in the same transaction as the change it describes."""
    if idem is not None:
        session.add(
            IdempotencyRecord(
                scope=idem.scope,
                key=idem.key,
                fingerprint=idem.fingerprint,
                status_code=status_code,
                body=body,
                created_at=now,
            )
        )
