"""The notice filters of the public API and pages, parsed from the query string (shared by both)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Query

from app.cases.vocabulary import Topic
from app.errors import ValidationFailed
from app.i18n import _
from app.notices.service import NoticeFilters
from app.statements.rules import StatementKind
from app.timeutil import EARLIEST, LATEST, as_utc, dmy_to_iso, end_of_local_day, local_midnight
from app.validation import QueryText

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def parse_time(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """An ISO 8601 date-time (with an offset; without one it is Hồ Chí Minh City time) or a date (ISO or dd/mm/yyyy,
    as the public page's fields are typed): ``since`` a date
    means from its 00:00, ``until`` a date means up to its 24:00 (the whole day included), local time."""
    value = dmy_to_iso((value or "").strip())  # the page's fields are typed dd/mm/yyyy
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            result = end_of_local_day(day) if end else local_midnight(day)
        else:
            result = as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except (ValueError, OverflowError) as exc:
        raise ValidationFailed(_("Ngày giờ không hợp lệ: {value}.", value=value), field=field) from exc
    if not EARLIEST <= result <= LATEST:
        raise ValidationFailed(_("Ngày giờ không hợp lệ: {value}.", value=value), field=field)
    return result


def notice_filters(
    topic: Annotated[
        list[Topic] | None,
        Query(description="Topic code (lĩnh vực); repeat for several", examples=["education_quality"]),
    ] = None,
    kind: Annotated[
        list[StatementKind] | None, Query(description="Kind of notice; repeat for several", examples=["response"])
    ] = None,
    since: Annotated[
        str | None,
        Query(
            max_length=40,
            description="Published at or after: a date (2026-11-01, from 00:00 Hồ Chí Minh City "
            "time) or an ISO 8601 date-time",
            examples=["2026-11-01"],
        ),  # fmt: skip
    ] = None,
    until: Annotated[
        str | None,
        Query(
            max_length=40,
            description="Published before: a date (the whole day included) or a date-time",
            examples=["2026-11-30"],
        ),  # fmt: skip
    ] = None,
    outlet: Annotated[
        QueryText | None, Query(max_length=200, description="The press outlet whose item the notice answers, exactly")
    ] = None,
    q: Annotated[
        QueryText | None,
        Query(
            max_length=200,
            description="Words to find in the number, title and text; with or without Vietnamese "
            'diacritics ("hoc phi" finds "học phí"); every word must occur',
            examples=["học phí"],
        ),  # fmt: skip
    ] = None,
) -> NoticeFilters:
    return NoticeFilters(
        topic=topic or [],
        kind=kind or [],
        since=parse_time(since, "since"),
        until=parse_time(until, "until", end=True),
        outlet=(outlet or "").strip() or None,
        q=(q or "").strip() or None,
    )
