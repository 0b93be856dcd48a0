"""The report definitions, table-driven: periods, what a case counts for, deadlines against the law, buckets,
percentiles, the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.cases.vocabulary import LegalTrigger, SourceKind
from app.cases.workflow import CloseReason
from app.errors import ValidationFailed
from app.reports import rules
from app.reports.rules import (
    Bucket,
    CaseFacts,
    ClockFact,
    DeadlineOutcome,
    EventFact,
    Indicator,
    NoticeFact,
    Outcome,
    Period,
)
from app.timeutil import local_date

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

NOW = datetime(2026, 12, 18, 3, 0, tzinfo=UTC)
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 08:00 local, 2 Nov 2026
KEYS = frozenset({("decree-244-2026", "initial_information_major_event"),
                  ("decree-244-2026", "initial_information_divided_opinion")})  # fmt: skip


# --- periods --------------------------------------------------------------------------------------------------

PERIODS = [
    ("14 Dec is the last day of its year", date(2026, 12, 14), 2026),
    ("15 Dec starts the next report year", date(2026, 12, 15), 2027),
    ("1 Jan", date(2026, 1, 1), 2026),
    ("31 Dec", date(2026, 12, 31), 2027),
]


@pytest.mark.parametrize(("day", "year"), [p[1:] for p in PERIODS], ids=[p[0] for p in PERIODS])
def test_report_year_of(day: date, year: int) -> None:
    assert rules.report_year_of(day) == year
    assert day in rules.report_period(year)
    assert day not in rules.report_period(year - 1) and day not in rules.report_period(year + 1)


def test_report_period_runs_15_dec_to_14_dec() -> None:
    period = rules.report_period(2026)
    assert (period.start, period.end, period.year) == (date(2025, 12, 15), date(2026, 12, 14), 2026)
    assert period.days == 365


RESOLVE = [
    ("default: the year containing today", {}, Period(date(2025, 12, 15), date(2026, 12, 14), 2026)),
    ("a year", {"year": 2025}, Period(date(2024, 12, 15), date(2025, 12, 14), 2025)),
    ("explicit dates", {"start": date(2026, 1, 1), "end": date(2026, 3, 31)}, Period(date(2026, 1, 1),
                                                                                   date(2026, 3, 31))),
    ("one day", {"start": date(2026, 1, 1), "end": date(2026, 1, 1)}, Period(date(2026, 1, 1), date(2026, 1, 1))),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "expected"), [r[1:] for r in RESOLVE], ids=[r[0] for r in RESOLVE])
def test_resolve_period(kwargs: dict[str, object], expected: Period) -> None:
    args = {"year": None, "start": None, "end": None, **kwargs}
    assert rules.resolve_period(**args, today=date(2026, 11, 27)) == expected  # type: ignore[arg-type]


BAD_PERIODS = [
    ("year and dates", {"year": 2026, "start": date(2026, 1, 1), "end": None}, "year"),
    ("only a start", {"year": None, "start": date(2026, 1, 1), "end": None}, "to"),
    ("only an end", {"year": None, "start": None, "end": date(2026, 1, 1)}, "from"),
    ("backwards", {"year": None, "start": date(2026, 2, 1), "end": date(2026, 1, 1)}, "from"),
    ("too long", {"year": None, "start": date(2010, 1, 1), "end": date(2026, 1, 1)}, "from"),
]


@pytest.mark.parametrize(("kwargs", "field"), [b[1:] for b in BAD_PERIODS], ids=[b[0] for b in BAD_PERIODS])
def test_bad_periods(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        rules.resolve_period(**kwargs, today=date(2026, 11, 27))  # type: ignore[arg-type]
    assert error.value.extra["field"] == field


# --- cases ----------------------------------------------------------------------------------------------------


def clock(state: str = "running", *, start: datetime = T0, hours: int = 24, met_at: datetime | None = None,
          extension: int = 0, met_by: str = "first_notice", key: str = "initial_information_major_event",
          pack: str = "decree-244-2026") -> ClockFact:  # fmt: skip
    due = start + timedelta(hours=hours + extension)
    return ClockFact("statutory", pack, key, met_by, state, start, due, met_at, hours, "hours", extension, 0)


def case(trigger: LegalTrigger | None = None, source: SourceKind = SourceKind.PRESS_ARTICLE, *,
         received: datetime = T0, notices: tuple[NoticeFact, ...] = (), clocks: tuple[ClockFact, ...] = (),
         events: tuple[datetime, ...] = (), close_reason: CloseReason | None = None) -> CaseFacts:  # fmt: skip
    return CaseFacts("VV-2026-00001", "Vụ việc", received, local_date(received), source, trigger, close_reason,
                     "decree-244-2026", notices, clocks, events)  # fmt: skip


def notice(kind: str, at: datetime) -> NoticeFact:
    return NoticeFact(kind, at)


PRESS_REQUESTS = [
    ("a journalist's question", case(None, SourceKind.PRESS_INQUIRY), True),
    ("press request trigger", case(LegalTrigger.PRESS_REQUEST), True),
    ("editor asks for a reply", case(LegalTrigger.EDITOR_REPLY_REQUEST), True),
    ("forwarded feedback", case(LegalTrigger.PRESS_FORWARDED_FEEDBACK), True),
    ("forwarded complaint", case(LegalTrigger.PRESS_FORWARDED_COMPLAINT), True),
    ("a question about a major event", case(LegalTrigger.MAJOR_EVENT, SourceKind.PRESS_INQUIRY), True),
    ("an article on a major event", case(LegalTrigger.MAJOR_EVENT), False),
    ("an untrue report", case(LegalTrigger.UNTRUE_REPORT), False),
    ("public feedback", case(None, SourceKind.PUBLIC_FEEDBACK), False),
]


@pytest.mark.parametrize(("facts", "expected"), [p[1:] for p in PRESS_REQUESTS], ids=[p[0] for p in PRESS_REQUESTS])
def test_press_requests(facts: CaseFacts, expected: bool) -> None:
    assert rules.is_press_request(facts) is expected


UNUSUAL = [
    ("khoản 3", case(LegalTrigger.MAJOR_EVENT), LegalTrigger.MAJOR_EVENT),
    ("khoản 4", case(LegalTrigger.DIVIDED_OPINION), LegalTrigger.DIVIDED_OPINION),
    ("khoản 5", case(LegalTrigger.PRESS_REQUEST), LegalTrigger.PRESS_REQUEST),
    ("an unclassified press inquiry is khoản 5", case(None, SourceKind.PRESS_INQUIRY), LegalTrigger.PRESS_REQUEST),
    ("khoản 6 is not unusual here", case(LegalTrigger.UNTRUE_REPORT), None),
    ("an editor's request (Decree 237)", case(LegalTrigger.EDITOR_REPLY_REQUEST, SourceKind.PRESS_INQUIRY), None),
    ("no trigger", case(None), None),
]


@pytest.mark.parametrize(("facts", "expected"), [u[1:] for u in UNUSUAL], ids=[u[0] for u in UNUSUAL])
def test_unusual_cases(facts: CaseFacts, expected: LegalTrigger | None) -> None:
    assert rules.unusual_trigger(facts) == expected


LATER = NOW + timedelta(hours=1)
ANSWERS = [
    ("a response", case(notices=(notice("response", T0),)), True, True),
    ("a refusal with its reason", case(notices=(notice("refusal", T0),)), True, True),
    ("a rebuttal", case(notices=(notice("rebuttal", T0),)), True, True),
    ("initial information only", case(notices=(notice("initial_information", T0),)), False, True),
    ("embargoed until later", case(notices=(notice("response", LATER),)), False, False),
    ("reply clock met by hand", case(clocks=(clock("met_on_time", met_by="reply", met_at=T0),)), True, True),
    ("first-notice clock met by hand", case(clocks=(clock("met_late", met_at=T0),)), False, True),
    ("raised at a press conference", case(events=(T0,)), True, True),
    ("a press conference still to come", case(events=(LATER,)), False, False),
    ("nothing", case(), False, False),
]


@pytest.mark.parametrize(("facts", "replied", "spoke"), [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS])
def test_answered_and_spoken(facts: CaseFacts, replied: bool, spoke: bool) -> None:
    assert rules.answered(facts, NOW) is replied
    assert rules.spoken(facts, NOW) is spoke


def test_only_a_rebuttal_is_written_feedback() -> None:
    assert rules.rebutted(case(notices=(notice("rebuttal", T0),)), NOW)
    assert not rules.rebutted(case(notices=(notice("response", T0), notice("refusal", T0))), NOW)
    assert not rules.rebutted(case(notices=(notice("rebuttal", LATER),)), NOW)


DEADLINES = [
    ("met within 24 hours", clock("met_on_time", met_at=T0 + timedelta(hours=23)), DeadlineOutcome.ON_TIME),
    ("met at the 24th hour", clock("met_on_time", met_at=T0 + timedelta(hours=24)), DeadlineOutcome.ON_TIME),
    ("met after", clock("met_late", met_at=T0 + timedelta(hours=25)), DeadlineOutcome.LATE),
    ("met within an extension: late for the law",
     clock("met_on_time", met_at=T0 + timedelta(hours=30), extension=12), DeadlineOutcome.LATE),
    ("missed", clock("missed"), DeadlineOutcome.OVERDUE),
    ("still running, past due", clock("running"), DeadlineOutcome.OVERDUE),
    ("still running, time left", clock("running", start=NOW - timedelta(hours=2)), DeadlineOutcome.PENDING),
    ("not started", ClockFact("statutory", "decree-244-2026", "initial_information_divided_opinion", "first_notice",
                              "pending", None, None, None, 24, "hours", 0, 0), DeadlineOutcome.PENDING),
    ("met in the future (embargo), time left", clock("met_on_time", start=NOW - timedelta(hours=2),
                                                      met_at=LATER), DeadlineOutcome.PENDING),
    ("stopped: no longer applies", clock("stopped"), None),
]  # fmt: skip


@pytest.mark.parametrize(("fact", "expected"), [d[1:] for d in DEADLINES], ids=[d[0] for d in DEADLINES])
def test_deadline_outcome(fact: ClockFact, expected: DeadlineOutcome | None) -> None:
    assert rules.deadline_outcome(fact, NOW) == expected


def test_a_case_is_as_late_as_its_worst_clock() -> None:
    on_time = clock("met_on_time", met_at=T0)
    assert rules.case_deadline_outcome([on_time, clock("running")], NOW) == DeadlineOutcome.OVERDUE
    assert rules.case_deadline_outcome([on_time, clock("stopped")], NOW) == DeadlineOutcome.ON_TIME
    assert rules.case_deadline_outcome([clock("stopped")], NOW) is None
    assert rules.case_deadline_outcome([], NOW) is None


# --- the six indicators over hand-made facts -------------------------------------------------------------------


def _facts(ref: str, trigger: LegalTrigger | None, *, received: datetime = T0, **kw: object) -> CaseFacts:
    base = case(trigger, received=received, **kw)  # type: ignore[arg-type]
    return CaseFacts(ref, base.title, base.received_at, base.received_on, base.source_kind, base.legal_trigger,
                     base.close_reason, base.pack, base.notices, base.clocks, base.press_events)  # fmt: skip


def test_annual_indicators() -> None:
    period = rules.report_period(2026)
    last_day = datetime(2026, 12, 14, 16, 59, tzinfo=UTC)  # 14 Dec 23:59 local
    next_year = datetime(2026, 12, 14, 17, 0, tzinfo=UTC)  # 15 Dec 00:00 local
    answer = last_day + timedelta(hours=10)
    cases = [
        _facts("VV-1", LegalTrigger.MAJOR_EVENT, notices=(notice("initial_information", T0),),
               clocks=(clock("met_on_time", met_at=T0 + timedelta(hours=2)),)),
        _facts("VV-2", LegalTrigger.MAJOR_EVENT, clocks=(clock("running"),)),
        _facts("VV-3", LegalTrigger.PRESS_REQUEST, notices=(notice("refusal", T0),)),
        _facts("VV-4", LegalTrigger.UNTRUE_REPORT, notices=(notice("rebuttal", T0),)),
        _facts("VV-5", LegalTrigger.UNTRUE_REPORT, notices=(notice("response", T0),)),
        # received on the last minute of the period, answered the next morning: on time, in this year's report
        _facts("VV-6", LegalTrigger.MAJOR_EVENT, received=last_day, notices=(notice("initial_information", answer),),
               clocks=(clock("met_on_time", start=last_day, met_at=answer),)),
        _facts("VV-9", LegalTrigger.DIVIDED_OPINION, clocks=(ClockFact(
            "statutory", "decree-244-2026", "initial_information_divided_opinion", "first_notice", "pending", None,
            None, None, 24, "hours", 0, 0),)),
        _facts("VV-7", LegalTrigger.MAJOR_EVENT, received=next_year, clocks=(clock("running", start=next_year),)),
        _facts("VV-8", LegalTrigger.PRESS_REQUEST, close_reason=CloseReason.DUPLICATE),
    ]  # fmt: skip
    events = [
        EventFact(1, "press_conference", T0, date(2026, 11, 2), "Họp báo", ("VV-1",)),
        EventFact(2, "press_briefing", T0, date(2026, 11, 2), "Giao ban"),
        EventFact(3, "external_press_conference", T0, date(2026, 11, 2), "UBND"),
        EventFact(4, "press_conference", next_year, date(2026, 12, 15), "Năm sau"),
    ]
    results = {r.definition.code: r for r in rules.annual_indicators(cases, events, period=period, now=NOW,
                                                                      deadline_clock=KEYS)}  # fmt: skip
    assert [r.number for r in rules.INDICATORS] == [1, 2, 3, 4, 5, 6]
    conferences = results[Indicator.PRESS_CONFERENCES]
    assert (conferences.numerator, conferences.denominator, [e.id for e in conferences.events]) == (1, None, [1])
    assert results[Indicator.PRESS_BRIEFINGS].numerator == 1

    replies = results[Indicator.PRESS_REPLIES]
    assert (replies.numerator, replies.denominator) == (1, 1)  # VV-8 is a duplicate
    unusual = results[Indicator.UNUSUAL_CASES_SPOKEN]
    assert {c.reference: c.outcome for c in unusual.cases} == {
        "VV-1": Outcome.SPOKEN, "VV-2": Outcome.NOT_SPOKEN, "VV-3": Outcome.SPOKEN, "VV-6": Outcome.SPOKEN,
            "VV-9": Outcome.NOT_SPOKEN,
    }  # fmt: skip
    on_time = results[Indicator.STATEMENTS_ON_TIME]
    assert {c.reference: c.outcome for c in on_time.cases} == {
        "VV-1": Outcome.ON_TIME, "VV-2": Outcome.OVERDUE, "VV-6": Outcome.ON_TIME,
    }  # fmt: skip
    assert [c.reference for c in on_time.pending] == ["VV-9"]  # its clock has not started: not counted
    assert (on_time.numerator, on_time.denominator) == (2, 3)
    untrue = results[Indicator.UNTRUE_REPORTS_REBUTTED]
    assert {c.reference: c.counted for c in untrue.cases} == {"VV-4": True, "VV-5": False}
    assert untrue.cases[0].provision == "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 6"


# --- dashboard helpers ------------------------------------------------------------------------------------------

BUCKETS = [
    ("met_on_time", False, Bucket.ON_TIME),
    ("met_late", False, Bucket.LATE),
    ("missed", False, Bucket.MISSED),
    ("running", True, Bucket.OVERDUE),
    ("paused", True, Bucket.OVERDUE),
    ("running", False, Bucket.RUNNING),
    ("pending", False, None),
    ("stopped", True, None),
]


@pytest.mark.parametrize(("state", "overdue", "bucket"), BUCKETS)
def test_clock_buckets(state: str, overdue: bool, bucket: Bucket | None) -> None:
    assert rules.clock_bucket(state, overdue) == bucket


def test_rate_counts_only_decided_clocks() -> None:
    counts = rules.BucketCounts()
    assert counts.rate is None
    for bucket, n in ((Bucket.ON_TIME, 3), (Bucket.LATE, 1), (Bucket.RUNNING, 10)):
        counts.add(bucket, n)
    assert (counts.decided, counts.rate) == (4, 0.75)  # type: ignore[comparison-overlap]


PERCENTILES = [
    ("empty", [], 0.5, None),
    ("one value", [7.0], 0.9, 7.0),
    ("odd median", [1.0, 5.0, 3.0], 0.5, 3.0),
    ("even median", [1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
    ("p90 interpolates", [float(i) for i in range(1, 11)], 0.9, 9.1),
]


@pytest.mark.parametrize(("values", "q", "expected"), [p[1:] for p in PERCENTILES], ids=[p[0] for p in PERCENTILES])
def test_percentile(values: list[float], q: float, expected: float | None) -> None:
    result = rules.percentile(values, q)
    assert result == pytest.approx(expected) if expected is not None else result is None


def test_timeline_by_day_week_and_month() -> None:
    month = Period(date(2026, 11, 1), date(2026, 11, 30))
    points = rules.timeline([date(2026, 11, 2), date(2026, 11, 2), date(2026, 12, 1)], month)
    assert len(points) == 30 and points[1] == (date(2026, 11, 2), 2) and sum(n for _d, n in points) == 2
    quarter = Period(date(2026, 9, 1), date(2026, 11, 30))
    weeks = rules.timeline([date(2026, 11, 4)], quarter)
    assert weeks[0][0] == date(2026, 8, 31)  # the Monday of the first week
    assert (date(2026, 11, 2), 1) in weeks
    year = rules.report_period(2026)
    months = rules.timeline([date(2025, 12, 20), date(2026, 12, 14)], year)
    assert [d for d, _n in months][:2] == [date(2025, 12, 1), date(2026, 1, 1)] and len(months) == 13
    assert months[0][1] == 1 and months[-1][1] == 1
