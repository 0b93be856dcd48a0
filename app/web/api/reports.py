"""Reports: the yearly report of Decree 244/2026 Art. 10, the dashboard's figures and the unit scorecards, as JSON
and as CSV / XLSX files (permission ``reports:view``; a unit head's reports cover the cases of their unit).

The period is a report year (``year``: 15 Dec of the year before – 14 Dec), or explicit local dates (``from``,
``to``, both inclusive), or by default the report year containing today.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from app.i18n import _, text
from app.reports import annual as annual_service
from app.reports import emulation as emulation_service
from app.reports import formats, service, tables
from app.reports.columns import Cell
from app.reports.formats import Sheet
from app.reports.models import (
    AnnualReport,
    Dashboard,
    EmulationPage,
    IndicatorCasePage,
    ScorecardPage,
)
from app.reports.rules import Period, resolve_period
from app.timeutil import local_date
from app.web.cursors import seal, unseal
from app.web.deps import ActorDep, LocaleDep, NowDep, ReadSessionDep, read_session_opener

router = APIRouter(prefix="/reports", tags=["reports"])


def report_period(
    now: NowDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Report year: 15 Dec of year-1 – 14 Dec")] = None,
    start: Annotated[date | None, Query(alias="from", description="First local date (inclusive)")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last local date (inclusive)")] = None,
) -> Period:
    return resolve_period(year=year, start=start, end=end, today=local_date(now))


PeriodDep = Annotated[Period, Depends(report_period)]


def _stem(prefix: str, period: Period) -> str:
    if period.year is not None:
        return f"{prefix}-{period.year}"
    return f"{prefix}-{period.start.isoformat()}_{period.end.isoformat()}"


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Cell]], name: str) -> StreamingResponse:
    return StreamingResponse(
        formats.csv_chunks(header, rows),
        media_type=formats.CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store"},
    )


def xlsx_response(sheets: Sequence[Sheet], name: str) -> StreamingResponse:
    """Written row by row to an anonymous temporary file, then streamed out (the file goes when closed)."""
    file = tempfile.TemporaryFile(prefix="crisisdesk-report-", suffix=".xlsx")
    try:
        formats.write_xlsx_sheets(file, sheets)
        size = file.tell()
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return StreamingResponse(
        formats.file_chunks(file),
        media_type=formats.XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.xlsx"',
            "Content-Length": str(size),
            "Cache-Control": "no-store",
        },  # fmt: skip
    )


Responses = dict[int | str, dict[str, Any]]
CSV: Responses = {200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a byte-order mark"}}
XLSX: Responses = {200: {"content": {formats.XLSX_MEDIA_TYPE: {}}, "description": "An Excel workbook"}}


# --- the yearly report ------------------------------------------------------------------------------------------

LinesQuery = Annotated[
    int, Query(ge=0, le=annual_service.MAX_LINES, description="Case lines per indicator in the report")
]


def _lines_context(number: int, pending: bool) -> str:
    return f"annual:{number}:{'pending' if pending else 'cases'}"


def _sealed(request: Request, report: AnnualReport) -> AnnualReport:
    for i in report.indicators:
        i.cases_cursor = seal(request, i.cases_cursor, _lines_context(i.number, False))
        i.pending_cursor = seal(request, i.pending_cursor, _lines_context(i.number, True))
    return report


@router.get("/annual", response_model=AnnualReport)
def annual(
    request: Request, session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, period: PeriodDep,
    lines: LinesQuery = annual_service.FIRST_LINES,
) -> AnnualReport:  # fmt: skip
    """The six indicators of the yearly report (Decree 244/2026 Art. 10 and its template), each with a stable
    ``code``, the template's ``label`` (Vietnamese) and ``label_en``, ``numerator``, ``denominator`` (indicators
    3–6), ``rate``, and the cases behind the numbers (``counted``: in the numerator): ``cases_total`` of them, the
    first ``lines`` (default 100) in ``cases``, the rest from ``GET /api/v1/reports/annual/{number}/cases`` with
    ``cursor=cases_cursor`` (all of them at once: ``/annual/cases.csv``); for indicators 1 and 2 the press
    ``events`` counted and the cases raised at them. Outcomes are judged as of now. Definitions: docs/reports.md."""
    report = annual_service.annual_report(session, actor=actor, period=period, now=now, locale=locale, lines=lines)
    return _sealed(request, report)


@router.get("/annual/cases.csv", response_class=StreamingResponse, responses=CSV)
def annual_cases_csv(
    request: Request, session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, period: PeriodDep
) -> StreamingResponse:
    """Every case behind every indicator (the XLSX's second sheet), streamed: indicator, reference, title, time
    received, provision, outcome, counted."""
    report = annual_service.annual_report(session, actor=actor, period=period, now=now, locale=locale, lines=0)
    rows = annual_service.all_lines(read_session_opener(request), report, actor=actor, period=period, now=now,
                                    locale=locale)  # fmt: skip
    return csv_response(tables.annual_cases_header(locale), tables.annual_case_cells(rows, locale),
                        _stem("bao-cao-nam-vu-viec", period))  # fmt: skip


@router.get("/annual/{number}/cases", response_model=IndicatorCasePage)
def annual_cases(
    request: Request, session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, period: PeriodDep,
    number: Annotated[int, Path(ge=1, le=6, description="The indicator, 1–6")],
    pending: Annotated[bool, Query(description="Indicator 5's cases not counted yet")] = False,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=annual_service.MAX_LINES)] = annual_service.FIRST_LINES,
) -> IndicatorCasePage:  # fmt: skip
    """A page of the cases behind an indicator (for 1 and 2: the cases raised at the press events, all at once),
    oldest received first; ``next_cursor`` continues it, null on the last page. The same period parameters as the
    report."""
    raw = unseal(request, cursor, _lines_context(number, pending))
    page = annual_service.indicator_cases(
        session,
        actor=actor,
        period=period,
        now=now,
        locale=locale,
        number=number,
        pending=pending,
        cursor=raw,
        limit=limit,
    )
    page.next_cursor = seal(request, page.next_cursor, _lines_context(number, pending))
    return page


@router.get("/annual.csv", response_class=StreamingResponse, responses=CSV)
def annual_csv(
    request: Request, session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, period: PeriodDep
) -> StreamingResponse:
    """The yearly report as CSV: one line per indicator, with the references of the cases behind it."""
    report = annual_service.annual_report(session, actor=actor, period=period, now=now, locale=locale, lines=0)
    lines = annual_service.all_lines(read_session_opener(request), report, actor=actor, period=period, now=now,
                                     locale=locale)  # fmt: skip
    return csv_response(tables.annual_header(locale), tables.annual_rows(report, locale, lines),
                        _stem("bao-cao-nam", period))  # fmt: skip


@router.get("/annual.xlsx", response_class=StreamingResponse, responses=XLSX)
def annual_xlsx(
    request: Request, session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, period: PeriodDep
) -> StreamingResponse:
    """The yearly report as a workbook: the indicators, and a second sheet with every case behind them."""
    report = annual_service.annual_report(session, actor=actor, period=period, now=now, locale=locale, lines=0)
    lines = partial(annual_service.all_lines, read_session_opener(request), report, actor=actor, period=period, now=now,
                    locale=locale)  # fmt: skip
    return xlsx_response(tables.annual_sheets(report, locale, lines), _stem("bao-cao-nam", period))


# --- dashboard --------------------------------------------------------------------------------------------------


@router.get("/dashboard", response_model=Dashboard)
def dashboard(session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, period: PeriodDep) -> Dashboard:
    """Cases received in the period by topic, lead unit, source kind, severity and over time; on-time rates per
    clock (legal basis or internal target) and per unit (the unit's own clocks); median and 90th percentile of
    the hours to initial information and to the final response; open and overdue cases now."""
    return service.dashboard(session, actor=actor, period=period, now=now, locale=locale)


@router.get("/dashboard.csv", response_class=StreamingResponse, responses=CSV)
def dashboard_csv(
    session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, period: PeriodDep
) -> StreamingResponse:
    """The dashboard's figures as one long table: group, item, code, measure, value."""
    data = service.dashboard(session, actor=actor, period=period, now=now, locale=locale)
    return csv_response(tables.dashboard_header(locale), tables.dashboard_rows(data, locale), _stem("thong-ke", period))


@router.get("/dashboard.xlsx", response_class=StreamingResponse, responses=XLSX)
def dashboard_xlsx(
    session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, period: PeriodDep
) -> StreamingResponse:
    data = service.dashboard(session, actor=actor, period=period, now=now, locale=locale)
    sheet = Sheet(text(_("Thống kê"), locale), tables.dashboard_header(locale), tables.dashboard_rows(data, locale))
    return xlsx_response([sheet], _stem("thong-ke", period))


# --- unit scorecards --------------------------------------------------------------------------------------------


@router.get("/units", response_model=ScorecardPage)
def units(session: ReadSessionDep, actor: ActorDep, now: NowDep, period: PeriodDep) -> ScorecardPage:
    """Per unit (the Sở's emulation criteria): cases led, supported and answered; the unit's own clocks (its
    internal targets and the information tasks given to it) on time, late, missed, overdue, with the on-time rate;
    the notices published in the period on its cases."""
    return service.unit_scorecards(session, actor=actor, period=period, now=now)


@router.get("/units.csv", response_class=StreamingResponse, responses=CSV)
def units_csv(
    session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, period: PeriodDep
) -> StreamingResponse:
    page = service.unit_scorecards(session, actor=actor, period=period, now=now)
    return csv_response(tables.scorecard_header(locale), tables.scorecard_rows(page, locale), _stem("don-vi", period))


@router.get("/units.xlsx", response_class=StreamingResponse, responses=XLSX)
def units_xlsx(
    session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, period: PeriodDep
) -> StreamingResponse:
    page = service.unit_scorecards(session, actor=actor, period=period, now=now)
    sheet = Sheet(text(_("Đơn vị"), locale), tables.scorecard_header(locale), tables.scorecard_rows(page, locale))
    return xlsx_response([sheet], _stem("don-vi", period))


# --- the emulation scorecard ----------------------------------------------------------------------------------

SchoolYearQuery = Annotated[str, Query(max_length=9, description="The school year, e.g. 2026-2027")]


@router.get("/emulation", response_model=EmulationPage)
def emulation(session: ReadSessionDep, actor: ActorDep, now: NowDep, school_year: SchoolYearQuery) -> EmulationPage:
    """Per unit over the school year (the emulation criteria of communication work): its communications contact,
    stories submitted and published against the plan's target, cases led and answered, its own clocks on time
    and missed, the average days to supply the facts. Definitions: the page /staff/reports/emulation and
    docs/stories.md."""
    return emulation_service.emulation_scorecard(session, actor=actor, school_year=school_year, now=now)


@router.get("/emulation.csv", response_class=StreamingResponse, responses=CSV)
def emulation_csv(
    session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, school_year: SchoolYearQuery
) -> StreamingResponse:
    page = emulation_service.emulation_scorecard(session, actor=actor, school_year=school_year, now=now)
    rows = emulation_service.emulation_rows(page, locale)
    return csv_response(emulation_service.emulation_header(locale), rows, f"thi-dua-{page.school_year}")


@router.get("/emulation.xlsx", response_class=StreamingResponse, responses=XLSX)
def emulation_xlsx(
    session: ReadSessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, school_year: SchoolYearQuery
) -> StreamingResponse:
    page = emulation_service.emulation_scorecard(session, actor=actor, school_year=school_year, now=now)
    sheet = Sheet(text(_("Thi đua"), locale), emulation_service.emulation_header(locale),
                  emulation_service.emulation_rows(page, locale))  # fmt: skip
    return xlsx_response([sheet], f"thi-dua-{page.school_year}")
