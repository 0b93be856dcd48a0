"""The backup's value codec: every column type writes JSON and reads back the same value."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import types

from app.backup.codec import decoder, encode
from app.cases.workflow import CaseStatus
from app.db import StrEnumType, UTCDateTime

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

CASES: list[tuple[str, types.TypeEngine[Any], Any, Any]] = [
    ("aware date-time in UTC", UTCDateTime(), datetime(2026, 11, 27, 2, 0, tzinfo=UTC), "2026-11-27T02:00:00Z"),
    ("microseconds kept", types.DateTime(timezone=True), datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC),
     "2026-01-01T00:00:00.123456Z"),
    ("naive date-time", types.DateTime(), datetime(2026, 11, 27, 9, 0), "2026-11-27T09:00:00"),
    ("date", types.Date(), date(2026, 2, 17), "2026-02-17"),
    ("time", types.Time(), time(8, 30), "08:30:00"),
    ("interval", types.Interval(), timedelta(hours=24), 86400.0),
    ("decimal", types.Numeric(10, 2), Decimal("12.50"), "12.50"),
    ("float", types.Float(), 0.25, 0.25),
    ("binary", types.LargeBinary(), b"\x00\xffPDF", "AP9QREY="),
    ("uuid", types.Uuid(), uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
    ("text with diacritics", types.String(200), "Sở Giáo dục và Đào tạo", "Sở Giáo dục và Đào tạo"),
    ("enum stored as text", StrEnumType(CaseStatus), "in_progress", "in_progress"),
    ("boolean", types.Boolean(), True, True),
    ("integer", types.Integer(), 42, 42),
    ("null", UTCDateTime(), None, None),
]  # fmt: skip


@pytest.mark.parametrize(("type_", "value", "written"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_round_trip(type_: types.TypeEngine[Any], value: Any, written: Any) -> None:
    assert encode(value) == written
    assert decoder(type_)(written) == value


def test_an_aware_time_in_another_zone_is_written_in_utc() -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert encode(local) == "2026-11-27T02:00:00Z"


def test_an_unknown_value_is_refused() -> None:
    with pytest.raises(TypeError):
        encode(object())
