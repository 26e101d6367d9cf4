"""XLSX of tables: a sheet per table, Vietnamese titles, a bold frozen header row, column
widths, real date cells (`DD/MM/YYYY`) and percentages. openpyxl's write-only mode streams the
rows to temporary files as they come; the workbook is then handed back as a temporary file."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from flows.reports.tables import Kind, Table

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
MONTH_FORMAT = "MM/YYYY"
PERCENT_FORMAT = "0.0%"
IN_MEMORY_BYTES = 4 * 1024 * 1024  # a larger workbook spills to disk
CHUNK_BYTES = 64 * 1024
_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F3F6F9")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
HEADER_BORDER = Border(bottom=Side(style="thin", color="9AA6B2"))


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\."""
    base = title.translate(_FORBIDDEN).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _cell(sheet: WriteOnlyWorksheet, value: Any, kind: Kind) -> Any:
    """A value as it is (numbers, plain text), or a cell with its format (dates, shares) or
    forced to text (text that a spreadsheet would take for a formula)."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, str):
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text such as "=..." from outside stays text, never a formula
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = MONTH_FORMAT if kind == "month" else DATE_FORMAT
    elif isinstance(value, float) and kind in ("percent", "mixed"):
        cell.number_format = PERCENT_FORMAT
    return cell


def write_sheet(sheet: WriteOnlyWorksheet, table: Table) -> None:
    """The table's header row (bold, frozen) and rows, with the columns' widths."""
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for title in table.headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment, cell.border = HEADER_ALIGNMENT, HEADER_BORDER
        header.append(cell)
    sheet.append(header)
    kinds = [column.kind for column in table.columns]
    for row in table.rows:
        sheet.append([_cell(sheet, value, kind) for value, kind in zip(row, kinds, strict=True)])


def write_xlsx(tables: Sequence[Table]) -> IO[bytes]:
    """The workbook in a temporary file, rewound; the caller closes it."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for table in tables:
        write_sheet(workbook.create_sheet(sheet_title(table.title, taken)), table)
    target = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)
    try:
        workbook.save(target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def file_chunks(source: IO[bytes], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """A file's bytes in chunks; the file is closed at the end (or when the reader stops)."""
    try:
        while chunk := source.read(size):
            yield chunk
    finally:
        source.close()
