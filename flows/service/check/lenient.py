"""Reading rows that may have been edited by hand: a value that does not parse is returned
as its raw text (which no stored hash matches) instead of failing the whole read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Text, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from models.types import UtcDateTime


class Unparsed(str):
    """The raw text of a stored value that is not what its column holds."""


class LenientInstant(TypeDecorator[Any]):
    """An aware UTC instant, or the stored text as Unparsed (SQLite stores any text)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Raw text on SQLite (parsed here), the native type elsewhere (the server checks it)."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Parse SQLite's text; give an unparseable one back as Unparsed."""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return Unparsed(value)
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value


class LenientJSON(TypeDecorator[Any]):
    """A JSON value, or the stored text as Unparsed when it is not JSON."""

    impl = Text
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Decode text (PostgreSQL's driver hands back values already decoded)."""
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return Unparsed(value)
        return value


def lenient(column: Any) -> ColumnElement[Any]:
    """The column, read leniently if its stored text may fail to parse, under its own name."""
    kind = column.type
    if isinstance(kind, UtcDateTime | DateTime):
        return type_coerce(column, LenientInstant()).label(column.key)
    if isinstance(kind, JSON):
        return type_coerce(column, LenientJSON()).label(column.key)
    return column  # type: ignore[no-any-return]
