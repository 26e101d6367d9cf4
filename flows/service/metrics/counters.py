"""Adding to the counters: per day, per month and all time, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from flows.service.metrics.facts import Key
from models.metric_count import MetricCount

DAY, MONTH, ALL = "day", "month", "all"
ALL_TIME = date(1, 1, 1)  # the `day` of the all-time counters
KEY_COLUMNS = (
    "fact",
    "grain",
    "day",
    "procedure",
    "receiving_agency",
    "agency",
    "category",
    "timeliness",
    "working_days",
)
NAMES = [*KEY_COLUMNS, "count"]
CHUNK = 5000
TABLE: Table = MetricCount.__table__  # type: ignore[attr-defined]


def first_of_month(day: date) -> date:
    """The first day of the day's month (the `day` of a month counter)."""
    return day.replace(day=1)


def expand(counts: Mapping[Key, int]) -> dict[tuple[Any, ...], int]:
    """The changes per counter row: each key counts on its day, its month and all time."""
    rows: dict[tuple[Any, ...], int] = {}
    for key, delta in counts.items():
        if delta == 0:
            continue
        fact, day, *rest = key
        for grain, first in ((DAY, day), (MONTH, day.replace(day=1)), (ALL, ALL_TIME)):
            row = (fact, grain, first, *rest)
            rows[row] = rows.get(row, 0) + delta
    return rows


def add_counts(target: Session | Connection, counts: Mapping[Key, int]) -> None:
    """Add the (possibly negative) counts to the counters, inside the caller's transaction.

    Rows are written in key order, so two transactions touching the same counters always
    lock them in the same order (no deadlock on PostgreSQL).
    """
    connection = target.connection() if isinstance(target, Session) else target
    dialect = connection.dialect
    to_date = TABLE.c["day"].type.dialect_impl(dialect).bind_processor(dialect)
    rows = [
        (fact, grain, day if to_date is None else to_date(day), *rest, delta)
        for (fact, grain, day, *rest), delta in sorted(expand(counts).items())
        if delta != 0
    ]
    if not rows:
        return
    sql, order = _upsert(dialect)
    if order is None:
        params: list[Any] = [dict(zip(NAMES, row, strict=True)) for row in rows]
    elif order == list(range(len(NAMES))):
        params = rows
    else:
        params = [tuple(row[i] for i in order) for row in rows]
    for start in range(0, len(params), CHUNK):
        connection.exec_driver_sql(sql, params[start : start + CHUNK])


_UPSERTS: dict[tuple[str, str], tuple[str, list[int] | None]] = {}


def _upsert(dialect: Dialect) -> tuple[str, list[int] | None]:
    """The dialect's "add to the counter" statement, compiled once, and the order of its
    positional parameters (None: named ones)."""
    key = (dialect.name, str(dialect.paramstyle))
    if key not in _UPSERTS:
        _UPSERTS[key] = _compile_upsert(dialect)
    return _UPSERTS[key]


def _compile_upsert(dialect: Dialect) -> tuple[str, list[int] | None]:
    insert = postgresql_insert if dialect.name == "postgresql" else sqlite_insert
    statement = insert(TABLE)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={"count": TABLE.c["count"] + statement.excluded["count"]},
    )
    compiled = statement.compile(dialect=dialect, column_keys=NAMES)
    if not compiled.positional:
        return str(compiled), None
    return str(compiled), [NAMES.index(name) for name in compiled.positiontup or []]


def difference(before: Mapping[Key, int], after: Mapping[Key, int]) -> dict[Key, int]:
    """What changed between two contributions of the same dossier (after minus before)."""
    changes = {key: after.get(key, 0) - count for key, count in before.items()}
    for key, count in after.items():
        if key not in before:
            changes[key] = count
    return {key: delta for key, delta in changes.items() if delta}
