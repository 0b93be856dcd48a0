"""The export's cells and files: CSV text (BOM, local times, formulas defused) and XLSX cells."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.reports.columns import Cell
from app.reports.formats import csv_chunks, write_xlsx

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

CSV_CELLS = [
    ("plain text", "Trường THCS", "Trường THCS"),
    ("empty", None, ""),
    ("local time, dd/mm/yyyy 24-hour", datetime(2026, 11, 27, 9, 5), "27/11/2026 09:05"),
    ("afternoon", datetime(2026, 12, 3, 17, 40), "03/12/2026 17:40"),
    ("formula", "=1+2", "'=1+2"),
    ("plus", "+84 90", "'+84 90"),
    ("minus", "-5", "'-5"),
    ("at", "@SUM(A1)", "'@SUM(A1)"),
    ("comma and quote", 'Báo "Tuổi Trẻ", TP.HCM', 'Báo "Tuổi Trẻ", TP.HCM'),
    ("newline kept in the cell", "dòng 1\ndòng 2", "dòng 1\ndòng 2"),
]


@pytest.mark.parametrize(("value", "expected"), [c[1:] for c in CSV_CELLS], ids=[c[0] for c in CSV_CELLS])
def test_csv_cells(value: str | datetime | None, expected: str) -> None:
    data = b"".join(csv_chunks(["A"], [[value]]))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["A"], [expected]]


def test_csv_comes_in_chunks() -> None:
    chunks = list(csv_chunks(["A", "B"], ([str(i), "x"] for i in range(1200))))
    assert len(chunks) == 3  # 500 + 500 + 200 rows
    assert b"".join(chunks).count(b"\r\n") == 1201


def test_xlsx_cells(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows: list[list[str | datetime | None]] = [["=SUM(1,2)", datetime(2026, 11, 27, 9, 5), None, "Đà Nẵng\x01"]]
    assert write_xlsx(path, ["Công thức", "Thời điểm", "Trống", "Ký tự lạ"], rows, title="Vụ việc") == 1
    sheet = load_workbook(path).active
    assert sheet.title == "Vụ việc"
    assert [c.value for c in sheet[1]] == ["Công thức", "Thời điểm", "Trống", "Ký tự lạ"]
    formula, when, empty, odd = sheet[2]
    assert formula.value == "=SUM(1,2)" and formula.data_type == "s"
    assert when.value == datetime(2026, 11, 27, 9, 5) and when.number_format == "dd/mm/yyyy hh:mm"  # a real date
    assert empty.value is None
    assert odd.value == "Đà Nẵng"


def test_xlsx_columns_are_as_wide_as_their_contents(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    title = "Phóng viên hỏi về lịch thi tuyển sinh lớp 10 công lập năm học 2027"
    rows: list[list[Cell]] = [["VV-2026-00001", title, datetime(2026, 11, 27)], ["VV-2026-00002", "x" * 300, None]]
    write_xlsx(path, ["Mã", "Tiêu đề", "Tiếp nhận lúc"], rows, title="Vụ việc")
    widths = {k: v.width for k, v in load_workbook(path).active.column_dimensions.items()}
    assert widths["A"] == len("VV-2026-00001") + 2  # the reference, whole
    assert widths["B"] == 60  # a long title: capped, it wraps
    assert widths["C"] == 17  # a date-time dd/mm/yyyy hh:mm, and its header fits
