"""Reading an import file: CSV (UTF-8, header row) or XLSX (first sheet, header row)."""

from __future__ import annotations

import csv
import io
from collections.abc import Generator, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Problem:
    """A bad cell, row or header, before it becomes the API's `ImportProblem`."""

    file: str
    line: int
    column: str
    reason: str


@dataclass
class Table:
    """One file: its name, its header, and its non-blank rows (read as they are consumed)."""

    name: str
    header: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    problems: list[Problem] = field(default_factory=list)
    _lines: Generator[tuple[int, list[str]], None, None] | None = None

    def close(self) -> None:
        """Stop reading (the file itself stays open: it belongs to the caller)."""
        if self._lines is not None:
            self._lines.close()


class Unreadable(Exception):
    """The file is not a CSV or XLSX file we can read."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


def _cell(value: Any) -> str:
    """An XLSX cell as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == time.min:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(name: str, stream: IO[bytes]) -> Generator[tuple[int, list[str]], None, None]:
    from openpyxl import load_workbook  # imported when needed: slow to import

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise Unreadable(Problem(name, 1, "", f"not a readable XLSX file ({exc})")) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        workbook.close()


def _csv_rows(name: str, stream: IO[bytes]) -> Generator[tuple[int, list[str]], None, None]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        for values in reader:
            yield reader.line_num, [v.strip() for v in values]
    except UnicodeDecodeError as exc:
        raise Unreadable(
            Problem(name, reader.line_num + 1, "", "not UTF-8 text: save the file as CSV UTF-8")
        ) from exc
    except csv.Error as exc:
        raise Unreadable(Problem(name, reader.line_num, "", f"not valid CSV ({exc})")) from exc
    finally:
        with suppress(ValueError):  # already closed: nothing to give back
            text.detach()


def read_table(name: str, stream: IO[bytes], known: tuple[str, ...]) -> Table:
    """The file's header (checked against the known columns) and an iterator of its rows.

    Rows come as (line number, {column: text}); a row with more cells than the header has
    columns is reported in `problems` and skipped. Raises Unreadable for a damaged file.
    """
    head = stream.read(4)
    stream.seek(0)
    xlsx = name.lower().endswith(".xlsx") or head == XLSX_MAGIC
    lines = _xlsx_rows(name, stream) if xlsx else _csv_rows(name, stream)
    table = Table(name, [], iter(()), _lines=lines)
    for number, values in lines:
        if any(values):
            table.header = [v.strip().lower() for v in values]
            while table.header and not table.header[-1]:
                table.header.pop()
            seen: set[str] = set()
            for column in table.header:
                if column not in known:
                    reason = f"unknown column; known: {', '.join(known)}"
                    table.problems.append(Problem(name, number, column, reason))
                elif column in seen:
                    table.problems.append(Problem(name, number, column, "column given twice"))
                seen.add(column)
            break
    else:
        table.problems.append(
            Problem(name, 1, "", "empty file: the first row must name the columns")
        )
    table.rows = _rows(table, lines)
    return table


def _rows(
    table: Table, lines: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, dict[str, str]]]:
    width = len(table.header)
    for number, values in lines:
        if not any(values):
            continue
        if any(values[width:]):
            reason = f"{len(values)} cells but {width} columns"
            table.problems.append(Problem(table.name, number, "", reason))
            continue
        yield number, dict(zip(table.header, values, strict=False))
