"""Tables to files: CSV as a stream of chunks, XLSX written row by row to a file. Memory stays flat either way.

* CSV: UTF-8 with a byte-order mark (so that Excel reads the diacritics), comma-separated, CRLF line ends,
  times as ``YYYY-MM-DD HH:MM`` (local time). Produced by a generator, a chunk every few hundred rows.
* XLSX: openpyxl's write-only workbook, which streams rows to a temporary file instead of keeping cells in memory;
  times are real date-time cells.

Both defuse spreadsheet formulas: a text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage
return) is written as text, never evaluated (in CSV it gets a leading apostrophe, the OWASP recipe), because
case titles come from the public (press inquiries).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from app.reports.columns import Cell

BOM = "\ufeff"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_CHUNK = 500
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, int | float):
        return str(value)  # a number is never a formula: "-5" stays -5
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks: the BOM and the header first, then a chunk every ``ROWS_PER_CHUNK`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    pending = 0
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]


def write_xlsx(target: Path | IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str) -> int:
    """Write the table as a one-sheet workbook to ``target`` (a path or a binary file); returns the number of
    data rows."""
    return write_xlsx_sheets(target, [Sheet(title, header, rows)])


def write_xlsx_sheets(target: Path | IO[bytes], sheets: Sequence[Sheet]) -> int:
    """Write several tables, one sheet each (in write-only mode, row by row); returns the number of data rows."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    count = 0
    for table in sheets:
        sheet = workbook.create_sheet(title=table.title[:31])
        sheet.freeze_panes = "A2"
        header_cells = []
        for name in table.header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
            count += 1
    workbook.save(target)
    return count


def file_chunks(file: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """Read a file out in chunks, and close it at the end (or when the reader stops early)."""
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()


def _xlsx_cell(sheet: object, value: Cell) -> object:
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    clean: str = ILLEGAL_CHARACTERS_RE.sub("", value)
    if clean.startswith(_FORMULA_START):
        cell = WriteOnlyCell(sheet, value=clean)
        cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
        return cell
    return clean
