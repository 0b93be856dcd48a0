"""Tables to files: CSV as a stream of chunks, XLSX written row by row to a file. Memory stays flat either way.

* CSV: UTF-8 with a byte-order mark (so that Excel reads the diacritics), comma-separated, CRLF line ends,
  times as ``dd/mm/yyyy HH:MM`` (local time, 24-hour: the way every date is written here). Produced by a generator,
  a chunk every few hundred rows.
* XLSX: openpyxl's write-only workbook, which streams rows to a temporary file instead of keeping cells in memory;
  times are real date-time cells shown ``dd/mm/yyyy hh:mm`` (24-hour), and each column is as wide as its header and
  the first rows need (within bounds).

Both defuse spreadsheet formulas: a text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage
return) is written as text, never evaluated (in CSV it gets a leading apostrophe, the OWASP recipe), because
case titles come from the public (press inquiries).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

from app.reports.columns import Cell

BOM = "\ufeff"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_CHUNK = 500
XLSX_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"  # Excel: 24-hour unless AM/PM is in the format
WIDTH_SAMPLE_ROWS = 200  # the column widths are judged on the header and the first rows
MIN_WIDTH, MAX_WIDTH = 8, 60
DATETIME_WIDTH = 17
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d} {value.hour:02d}:{value.minute:02d}"
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
    # openpyxl is imported here, by the XLSX exports only: at the top it cost every process (the app, each test
    # worker, the CLI) about 0.1 s of CPU at start-up.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    count = 0
    for table in sheets:
        sheet = workbook.create_sheet(title=table.title[:31])
        sheet.freeze_panes = "A2"
        rows = iter(table.rows)
        sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
        for index, width in enumerate(column_widths(table.header, sample), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        new_cell = partial(WriteOnlyCell, sheet)
        header_cells = []
        for name in table.header:
            cell = new_cell(value=name)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in chain(sample, rows):
            sheet.append([_xlsx_cell(new_cell, ILLEGAL_CHARACTERS_RE, v) for v in row])
            count += 1
    workbook.save(target)
    return count


def _width(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return DATETIME_WIDTH
    return len(str(value)) + 2


def column_widths(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[int]:
    """Each column's width in characters: enough for its header and its longest value among ``rows``, between
    ``MIN_WIDTH`` and ``MAX_WIDTH`` (a long title wraps in Excel rather than making the sheet unreadable)."""
    widths = [len(name) + 2 for name in header]
    for row in rows:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], _width(value))
    return [min(max(w, MIN_WIDTH), MAX_WIDTH) for w in widths]


def file_chunks(file: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """Read a file out in chunks, and close it at the end (or when the reader stops early)."""
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()


def _xlsx_cell(new_cell: Callable[..., Any], illegal: re.Pattern[str], value: Cell) -> object:
    """A value as openpyxl writes it: ``new_cell`` makes a write-only cell of the sheet; ``illegal`` matches the
    characters a worksheet cannot hold."""
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        cell = new_cell(value=value)
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    clean: str = illegal.sub("", value)
    if clean.startswith(_FORMULA_START):
        cell = new_cell(value=clean)
        cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
        return cell
    return clean
