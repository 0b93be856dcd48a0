"""Report pages: the dashboard, the yearly report of Decree 244/2026 Art. 10 with the cases behind each number, the
unit scorecards, and the log of press conferences and briefings.

The figures come from the same service calls as ``app/web/api/reports.py``; the files (CSV, XLSX) are the API's
export links with the page's period. Charts are SVG drawn by the templates from ``app/reports/charts.py``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.permissions import Actor
from app.errors import DomainError, ValidationFailed
from app.i18n import Message, _, text
from app.press_events import service as press_events
from app.press_events.models import PRESS_EVENT_KIND_LABELS, PressEventCreate, PressEventRead, PressEventUpdate
from app.reports import annual as annual_service
from app.reports import charts, rules, service
from app.reports.models import BucketsRead
from app.reports.rules import Period, period_containing, report_period, report_year_of, resolve_period
from app.timeutil import local_date
from app.web.cursors import seal, unseal
from app.web.dates import iso_local, parse_date
from app.web.deps import ActorDep, NowDep, ReadSessionDep, SessionDep, get_locale
from app.web.staff.common import OPEN_ORDER
from app.web.staff.forms import Errors, FormDep, Values, form_errors, form_values, non_empty, split_list
from app.web.staff.monitor import emerging_panel
from app.web.templating import input_datetime, render

router = APIRouter(prefix="/reports")

EventId = Annotated[int, Path(ge=1, le=2**31 - 1)]
BUCKET_ORDER = ("on_time", "late", "missed", "overdue", "running")
BUCKET_LABELS: dict[str, Message] = {b.value: m for b, m in rules.BUCKET_LABELS.items()}


# --- the period of a page ---------------------------------------------------------------------------------------


def page_period(request: Request, now: datetime) -> tuple[Period, Values, str | None]:
    """The period asked for in the query string (``year``, or ``from`` and ``to``), the values to show in the
    form, and a message when they could not be used (the current report year is shown instead)."""
    params = request.query_params
    raw_year, raw_from, raw_to = params.get("year", ""), params.get("from", ""), params.get("to", "")
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else None
    start, end = parse_date(raw_from), parse_date(raw_to)
    today = local_date(now)
    error: Message | str | None = None
    if (raw_year and year is None) or (raw_from and start is None) or (raw_to and end is None):
        error = _("Ngày hoặc năm không hợp lệ; đang hiển thị năm báo cáo hiện tại.")
        year, start, end = None, None, None
    try:
        period = resolve_period(year=year, start=start, end=end, today=today)
    except ValidationFailed as exc:
        error, period = exc.message, period_containing(today)
    values: Values = {"from": period.start.isoformat(), "to": period.end.isoformat(), "year": period.year}
    return period, values, text(error, get_locale(request)) if error else None


def period_query(period: Period) -> str:
    if period.year is not None:
        return urlencode({"year": period.year})
    return urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})


def presets(today: date) -> list[tuple[Message, str]]:
    """Quick choices of period: the last 30 days, this month, this and last report year."""
    year = report_year_of(today)
    first = today.replace(day=1)
    return [
        (_("30 ngày qua"), urlencode({"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()})),
        (_("Tháng này"), urlencode({"from": first.isoformat(), "to": today.isoformat()})),
        (_("Năm báo cáo {year}", year=year), urlencode({"year": year})),
        (_("Năm báo cáo {year}", year=year - 1), urlencode({"year": year - 1})),
    ]


def _segments(b: BucketsRead, full: float = 240.0) -> list[charts.Segment]:
    return charts.stacked([(k, getattr(b, k)) for k in BUCKET_ORDER], full)


# --- dashboard --------------------------------------------------------------------------------------------------


@router.get("/")
@router.get("")
def dashboard(request: Request, session: ReadSessionDep, actor: ActorDep, now: NowDep) -> Response:
    period, values, error = page_period(request, now)
    locale = get_locale(request)
    data = service.dashboard(session, actor=actor, period=period, now=now, locale=locale)
    fmt = "%d/%m" if data.granularity != "month" else "%m/%Y"
    timeline = charts.column_chart([(p.start.strftime(fmt), p.count) for p in data.timeline])
    ctx = {
        "d": data,
        "period": period,
        "values": values,
        "error": error,
        "presets": presets(local_date(now)),
        "query": period_query(period),
        "timeline": timeline,
        "largest": {
            "topic": max((c.count for c in data.by_topic), default=0),
            "unit": max((c.count for c in data.by_unit), default=0),
            "source_kind": max((c.count for c in data.by_source_kind), default=0),
            "severity": max((c.count for c in data.by_severity), default=0),
        },
        "bar_width": charts.bar_width,
        "segments": _segments,
        "bucket_order": BUCKET_ORDER,
        "bucket_labels": BUCKET_LABELS,
        "open_statuses": [s.value for s in OPEN_ORDER],
        "emerging": emerging_panel(session, actor=actor, now=now),  # press monitoring's forecast
    }
    return render(request, "staff/reports/dashboard.html", ctx)


# --- the yearly report ------------------------------------------------------------------------------------------


ANNUAL_PAGE_LINES = 20  # cases shown under each indicator; the rest page by page
CASE_PAGE_LINES = 100


def _lines_context(number: int, pending: bool) -> str:
    return f"staff-annual:{number}:{'pending' if pending else 'cases'}"


@router.get("/annual")
def annual(request: Request, session: ReadSessionDep, actor: ActorDep, now: NowDep) -> Response:
    period, values, error = page_period(request, now)
    locale = get_locale(request)
    report = annual_service.annual_report(session, actor=actor, period=period, now=now, locale=locale,
                                          lines=ANNUAL_PAGE_LINES)  # fmt: skip
    for i in report.indicators:
        i.cases_cursor = seal(request, i.cases_cursor, _lines_context(i.number, False))
        i.pending_cursor = seal(request, i.pending_cursor, _lines_context(i.number, True))
    current = report_year_of(local_date(now))
    ctx = {
        "report": report,
        "period": period,
        "values": values,
        "error": error,
        "years": [(y, report_period(y)) for y in range(current, current - 5, -1)],
        "query": period_query(period),
    }
    return render(request, "staff/reports/annual.html", ctx)


@router.get("/annual/{number}")
def annual_cases(request: Request, session: ReadSessionDep, actor: ActorDep, now: NowDep,
                 number: Annotated[int, Path(ge=1, le=6)]) -> Response:  # fmt: skip
    """The cases behind one indicator, a page at a time (``cursor``: where the previous page ended)."""
    period, _values, error = page_period(request, now)
    locale = get_locale(request)
    pending = request.query_params.get("pending") == "1"
    raw = unseal(request, request.query_params.get("cursor"), _lines_context(number, pending))
    page = annual_service.indicator_cases(session, actor=actor, period=period, now=now, locale=locale, number=number,
                                          pending=pending, cursor=raw, limit=CASE_PAGE_LINES)  # fmt: skip
    ctx = {
        "page": page,
        "definition": rules.INDICATORS[number - 1],
        "period": period,
        "error": error,
        "query": period_query(period),
        "next_cursor": seal(request, page.next_cursor, _lines_context(number, pending)),
        "first_page": raw is None,
    }
    return render(request, "staff/reports/annual_cases.html", ctx)


# --- unit scorecards --------------------------------------------------------------------------------------------


@router.get("/units")
def units(request: Request, session: ReadSessionDep, actor: ActorDep, now: NowDep) -> Response:
    period, values, error = page_period(request, now)
    page = service.unit_scorecards(session, actor=actor, period=period, now=now)
    ctx = {
        "page": page,
        "period": period,
        "values": values,
        "error": error,
        "presets": presets(local_date(now)),
        "query": period_query(period),
        "segments": _segments,
        "bucket_order": BUCKET_ORDER,
        "bucket_labels": BUCKET_LABELS,
    }
    return render(request, "staff/reports/units.html", ctx)


# --- press events -----------------------------------------------------------------------------------------------

EVENT_FIELDS = ("kind", "held_at", "title", "spokesperson_name", "spokesperson_title", "organiser", "cases", "note")


def _event_input(values: Values) -> dict[str, Any]:
    data = non_empty(values)
    if data.get("held_at"):
        data["held_at"] = iso_local(data["held_at"])
    data["cases"] = split_list(values.get("cases", ""))
    return {k: v for k, v in data.items() if k in EVENT_FIELDS}


def _events_page(request: Request, session: Session, actor: Actor, now: datetime, *, values: Values,
                 errors: Errors, status_code: int = 200) -> Response:  # fmt: skip
    period, period_values, error = page_period(request, now)
    items = press_events.list_press_events(session, actor=actor, since=period.start, until=period.end)
    current = report_year_of(local_date(now))
    ctx = {
        "events": items,
        "period": period,
        "period_values": period_values,
        "error": error,
        "years": [(y, report_period(y)) for y in range(current, current - 5, -1)],
        "can_manage": press_events.can_manage(actor),
        "values": values,
        "errors": errors,
        "kinds": [(k.value, m) for k, m in PRESS_EVENT_KIND_LABELS.items()],
    }
    return render(request, "staff/reports/press_events.html", ctx, status_code=status_code)


@router.get("/press-events")
def press_event_list(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    values: Values = {"kind": "press_conference", "held_at": input_datetime(now)}
    return _events_page(request, session, actor, now, values=values, errors={})


@router.post("/press-events")
def press_event_create(request: Request, session: SessionDep, actor: ActorDep, now: NowDep,
                       form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    locale = get_locale(request)
    try:
        press_events.create_press_event(session, actor=actor, data=PressEventCreate.model_validate(
            _event_input(values)), now=now)  # fmt: skip
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        return _events_page(request, session, actor, now, values=values, errors=errors, status_code=status)
    return RedirectResponse("/staff/reports/press-events?done=press_event", status_code=303)


def _event_values(event: PressEventRead) -> Values:
    return {
        "kind": event.kind.value, "held_at": input_datetime(event.held_at), "title": event.title,
        "spokesperson_name": event.spokesperson_name, "spokesperson_title": event.spokesperson_title,
        "organiser": event.organiser or "", "note": event.note or "",
        "cases": ", ".join(c.reference for c in event.cases),
    }  # fmt: skip


def _edit_page(request: Request, event: PressEventRead, values: Values, errors: Errors,
               status_code: int = 200) -> Response:  # fmt: skip
    ctx = {"event": event, "values": values, "errors": errors,
           "kinds": [(k.value, m) for k, m in PRESS_EVENT_KIND_LABELS.items()]}  # fmt: skip
    return render(request, "staff/reports/press_event_form.html", ctx, status_code=status_code)


@router.get("/press-events/{event_id}/edit")
def press_event_edit(request: Request, session: SessionDep, actor: ActorDep, event_id: EventId) -> Response:
    event = press_events.get_press_event(session, actor=actor, event_id=event_id)
    return _edit_page(request, event, _event_values(event), {})


@router.post("/press-events/{event_id}")
def press_event_update(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, event_id: EventId,
                       form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    locale = get_locale(request)
    data = _event_input(values)
    for name in ("spokesperson_title", "organiser", "note"):
        data.setdefault(name, None)
    try:
        press_events.update_press_event(session, actor=actor, event_id=event_id,
                                        data=PressEventUpdate.model_validate(data), now=now)  # fmt: skip
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        event = press_events.get_press_event(session, actor=actor, event_id=event_id)
        return _edit_page(request, event, values, errors, status)
    return RedirectResponse("/staff/reports/press-events?done=press_event", status_code=303)


@router.post("/press-events/{event_id}/delete")
def press_event_delete(session: SessionDep, actor: ActorDep, now: NowDep, event_id: EventId) -> Response:
    press_events.delete_press_event(session, actor=actor, event_id=event_id, now=now)
    return RedirectResponse("/staff/reports/press-events?done=press_event_deleted", status_code=303)
