"""Notice numbering and publication time. Pure: no I/O.

Numbers follow Decree 30/2020/NĐ-CP (Art. 15, Phụ lục III): ``<n>/<type>-<issuer>``, e.g. ``12/TC-SGDĐT`` for the
12th thông cáo of the year and ``7/TB-SGDĐT`` for the 7th thông báo. ``n`` runs 1, 2, 3 … per calendar year and per
type, without gaps; the year is the local year of the publication time. Each number also has a slug for URLs:
``2026-tc-12``. A number without its year is ambiguous across years: the slug is the unambiguous key.

Which statement kind gives which type of document is data (``NOTICE_TYPE_BY_KIND``):

- thông cáo (TC), a press release informing the public: initial information, rebuttal of an untrue report;
- thông báo (TB), a notice of a result or a decision: response (thông báo kết quả xử lý), refusal (thông báo từ
  chối cung cấp thông tin), correction or withdrawal of an earlier notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.errors import ValidationFailed
from app.i18n import Message, _
from app.statements.rules import StatementKind
from app.timeutil import to_local


class NoticeType(StrEnum):
    TC = "TC"  # thông cáo
    TB = "TB"  # thông báo


NOTICE_TYPE_LABELS: dict[NoticeType, Message] = {
    NoticeType.TC: _("Thông cáo báo chí"),
    NoticeType.TB: _("Thông báo"),
}

NOTICE_TYPE_BY_KIND: dict[StatementKind, NoticeType] = {
    StatementKind.INITIAL_INFORMATION: NoticeType.TC,
    StatementKind.REBUTTAL: NoticeType.TC,
    StatementKind.RESPONSE: NoticeType.TB,
    StatementKind.REFUSAL: NoticeType.TB,
    StatementKind.CORRECTION: NoticeType.TB,
}

# How far ahead a publication may be scheduled (a guard against a mistyped year).
MAX_EMBARGO = timedelta(days=31)

_SLUG = re.compile(r"^(\d{4})-(tc|tb)-(\d{1,9})$", re.IGNORECASE)
_NUMBER = re.compile(r"^(\d{1,9})/(TC|TB)-(\S{1,40})$", re.IGNORECASE)


@dataclass(frozen=True)
class NoticeKey:
    """What a reader may look a notice up by: the slug (year known) or the number (newest year wins)."""

    notice_type: NoticeType
    seq: int
    year: int | None = None


def counter_scope(notice_type: NoticeType) -> str:
    return f"notice-{notice_type.value}"


def notice_year(published_at: datetime) -> int:
    return to_local(published_at).year


def format_number(seq: int, notice_type: NoticeType, issuer: str) -> str:
    return f"{seq}/{notice_type.value}-{issuer}"


def format_slug(year: int, notice_type: NoticeType, seq: int) -> str:
    return f"{year}-{notice_type.value.lower()}-{seq}"


def parse_key(value: str) -> NoticeKey | None:
    """A slug (``2026-tc-12``) or a number (``12/TC-SGDĐT``); None if it is neither."""
    value = value.strip()
    match = _SLUG.match(value)
    if match:
        return NoticeKey(NoticeType(match.group(2).upper()), int(match.group(3)), int(match.group(1)))
    match = _NUMBER.match(value)
    if match:
        return NoticeKey(NoticeType(match.group(2).upper()), int(match.group(1)))
    return None


def publication_time(at: datetime | None, now: datetime) -> datetime:
    """When a notice becomes public: now, or the scheduled minute (seconds dropped), which must be in the future
    and at most ``MAX_EMBARGO`` ahead."""
    if at is None:
        return now
    minute = at.replace(second=0, microsecond=0)
    if minute <= now:
        raise ValidationFailed(_("Thời điểm công bố hẹn trước phải ở tương lai."), field="at")
    if minute > now + MAX_EMBARGO:
        raise ValidationFailed(_("Chỉ hẹn giờ công bố trong vòng 31 ngày."), field="at")
    return minute
