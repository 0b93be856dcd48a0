"""The case list's query grammar, parsed in one place for the JSON API (``case_filters``: strict, a bad value is a
422) and the staff list page (``page_case_filters``: lenient, a bad value is dropped and the page says so). Both
read multi-valued filters with ``parse_enum_list``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request

from app.cases.queries import CaseFilters, CaseSort
from app.cases.vocabulary import Severity, SourceKind, Topic
from app.cases.workflow import CaseStatus
from app.errors import ValidationFailed
from app.i18n import _
from app.timeutil import local_midnight
from app.validation import OptionalTimestamp, QueryText, strip_control
from app.web.cursors import unseal
from app.web.dates import local_day_start, parse_date
from app.web.deps import get_now

PAGE_SIZE = 50

Values = dict[str, Any]

E = TypeVar("E", bound=StrEnum)


def parse_enum_list(values: Iterable[str] | None, enum_cls: type[E]) -> tuple[list[E], list[str]]:
    """The grammar of a multi-valued filter: repeated parameters and comma-separated values
    (``?status=new&status=assigned`` or ``new,assigned``) → the values, and the parts that are none of them."""
    result: list[E] = []
    bad: list[str] = []
    for raw in values or []:
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                result.append(enum_cls(part))
            except ValueError:
                bad.append(part)
    return result, bad


def _enum_list(values: list[str] | None, enum_cls: type[E], field: str) -> list[E]:
    """The API is strict: a value that is none of the vocabulary's is a 422 naming the allowed ones."""
    result, bad = parse_enum_list(values, enum_cls)
    if bad:
        allowed = ", ".join(e.value for e in enum_cls)
        raise ValidationFailed(
            _(
                "Giá trị «{value}» không hợp lệ cho {field}; chọn một trong: {allowed}.",
                value=bad[0],
                field=field,
                allowed=allowed,
            ),
            field=field,
        )
    return result


async def case_filters(
    request: Request,
    status: Annotated[list[str] | None, Query(max_length=200)] = None,
    unit: Annotated[QueryText | None, Query(max_length=40)] = None,
    severity: Annotated[list[str] | None, Query()] = None,
    topic: Annotated[list[str] | None, Query()] = None,
    source_kind: Annotated[list[str] | None, Query()] = None,
    q: Annotated[QueryText | None, Query(max_length=200)] = None,
    received_from: Annotated[OptionalTimestamp, Query()] = None,
    received_to: Annotated[OptionalTimestamp, Query()] = None,
    assignee: Annotated[QueryText | None, Query(max_length=64)] = None,
    tag: Annotated[QueryText | None, Query(max_length=50)] = None,
    overdue: Annotated[bool | None, Query(description="true: the nearest running clock is past due")] = None,
    due_within_hours: Annotated[
        int | None, Query(ge=0, le=24 * 366, description="the nearest running clock falls due within N hours")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[QueryText | None, Query(max_length=500)] = None,
    sort: Annotated[
        CaseSort,
        Query(
            description="Order: -received_at (default), received_at, -updated_at, updated_at, or due (nearest "
            "running clock first, cases without one last)"
        ),
    ] = (CaseSort.RECEIVED_DESC),
    now: datetime = Depends(get_now),
) -> CaseFilters:
    """``async``: parsing touches no database (nor any I/O), so FastAPI runs it on the event loop instead of
    handing it to a thread of the pool and back (a thread hop costs more than the parsing on a busy machine)."""
    return CaseFilters(
        status=_enum_list(status, CaseStatus, "status"),
        unit=unit or None,
        severity=_enum_list(severity, Severity, "severity"),
        topic=_enum_list(topic, Topic, "topic"),
        source_kind=_enum_list(source_kind, SourceKind, "source_kind"),
        q=q or None,
        received_from=received_from,
        received_to=received_to,
        assignee=assignee or None,
        tag=tag or None,
        overdue=overdue,
        due_within_hours=due_within_hours,
        now=now,
        limit=limit,
        cursor=unseal(request, cursor, f"cases:{sort.value}"),
        sort=sort,
    )


FiltersDep = Annotated[CaseFilters, Depends(case_filters)]


# --- the staff list page -------------------------------------------------------------------------------------


def _enum_values(raw: list[str], enum_cls: type[E]) -> tuple[list[E], bool]:
    values, bad = parse_enum_list(raw, enum_cls)
    return values, bool(bad)


# The "deadline" filter of the list: overdue, or falling due within the next hours.
DUE_FILTERS = ("overdue", "soon")
SOON_HOURS = 24


def page_case_filters(request: Request, now: datetime) -> tuple[CaseFilters, Values, bool]:
    """The list's query string as filters, the values to show in the filter form, and whether some were bad."""
    params = request.query_params
    due = params.get("due") or ""
    bad7 = bool(due) and due not in DUE_FILTERS
    due = due if due in DUE_FILTERS else ""
    status, bad1 = _enum_values(params.getlist("status"), CaseStatus)
    severity, bad2 = _enum_values(params.getlist("severity"), Severity)
    topic, bad3 = _enum_values(params.getlist("topic"), Topic)
    source_kind, bad4 = _enum_values(params.getlist("source_kind"), SourceKind)
    try:
        sort = CaseSort(params.get("sort") or CaseSort.RECEIVED_DESC)
        bad5 = False
    except ValueError:
        sort, bad5 = CaseSort.RECEIVED_DESC, True
    limit_raw = params.get("limit") or ""
    limit = int(limit_raw) if limit_raw.isdigit() and 1 <= int(limit_raw) <= 200 else PAGE_SIZE
    received_from, received_to = params.get("received_from", ""), params.get("received_to", "")
    to_day = parse_date(received_to)
    bad6 = bool(received_from and parse_date(received_from) is None) or bool(received_to and to_day is None)
    filters = CaseFilters(
        status=status,
        severity=severity,
        topic=topic,
        source_kind=source_kind,
        unit=strip_control(params.get("unit") or "")[:40] or None,
        q=strip_control(params.get("q") or "")[:200].strip() or None,
        received_from=local_day_start(received_from),
        received_to=local_midnight(to_day + timedelta(days=1)) if to_day else None,
        sort=sort,
        cursor=strip_control(params.get("cursor") or "")[:500] or None,
        limit=limit,
        overdue=True if due == "overdue" else None,
        due_within_hours=SOON_HOURS if due == "soon" else None,
        now=now,
    )
    shown: Values = {
        "status": [s.value for s in status],
        "severity": [s.value for s in severity],
        "topic": [t.value for t in topic],
        "source_kind": [s.value for s in source_kind],
        "unit": filters.unit or "",
        "q": filters.q or "",
        "received_from": received_from if not bad6 else "",
        "received_to": received_to if not bad6 else "",
        "sort": sort.value,
        "limit": str(limit) if limit != PAGE_SIZE else "",
        "due": due,
    }
    return filters, shown, any((bad1, bad2, bad3, bad4, bad5, bad6, bad7))
