"""What the reports count, and how: the six indicators of the yearly report (Decree 244/2026 Art. 10 and its
template), report periods, the buckets of the on-time rates, percentiles. Pure: no I/O.

These functions decide what each case counts for, from plain facts about it (its notices, clocks and press
events); ``sql.py`` says the same in SQL for the database to compute a whole period at once (``annual.py``,
``service.py``), from the constants below, and ``tests/reports/test_sql_rules.py`` checks that both agree.
``docs/reports.md`` states the definitions in words; a table-driven test pins each one.

Common rules:

* A case belongs to a period by the **local date of its ``received_at``** (15 Dec – 14 Dec for the yearly
  report); a press event by the local date it was held.
* A case closed as a **duplicate** counts nowhere: it is the same matter as another case.
* Outcomes are judged **as of the moment the report is computed** (``now``): a notice published, a clock met or a
  press event held later does not count yet, and an embargoed notice counts from its publication minute.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from app.cases.vocabulary import LegalTrigger, SourceKind
from app.cases.workflow import CloseReason
from app.errors import ValidationFailed
from app.i18n import Message, _

# --- periods --------------------------------------------------------------------------------------------------

# The yearly report's data run from 15 December of the previous year to 14 December of the report year (Art. 10.2).
PERIOD_START_MONTH, PERIOD_START_DAY = 12, 15
MAX_PERIOD_DAYS = 5 * 366


@dataclass(frozen=True)
class Period:
    """Local dates, both inclusive."""

    start: date
    end: date
    year: int | None = None  # the report year, when the period is one

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def report_year_of(day: date) -> int:
    """The report year whose period contains ``day``: 15 Dec 2026 already belongs to the 2027 report."""
    return day.year + 1 if (day.month, day.day) >= (PERIOD_START_MONTH, PERIOD_START_DAY) else day.year


def report_period(year: int) -> Period:
    return Period(date(year - 1, PERIOD_START_MONTH, PERIOD_START_DAY), date(year, PERIOD_START_MONTH,
                                                                           PERIOD_START_DAY - 1), year)  # fmt: skip


def period_containing(day: date) -> Period:
    return report_period(report_year_of(day))


# --- what a case is, for the law ------------------------------------------------------------------------------

# Statement kinds (app.statements.rules.StatementKind values) — kept as strings here to stay free of that domain.
REPLY_KINDS = frozenset({"response", "rebuttal", "refusal"})  # answer the case (refusal: with its reason, Art. 4.3)
REBUTTAL = "rebuttal"
# Clock fields (app.rules.models.MetBy values): what meets a clock.
MET_BY_REPLY = "reply"
MET_BY_FIRST_NOTICE = "first_notice"
MET_STATES = frozenset({"met_on_time", "met_late"})
STOPPED = "stopped"  # a clock that no longer applies
STATUTORY_UNIT = "hours"  # statutory clocks counted in hours are measured against the law's hours (statutory_due)

# A request from the press (indicator 3, "đề nghị của báo chí"): the press asked the Sở for a statement,
# information or an answer. Art. 7.5 (press_request); an editor's request to reply in the press and the feedback,
# complaints and denunciations the press forwards for an answer (Decree 237/2026 Art. 18; Press Law 2016 Art. 39);
# and any journalist's question (source press_inquiry, also those sent through the public form), whatever
# trigger the press office later gave it.
PRESS_REQUEST_TRIGGERS = frozenset(
    {LegalTrigger.PRESS_REQUEST, LegalTrigger.EDITOR_REPLY_REQUEST, LegalTrigger.PRESS_FORWARDED_FEEDBACK,
     LegalTrigger.PRESS_FORWARDED_COMPLAINT}
)  # fmt: skip
# Unexpected and unusual cases (indicator 4): Art. 7.2–7.5. Khoản 2 (incidents spanning several ministries or
# provinces) is never the Sở's to speak on; khoản 3, 4, 5 are these triggers. A journalist's question the press
# office has not classified (no trigger) is a khoản 5 request.
UNUSUAL_TRIGGERS = frozenset({LegalTrigger.MAJOR_EVENT, LegalTrigger.DIVIDED_OPINION, LegalTrigger.PRESS_REQUEST})
# The triggers whose statutory clocks are "the time limit of Art. 7.3 and 7.4" (indicator 5): the 24 hours for
# initial information. Under Decree 09/2017 (cases received before 1 July 2026) their clock is Art. 6.3.a's.
DEADLINE_TRIGGERS = frozenset({LegalTrigger.MAJOR_EVENT, LegalTrigger.DIVIDED_OPINION})
# Untrue reports (indicator 6): Art. 7.6 (Decree 09/2017 Art. 6.3.c).
UNTRUE_TRIGGERS = frozenset({LegalTrigger.UNTRUE_REPORT})

# Every trigger some indicator looks at (with source press_inquiry, the cases the yearly report reads).
REPORTED_TRIGGERS = PRESS_REQUEST_TRIGGERS | UNUSUAL_TRIGGERS | DEADLINE_TRIGGERS | UNTRUE_TRIGGERS

EXCLUDED_CLOSE_REASONS = frozenset({CloseReason.DUPLICATE})

# The provision each trigger falls under, by the regime (rule pack) in force when the case was received.
PROVISIONS: dict[tuple[str, LegalTrigger], str] = {
    ("decree-244-2026", LegalTrigger.MAJOR_EVENT): "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 3",
    ("decree-244-2026", LegalTrigger.DIVIDED_OPINION): "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 4",
    ("decree-244-2026", LegalTrigger.PRESS_REQUEST): "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 5",
    ("decree-244-2026", LegalTrigger.UNTRUE_REPORT): "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 6",
    ("decree-09-2017", LegalTrigger.MAJOR_EVENT): "Nghị định 09/2017/NĐ-CP, Điều 6 khoản 3 điểm a",
    ("decree-09-2017", LegalTrigger.DIVIDED_OPINION): "Nghị định 09/2017/NĐ-CP, Điều 6 khoản 3 điểm a",
    ("decree-09-2017", LegalTrigger.PRESS_REQUEST): "Nghị định 09/2017/NĐ-CP, Điều 6 khoản 3 điểm b",
    ("decree-09-2017", LegalTrigger.UNTRUE_REPORT): "Nghị định 09/2017/NĐ-CP, Điều 6 khoản 3 điểm c",
}


@dataclass(frozen=True)
class NoticeFact:
    kind: str  # the statement kind
    published_at: datetime


@dataclass(frozen=True)
class ClockFact:
    origin: str  # statutory | internal | task
    pack: str | None
    rule_key: str
    met_by: str
    state: str
    start_at: datetime | None
    due_at: datetime | None
    met_at: datetime | None
    length: int
    unit: str  # hours | days | working_days | fixed
    extension: int
    paused_seconds: int


@dataclass(frozen=True)
class CaseFacts:
    """What the indicators need to know about one case."""

    reference: str
    title: str
    received_at: datetime
    received_on: date  # local date
    source_kind: SourceKind
    legal_trigger: LegalTrigger | None
    close_reason: CloseReason | None
    pack: str | None  # the rule pack in force when it was received
    notices: tuple[NoticeFact, ...] = ()
    clocks: tuple[ClockFact, ...] = ()
    press_events: tuple[datetime, ...] = ()  # when the press events that raised it were held

    @property
    def counted(self) -> bool:
        return self.close_reason not in EXCLUDED_CLOSE_REASONS


def is_press_request(case: CaseFacts) -> bool:
    return case.source_kind == SourceKind.PRESS_INQUIRY or case.legal_trigger in PRESS_REQUEST_TRIGGERS


def unusual_trigger(case: CaseFacts) -> LegalTrigger | None:
    """The Art. 7.3–7.5 trigger the case falls under, if any (an unclassified press inquiry: 7.5)."""
    if case.legal_trigger in UNUSUAL_TRIGGERS:
        return case.legal_trigger
    if case.legal_trigger is None and case.source_kind == SourceKind.PRESS_INQUIRY:
        return LegalTrigger.PRESS_REQUEST
    return None


def provision(case: CaseFacts, trigger: LegalTrigger | None) -> str | None:
    return provision_of(case.pack, trigger)


def provision_of(pack: str | None, trigger: LegalTrigger | None) -> str | None:
    if trigger is None or pack is None:
        return None
    return PROVISIONS.get((pack, trigger))


def answered(case: CaseFacts, now: datetime) -> bool:
    """A reply reached the press: a response, rebuttal or refusal published, a reply clock met (also by hand:
    answered outside the system), or the case answered at a press conference or briefing logged with it."""
    return (
        any(n.kind in REPLY_KINDS and n.published_at <= now for n in case.notices)
        or any(
            c.met_by == MET_BY_REPLY and c.state in MET_STATES and c.met_at is not None and c.met_at <= now
            for c in case.clocks
        )
        or any(held <= now for held in case.press_events)
    )


def spoken(case: CaseFacts, now: datetime) -> bool:
    """The Sở made a statement on the case (Art. 5's forms): a notice published, a statement clock met (also by
    hand), or the case raised at a press conference or briefing."""
    return (
        any(n.published_at <= now for n in case.notices)
        or any(
            c.met_by in (MET_BY_FIRST_NOTICE, MET_BY_REPLY) and c.state in MET_STATES and c.met_at is not None
            and c.met_at <= now
            for c in case.clocks
        )
        or any(held <= now for held in case.press_events)
    )  # fmt: skip


def rebutted(case: CaseFacts, now: datetime) -> bool:
    """Written feedback with grounds and a demand for correction and apology: a rebuttal notice published."""
    return any(n.kind == REBUTTAL and n.published_at <= now for n in case.notices)


class DeadlineOutcome(StrEnum):
    ON_TIME = "on_time"  # the statement came within the statutory time
    LATE = "late"  # it came after it
    OVERDUE = "overdue"  # no statement yet and the time is up
    PENDING = "pending"  # no statement yet and time is left, or the clock has not started (not counted)


def statutory_due(clock: ClockFact) -> datetime | None:
    """The due time the law sets, without any extension the spokesperson granted: the report measures the law's
    24 hours, not the Sở's extension of them. Statutory clocks are in hours and never pause; other units keep
    the engine's due time."""
    if clock.start_at is None:
        return None
    if clock.unit == STATUTORY_UNIT:
        return clock.start_at + timedelta(seconds=clock.paused_seconds) + timedelta(hours=clock.length)
    return clock.due_at


def deadline_outcome(clock: ClockFact, now: datetime) -> DeadlineOutcome | None:
    """How a statutory clock stands against the law at ``now``; None when it no longer applies (stopped)."""
    if clock.state == STOPPED:
        return None
    due = statutory_due(clock)
    if clock.state in MET_STATES and clock.met_at is not None and clock.met_at <= now:
        if due is None or clock.met_at <= due:
            return DeadlineOutcome.ON_TIME
        return DeadlineOutcome.LATE
    if due is None:
        return DeadlineOutcome.PENDING
    return DeadlineOutcome.OVERDUE if due <= now else DeadlineOutcome.PENDING


# Worst first: a case's outcome over several clocks is the worst of theirs (the SQL of the report ranks them so).
DEADLINE_SEVERITY = (DeadlineOutcome.OVERDUE, DeadlineOutcome.LATE, DeadlineOutcome.PENDING, DeadlineOutcome.ON_TIME)


def case_deadline_outcome(clocks: Iterable[ClockFact], now: datetime) -> DeadlineOutcome | None:
    """The case's outcome over its Art. 7.3/7.4 clocks: late or overdue if any is; pending if any is; else on time.
    None when none applies."""
    outcomes = {o for o in (deadline_outcome(c, now) for c in clocks) if o is not None}
    for worst in DEADLINE_SEVERITY:
        if worst in outcomes:
            return worst
    return None


# --- the six indicators ---------------------------------------------------------------------------------------


class Indicator(StrEnum):
    PRESS_CONFERENCES = "press_conferences"
    PRESS_BRIEFINGS = "press_briefings"
    PRESS_REPLIES = "press_replies"
    UNUSUAL_CASES_SPOKEN = "unusual_cases_spoken"
    STATEMENTS_ON_TIME = "statements_on_time"
    UNTRUE_REPORTS_REBUTTED = "untrue_reports_rebutted"


@dataclass(frozen=True)
class IndicatorDefinition:
    number: int
    code: Indicator
    label: Message  # the template's wording (Phụ lục of Decree 244/2026), translated for the English report
    definition: Message  # how CrisisDesk counts it
    ratio: bool  # "x / total"


INDICATORS: tuple[IndicatorDefinition, ...] = (
    IndicatorDefinition(1, Indicator.PRESS_CONFERENCES, _("Số cuộc họp báo tổ chức trong năm"),
                        _("Các cuộc họp báo do Sở tổ chức (trực tiếp hoặc trực tuyến) trong kỳ, theo sổ họp báo, "
                          "giao ban."), ratio=False),
    IndicatorDefinition(2, Indicator.PRESS_BRIEFINGS,
                        _("Số lần cơ quan hành chính chủ động đến cung cấp thông tin tại giao ban báo chí trong năm"),
                        _("Các lần Sở chủ động đến cung cấp thông tin tại giao ban báo chí trong kỳ, theo sổ họp "
                          "báo, giao ban."), ratio=False),
    IndicatorDefinition(3, Indicator.PRESS_REPLIES, _("Số lượt trả lời báo chí/tổng số đề nghị của báo chí"),
                        _("Đề nghị của báo chí: vụ việc tiếp nhận trong kỳ là câu hỏi của phóng viên, hoặc có tình "
                          "huống báo chí yêu cầu phát ngôn, tổng biên tập đề nghị trả lời, báo chí chuyển kiến nghị, "
                          "khiếu nại. Đã trả lời: có thông cáo trả lời, phản hồi hoặc từ chối (nêu lý do) đã công "
                          "bố, thời hạn trả lời đã được ghi nhận thực hiện, hoặc đã trả lời tại họp báo, giao "
                          "ban."), ratio=True),
    IndicatorDefinition(4, Indicator.UNUSUAL_CASES_SPOKEN,
                        _("Số vụ việc đột xuất, bất thường đã thực hiện phát ngôn/tổng số vụ việc đột xuất, bất "
                          "thường quy định tại khoản 2, 3, 4, 5 Điều 7"),
                        _("Vụ việc tiếp nhận trong kỳ thuộc khoản 3 (sự kiện có tác động lớn), khoản 4 (dư luận "
                          "nhiều ý kiến không thống nhất) hoặc khoản 5 (báo chí yêu cầu, kể cả câu hỏi của phóng "
                          "viên chưa phân loại). Đã phát ngôn: có thông cáo đã công bố, thời hạn phát ngôn được ghi "
                          "nhận thực hiện, hoặc vụ việc được nêu tại họp báo, giao ban."), ratio=True),
    IndicatorDefinition(5, Indicator.STATEMENTS_ON_TIME,
                        _("Số vụ việc phát ngôn đúng hạn/tổng số vụ việc có áp dụng thời hạn quy định tại khoản 3, "
                          "khoản 4 Điều 7"),
                        _("Vụ việc tiếp nhận trong kỳ có thời hạn 24 giờ cung cấp thông tin ban đầu (khoản 3, 4; "
                          "trước 01/7/2026: Nghị định 09/2017/NĐ-CP, Điều 6 khoản 3 điểm a). Đúng hạn: phát ngôn "
                          "trong 24 giờ theo luật, không tính gia hạn. Vụ việc còn trong hạn hoặc chưa bắt đầu tính "
                          "hạn chưa được tính."), ratio=True),
    IndicatorDefinition(6, Indicator.UNTRUE_REPORTS_REBUTTED,
                        _("Số vụ việc có văn bản phản hồi, yêu cầu cải chính xin lỗi/tổng số vụ việc phát sinh quy "
                          "định tại khoản 6 Điều 7"),
                        _("Vụ việc tiếp nhận trong kỳ về thông tin sai sự thật trên báo chí. Đã phản hồi: có văn "
                          "bản phản hồi (thông cáo loại phản hồi thông tin sai sự thật) đã công bố."), ratio=True),
)  # fmt: skip
DEFINITIONS: dict[Indicator, IndicatorDefinition] = {d.code: d for d in INDICATORS}


class Outcome(StrEnum):
    HELD = "held"
    ANSWERED = "answered"
    NOT_ANSWERED = "not_answered"
    SPOKEN = "spoken"
    NOT_SPOKEN = "not_spoken"
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"
    PENDING = "pending"
    REBUTTED = "rebutted"
    NOT_REBUTTED = "not_rebutted"


OUTCOME_LABELS: dict[Outcome, Message] = {
    Outcome.HELD: _("Được nêu tại họp báo, giao ban"),
    Outcome.ANSWERED: _("Đã trả lời"),
    Outcome.NOT_ANSWERED: _("Chưa trả lời"),
    Outcome.SPOKEN: _("Đã phát ngôn"),
    Outcome.NOT_SPOKEN: _("Chưa phát ngôn"),
    Outcome.ON_TIME: _("Đúng hạn"),
    Outcome.LATE: _("Trễ hạn"),
    Outcome.OVERDUE: _("Quá hạn, chưa phát ngôn"),
    Outcome.PENDING: _("Còn trong hạn, chưa tính"),
    Outcome.REBUTTED: _("Đã có văn bản phản hồi"),
    Outcome.NOT_REBUTTED: _("Chưa có văn bản phản hồi"),
}


@dataclass(frozen=True)
class EventFact:
    id: int
    kind: str  # press_conference | press_briefing | external_press_conference
    held_at: datetime
    held_on: date  # local date
    title: str
    cases: tuple[str, ...] = ()  # references of the cases raised (those the reader may see)


@dataclass(frozen=True)
class CaseLine:
    """A case behind an indicator: what it counted as, and under which provision."""

    reference: str
    title: str
    received_at: datetime
    source_kind: SourceKind
    legal_trigger: LegalTrigger | None
    outcome: Outcome
    counted: bool  # in the numerator
    provision: str | None = None


@dataclass
class IndicatorResult:
    definition: IndicatorDefinition
    numerator: int = 0
    denominator: int | None = None
    cases: list[CaseLine] = field(default_factory=list)  # behind the numbers (the denominator's cases for a ratio)
    pending: list[CaseLine] = field(default_factory=list)  # of the period but not counted yet (indicator 5)
    events: list[EventFact] = field(default_factory=list)  # indicators 1 and 2

    @property
    def rate(self) -> float | None:
        if not self.denominator:
            return None
        return self.numerator / self.denominator


EVENT_KIND_FOR: dict[Indicator, str] = {
    Indicator.PRESS_CONFERENCES: "press_conference",
    Indicator.PRESS_BRIEFINGS: "press_briefing",
}


def _line(case: CaseFacts, outcome: Outcome, counted: bool, trigger: LegalTrigger | None = None) -> CaseLine:
    return CaseLine(case.reference, case.title, case.received_at, case.source_kind, case.legal_trigger, outcome,
                    counted, provision(case, trigger or case.legal_trigger))  # fmt: skip


def annual_indicators(
    cases: Sequence[CaseFacts],
    events: Sequence[EventFact],
    *,
    period: Period,
    now: datetime,
    deadline_clock: frozenset[tuple[str | None, str]],
) -> list[IndicatorResult]:
    """The six indicators over ``period``. ``deadline_clock`` names the statutory clocks of Art. 7.3/7.4 (and
    their Decree 09/2017 equivalent) as ``(pack, rule_key)``."""
    results = {d.code: IndicatorResult(d, denominator=0 if d.ratio else None) for d in INDICATORS}

    for code, kind in EVENT_KIND_FOR.items():
        result = results[code]
        held = sorted((e for e in events if e.kind == kind and e.held_on in period and e.held_at <= now),
                      key=lambda e: (e.held_at, e.id))  # fmt: skip
        result.events = held
        result.numerator = len(held)

    in_period = sorted((c for c in cases if c.received_on in period and c.counted),
                       key=lambda c: (c.received_at, c.reference))  # fmt: skip

    def add(code: Indicator, line: CaseLine) -> None:
        result = results[code]
        result.cases.append(line)
        result.denominator = (result.denominator or 0) + 1
        result.numerator += int(line.counted)

    for case in in_period:
        if is_press_request(case):
            ok = answered(case, now)
            add(Indicator.PRESS_REPLIES, _line(case, Outcome.ANSWERED if ok else Outcome.NOT_ANSWERED, ok))
        trigger = unusual_trigger(case)
        if trigger is not None:
            ok = spoken(case, now)
            add(Indicator.UNUSUAL_CASES_SPOKEN, _line(case, Outcome.SPOKEN if ok else Outcome.NOT_SPOKEN, ok, trigger))
        deadline = case_deadline_outcome((c for c in case.clocks if (c.pack, c.rule_key) in deadline_clock), now)
        if deadline == DeadlineOutcome.PENDING:
            results[Indicator.STATEMENTS_ON_TIME].pending.append(_line(case, Outcome.PENDING, False))
        elif deadline is not None:
            add(Indicator.STATEMENTS_ON_TIME, _line(case, Outcome(deadline.value), deadline == DeadlineOutcome.ON_TIME))
        if case.legal_trigger in UNTRUE_TRIGGERS:
            ok = rebutted(case, now)
            add(Indicator.UNTRUE_REPORTS_REBUTTED, _line(case, Outcome.REBUTTED if ok else Outcome.NOT_REBUTTED, ok))

    return [results[d.code] for d in INDICATORS]


# --- the dashboard --------------------------------------------------------------------------------------------


class Bucket(StrEnum):
    """Where a clock stands, for on-time rates (the deadline engine's view: extensions count)."""

    ON_TIME = "on_time"
    LATE = "late"  # met after its due time
    MISSED = "missed"  # the case was closed unanswered after the due time
    OVERDUE = "overdue"  # still running (or paused) past its due time
    RUNNING = "running"  # still running, time left (not counted in the rate)


DECIDED_BUCKETS = (Bucket.ON_TIME, Bucket.LATE, Bucket.MISSED, Bucket.OVERDUE)

BUCKET_LABELS: dict[Bucket, Message] = {
    Bucket.ON_TIME: _("Đúng hạn"),
    Bucket.LATE: _("Trễ hạn"),
    Bucket.MISSED: _("Quá hạn, không thực hiện"),
    Bucket.OVERDUE: _("Đang quá hạn"),
    Bucket.RUNNING: _("Còn trong hạn"),
}


def clock_bucket(state: str, overdue: bool) -> Bucket | None:
    """A clock's bucket from its state (and, while it ticks, whether its due time has passed); None for a clock
    that has not started (pending) or no longer applies (stopped)."""
    if state == "met_on_time":
        return Bucket.ON_TIME
    if state == "met_late":
        return Bucket.LATE
    if state == "missed":
        return Bucket.MISSED
    if state in ("running", "paused"):
        return Bucket.OVERDUE if overdue else Bucket.RUNNING
    return None


@dataclass
class BucketCounts:
    counts: dict[Bucket, int] = field(default_factory=lambda: dict.fromkeys(Bucket, 0))

    def add(self, bucket: Bucket, n: int = 1) -> None:
        self.counts[bucket] += n

    @property
    def decided(self) -> int:
        return sum(self.counts[b] for b in DECIDED_BUCKETS)

    @property
    def rate(self) -> float | None:
        """On time / (on time + late + missed + overdue); None when nothing is decided yet."""
        return self.counts[Bucket.ON_TIME] / self.decided if self.decided else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th quantile (0–1) by linear interpolation between the closest ranks (Excel's PERCENTILE.INC,
    numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    h = (len(ordered) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


@dataclass(frozen=True)
class Durations:
    """Hours from receipt to an answer, over the cases that got one."""

    count: int  # cases measured (answered)
    of: int  # cases in the period
    median: float | None
    p90: float | None


def durations(hours: Sequence[float], of: int) -> Durations:
    return Durations(len(hours), of, percentile(hours, 0.5), percentile(hours, 0.9))


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def granularity(period: Period) -> Granularity:
    if period.days <= 31:
        return Granularity.DAY
    if period.days <= 190:
        return Granularity.WEEK
    return Granularity.MONTH


def bucket_start(day: date, unit: Granularity) -> date:
    if unit == Granularity.DAY:
        return day
    if unit == Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def timeline(days: Iterable[date], period: Period) -> list[tuple[date, int]]:
    """Cases per day, week (from Monday) or month over the period, every bucket present (zeros too)."""
    per_day: dict[date, int] = {}
    for day in days:
        per_day[day] = per_day.get(day, 0) + 1
    return timeline_of_counts(per_day, period)


def timeline_of_counts(per_day: Mapping[date, int], period: Period) -> list[tuple[date, int]]:
    """The same from the number of cases of each day (the database counts them)."""
    unit = granularity(period)
    counts: dict[date, int] = {}
    start = bucket_start(period.start, unit)
    cursor = start
    while cursor <= period.end:
        counts[cursor] = 0
        if unit == Granularity.DAY:
            cursor += timedelta(days=1)
        elif unit == Granularity.WEEK:
            cursor += timedelta(days=7)
        else:
            cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
    for day, n in per_day.items():
        if day in period:
            counts[bucket_start(day, unit)] += n
    return sorted(counts.items())


def resolve_period(*, year: int | None, start: date | None, end: date | None, today: date) -> Period:
    """The period a report is asked for: a report year, or explicit dates (both inclusive), or by default the
    report year containing ``today``."""
    if year is not None and (start is not None or end is not None):
        raise ValidationFailed(_("Chọn năm báo cáo hoặc khoảng ngày, không chọn cả hai."), field="year")
    if year is not None:
        return report_period(year)
    if start is None and end is None:
        return period_containing(today)
    if start is None or end is None:
        raise ValidationFailed(_("Cần cả ngày bắt đầu và ngày kết thúc."), field="from" if start is None else "to")
    if start > end:
        raise ValidationFailed(_("Ngày bắt đầu phải trước ngày kết thúc."), field="from")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(_("Khoảng thời gian báo cáo dài nhất là 5 năm."), field="from")
    return Period(start, end)
