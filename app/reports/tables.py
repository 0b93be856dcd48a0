"""The reports as tables for the CSV and XLSX files: headers (Vietnamese, translated late) and rows. Pure.

Counts are numbers, rates are percentages rounded to one decimal, times are local (Asia/Ho_Chi_Minh) without
offset, like the case-list export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

from app.i18n import Message, _, text
from app.reports.columns import Cell
from app.reports.formats import Sheet
from app.reports.models import (
    AnnualReport,
    BucketsRead,
    Dashboard,
    DurationRead,
    IndicatorCaseRead,
    ScorecardPage,
)
from app.reports.rules import Outcome
from app.timeutil import to_local

Row = list[Cell]


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _local(value: datetime) -> datetime:
    return to_local(value).replace(tzinfo=None)


def _headers(messages: Sequence[Message], locale: str) -> list[str]:
    return [text(m, locale) for m in messages]


ANNUAL_HEADER = (
    _("STT"), _("Mã chỉ tiêu"), _("Chỉ tiêu"), _("Kết quả"), _("Tử số"), _("Mẫu số"), _("Tỷ lệ (%)"),
    _("Vụ việc được tính vào tử số"), _("Vụ việc chưa được tính vào tử số"), _("Vụ việc chưa tính (còn trong hạn)"),
    _("Họp báo, giao ban được tính"),
)  # fmt: skip


def annual_rows(report: AnnualReport, locale: str, lines: Iterable[tuple[int, IndicatorCaseRead]]) -> Iterator[Row]:
    """One row per indicator with the references of its cases (read from ``lines``, every case line of the report:
    one pass, the references kept)."""
    counted: dict[int, list[str]] = defaultdict(list)
    not_counted: dict[int, list[str]] = defaultdict(list)
    pending: dict[int, list[str]] = defaultdict(list)
    for number, line in lines:
        if line.outcome == Outcome.PENDING.value:
            pending[number].append(line.reference)
        else:
            (counted if line.counted else not_counted)[number].append(line.reference)
    for i in report.indicators:
        result = f"{i.numerator} / {i.denominator}" if i.denominator is not None else str(i.numerator)
        yield [
            i.number, i.code, i.label if locale == "vi" else i.label_en, result, i.numerator, i.denominator,
            percent(i.rate), "; ".join(counted[i.number]),
            "; ".join(not_counted[i.number]) if i.denominator is not None else "", "; ".join(pending[i.number]),
            "; ".join(f"{_local(e.held_at):%d/%m/%Y} {e.title}" for e in i.events),
        ]  # fmt: skip


ANNUAL_CASES_HEADER = (
    _("STT chỉ tiêu"), _("Mã vụ việc"), _("Tiêu đề"), _("Thời điểm tiếp nhận (giờ Việt Nam)"), _("Căn cứ"),
    _("Kết quả"), _("Được tính vào tử số"),
)  # fmt: skip


def annual_case_cells(lines: Iterable[tuple[int, IndicatorCaseRead]], locale: str) -> Iterator[Row]:
    yes, no = text(_("Có"), locale), text(_("Không"), locale)
    for number, c in lines:
        yield [number, c.reference, c.title, _local(c.received_at), c.provision, c.outcome_label,
               yes if c.counted else no]  # fmt: skip


def annual_sheets(
    report: AnnualReport, locale: str, lines: Callable[[], Iterable[tuple[int, IndicatorCaseRead]]]
) -> list[Sheet]:
    """The indicators, and every case behind them: ``lines()`` is read twice while the workbook is written (the
    references of the first sheet, the rows of the second), never held whole."""
    return [
        Sheet(text(_("Chỉ tiêu"), locale), _headers(ANNUAL_HEADER, locale), annual_rows(report, locale, lines())),
        Sheet(text(_("Vụ việc"), locale), _headers(ANNUAL_CASES_HEADER, locale), annual_case_cells(lines(), locale)),
    ]


def annual_header(locale: str) -> list[str]:
    return _headers(ANNUAL_HEADER, locale)


def annual_cases_header(locale: str) -> list[str]:
    return _headers(ANNUAL_CASES_HEADER, locale)


# --- the dashboard ----------------------------------------------------------------------------------------------

DASHBOARD_HEADER = (_("Nhóm"), _("Mục"), _("Mã"), _("Chỉ số"), _("Giá trị"))

CASES = _("Số vụ việc")
BUCKET_MEASURES: tuple[tuple[str, Message], ...] = (
    ("on_time", _("Đúng hạn")),
    ("late", _("Trễ hạn")),
    ("missed", _("Quá hạn, không thực hiện")),
    ("overdue", _("Đang quá hạn")),
    ("running", _("Còn trong hạn")),
)


def _bucket_rows(section: str, label: str, code: str, b: BucketsRead, locale: str) -> Iterator[Row]:
    for attr, measure in BUCKET_MEASURES:
        yield [section, label, code, text(measure, locale), getattr(b, attr)]
    yield [section, label, code, text(_("Tỷ lệ đúng hạn (%)"), locale), percent(b.rate)]


def _duration_rows(section: str, d: DurationRead, locale: str) -> Iterator[Row]:
    yield [section, "", "", text(_("Số vụ việc đã có"), locale), d.count]
    yield [section, "", "", text(_("Trên tổng số vụ việc"), locale), d.of]
    yield [section, "", "", text(_("Trung vị (giờ)"), locale), _hours(d.median_hours)]
    yield [section, "", "", text(_("Phân vị 90 (giờ)"), locale), _hours(d.p90_hours)]


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def dashboard_rows(d: Dashboard, locale: str) -> Iterator[Row]:
    cases = text(CASES, locale)
    section = text(_("Tổng số"), locale)
    yield [section, "", "", cases, d.total]
    yield [section, "", "", text(_("Vụ việc trùng lặp (không tính)"), locale), d.duplicates]
    for title, counts in (
        (_("Lĩnh vực"), d.by_topic),
        (_("Đơn vị chủ trì"), d.by_unit),
        (_("Nguồn thông tin"), d.by_source_kind),
        (_("Mức độ"), d.by_severity),
    ):
        section = text(title, locale)
        for c in counts:
            yield [section, c.label, c.code or "", cases, c.count]
    section = text(_("Theo thời gian"), locale)
    for point in d.timeline:
        yield [section, point.start.isoformat(), d.granularity, cases, point.count]
    section = text(_("Thời hạn"), locale)
    for clock in d.clocks:
        yield from _bucket_rows(section, clock.label, clock.basis, clock, locale)
    section = text(_("Thời hạn của đơn vị"), locale)
    for unit in d.units:
        yield from _bucket_rows(section, unit.name, unit.code, unit, locale)
    yield from _duration_rows(text(_("Thời gian đến thông tin ban đầu"), locale), d.time_to_initial_information,
                              locale)  # fmt: skip
    yield from _duration_rows(text(_("Thời gian đến trả lời chính thức"), locale), d.time_to_final_response, locale)
    section = text(_("Hiện tại"), locale)
    for measure, counts, total in (
        (_("Đang mở"), d.now.open_by_severity, d.now.open),
        (_("Quá hạn"), d.now.overdue_by_severity, d.now.overdue),
    ):
        label = text(measure, locale)
        for c in counts:
            yield [section, c.label, c.code or "", label, c.count]
        yield [section, text(_("Tổng số"), locale), "", label, total]


def dashboard_header(locale: str) -> list[str]:
    return _headers(DASHBOARD_HEADER, locale)


# --- unit scorecards ----------------------------------------------------------------------------------------------

SCORECARD_HEADER = (
    _("Mã đơn vị"), _("Đơn vị"), _("Vụ việc chủ trì"), _("Vụ việc phối hợp"), _("Đã trả lời"),
    _("Nhiệm vụ cung cấp thông tin"), _("Đúng hạn"), _("Trễ hạn"), _("Quá hạn, không thực hiện"), _("Đang quá hạn"),
    _("Còn trong hạn"), _("Tỷ lệ đúng hạn (%)"), _("Thông cáo đã công bố"),
)  # fmt: skip


def scorecard_rows(page: ScorecardPage, locale: str) -> Iterator[Row]:
    for u in page.items:
        name = u.name_en if locale == "en" and u.name_en else u.name
        yield [u.code, name, u.cases_led, u.cases_supported, u.cases_answered, u.tasks, u.on_time, u.late, u.missed,
               u.overdue, u.running, percent(u.rate), u.notices]  # fmt: skip


def scorecard_header(locale: str) -> list[str]:
    return _headers(SCORECARD_HEADER, locale)
