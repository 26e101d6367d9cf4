"""CSV of a table: UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly),
commas, a Vietnamese header row, dates as ISO `YYYY-MM-DD`; written a few hundred rows at a
time, so a long table never sits in memory whole."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from flows.reports.tables import Table

BOM = "\ufeff"
MEDIA_TYPE = "text/csv; charset=utf-8"
ROWS_PER_CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting so would be run as a formula by a spreadsheet: it gets a leading '."""


def csv_cell(value: Any) -> str:
    """One cell as CSV text: empty for None, ISO dates, plain numbers, text made inert."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_chunks(table: Table, rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[bytes]:
    """The table as UTF-8 CSV (BOM first, header row next), in chunks of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(table.headers)
    for count, row in enumerate(table.rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    rest = buffer.getvalue()
    if rest:
        yield rest.encode("utf-8")
