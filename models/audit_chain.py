"""The audit trails' hash chains: each event's SHA-256 covers its content and the previous hash.

Migration 0009 holds a copy of these functions (migrations must not follow later changes of
app code); a change here that alters any hash breaks every stored chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64  # what the first event of a chain names as its predecessor

# The fields each chain covers, as stored: the hash proves them unchanged.
DOSSIER_FIELDS = (
    "dossier_id",
    "at",
    "actor",
    "actor_role",
    "action",
    "from_status",
    "to_status",
    "details",
)
ADMIN_FIELDS = ("at", "actor", "actor_role", "entity", "entity_key", "action", "before", "after")


def instant(at: datetime) -> str:
    """An instant as ISO-8601 in UTC with microseconds: one spelling per instant."""
    if at.tzinfo is None:  # SQLite hands back naive UTC
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text as is: the same bytes for the same content."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def as_stored(value: Any) -> Any:
    """A JSON value as the database gives it back (tuples as lists, keys as strings), so
    that the hash written is the hash recomputed from the stored row."""
    return json.loads(json.dumps(value))


def chain_hash(event: Mapping[str, Any], fields: tuple[str, ...], prev_hash: str) -> str:
    """The hex SHA-256 of the event's `fields` and its predecessor's hash."""
    content = {
        name: instant(event[name]) if isinstance(event[name], datetime) else event[name]
        for name in fields
    }
    content["prev_hash"] = prev_hash
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def content_of(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The chained fields of an ORM object or a result row, by name."""
    return {name: getattr(row, name) for name in fields}


def first_event(event: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """A chain's first event (an imported dossier's), with its prev_hash and hash added."""
    return {**event, "prev_hash": GENESIS, "hash": chain_hash(event, fields, GENESIS)}
