"""Notice numbers, slugs, types as data, and the publication minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import ValidationFailed
from app.notices.rules import (
    NOTICE_TYPE_BY_KIND,
    NoticeKey,
    NoticeType,
    counter_scope,
    format_number,
    format_slug,
    notice_year,
    parse_key,
    publication_time,
)
from app.statements.rules import StatementKind

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

NOW = datetime(2026, 11, 27, 2, 0, 30, tzinfo=UTC)


def test_decree_30_numbers_and_slugs() -> None:
    assert format_number(12, NoticeType.TC, "SGDĐT") == "12/TC-SGDĐT"
    assert format_number(7, NoticeType.TB, "SGDĐT") == "7/TB-SGDĐT"
    assert format_slug(2026, NoticeType.TC, 12) == "2026-tc-12"
    assert counter_scope(NoticeType.TB) == "notice-TB"


def test_every_kind_has_a_type() -> None:
    assert set(NOTICE_TYPE_BY_KIND) == set(StatementKind)
    assert NOTICE_TYPE_BY_KIND[StatementKind.INITIAL_INFORMATION] == NoticeType.TC
    assert NOTICE_TYPE_BY_KIND[StatementKind.RESPONSE] == NoticeType.TB


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-tc-12", NoticeKey(NoticeType.TC, 12, 2026)),
    ("2026-TB-7", NoticeKey(NoticeType.TB, 7, 2026)),
    ("12/TC-SGDĐT", NoticeKey(NoticeType.TC, 12)),
    (" 7/tb-SGDĐT ", NoticeKey(NoticeType.TB, 7)),
    ("2026-xx-1", None), ("12/QĐ-SGDĐT", None), ("", None), ("12", None), ("../../etc", None),
])  # fmt: skip
def test_parse_key(value: str, expected: NoticeKey | None) -> None:
    assert parse_key(value) == expected


def test_the_year_is_the_local_year_of_publication() -> None:
    assert notice_year(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == 2027  # 00:30 on 1 January, local time
    assert notice_year(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == 2026


def test_publication_time() -> None:
    assert publication_time(None, NOW) == NOW
    assert publication_time(NOW + timedelta(hours=2), NOW) == datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
    for at in (NOW - timedelta(minutes=5), NOW, NOW + timedelta(seconds=10), NOW + timedelta(days=40)):
        with pytest.raises(ValidationFailed) as exc:
            publication_time(at, NOW)
        assert exc.value.extra["field"] == "at"
