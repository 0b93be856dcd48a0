"""The yearly report of Decree 244/2026 Art. 10, computed by the database: the six indicators' totals in one query,
and the cases behind each number read a page at a time (or streamed, for the files).

What counts is defined in ``rules.py`` and translated to SQL in ``sql.py`` (a test checks they agree). A year of a
big deployment holds hundreds of thousands of case lines: the report returns the totals and the first lines of
each indicator; the rest is paged (``annual_lines``, keyset on ``(received_at, id)``) or streamed
(``iter_annual_lines``, the CSV and XLSX files).

Worked example: indicator 3 over a year with 120,000 press requests is two numbers from one aggregate query
(``numerator``, ``denominator``), the first 100 lines (``cases``, oldest received first) and ``cases_cursor``, which
``GET /api/v1/reports/annual/3/cases?cursor=…`` continues from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, func, tuple_
from sqlalchemy import case as sql_case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.cases.models import Case
from app.cases.scope import visibility_clause
from app.cases.vocabulary import LegalTrigger
from app.errors import BadRequest
from app.i18n import _, text
from app.press_events.models import PressEvent, PressEventCase, PressEventKind
from app.reports import rules, sql
from app.reports.models import (
    AnnualReport,
    IndicatorCasePage,
    IndicatorCaseRead,
    IndicatorEventRead,
    IndicatorRead,
    PeriodRead,
)
from app.reports.rules import DeadlineOutcome, Outcome, Period
from app.rules.packs import all_packs, pack_for_day
from app.timeutil import local_date, local_midnight, to_local

FIRST_LINES = 100  # lines of each indicator in the report itself
MAX_LINES = 1000  # lines per page
STREAM_BATCH = 2000  # lines per query when streaming a file

R = sql.DEADLINE_RANK
DECIDED_RANKS = sorted(R[o] for o in (DeadlineOutcome.ON_TIME, DeadlineOutcome.LATE, DeadlineOutcome.OVERDUE))
CASE_INDICATORS = (3, 4, 5, 6)  # the ratios: their cases come from the case lines below


def window(period: Period) -> tuple[datetime, datetime]:
    return local_midnight(period.start), local_midnight(period.end + timedelta(days=1))


def period_read(period: Period) -> PeriodRead:
    return PeriodRead(start=period.start, end=period.end, year=period.year)


def deadline_clock_keys() -> frozenset[tuple[str | None, str]]:
    """The statutory clocks of Art. 7.3/7.4 (and Decree 09/2017 Art. 6.3.a) in every rule pack."""
    return frozenset((p.code, c.key) for p in all_packs() for c in p.clocks if c.trigger in rules.DEADLINE_TRIGGERS)


def _base(actor: Actor, period: Period) -> list[ColumnElement[bool]]:
    """The cases the report reads: the actor's, received in the period, not duplicates, of a reported kind."""
    lo, hi = window(period)
    conditions = [col(Case.received_at) >= lo, col(Case.received_at) < hi, sql.counted(), sql.reported()]
    clause = visibility_clause(actor)
    if clause is not None:
        conditions.append(clause)
    return conditions


@dataclass(frozen=True)
class _Flags:
    """Per case, NULL when the indicator does not apply to it, else 1 (in the numerator) or 0; ``deadline`` is the
    rank of the case's indicator-5 outcome (``sql.DEADLINE_RANK``)."""

    answered: Any
    spoken: Any
    rebutted: Any
    deadline: Any


def _flags(now: datetime) -> _Flags:
    at = sql.at(now, "now")
    return _Flags(
        answered=sql_case((sql.press_request(), sql_case((sql.answered(at), 1), else_=0)), else_=None),
        spoken=sql_case((sql.unusual_trigger().is_not(None), sql_case((sql.spoken(at), 1), else_=0)), else_=None),
        rebutted=sql_case((sql.untrue(), sql_case((sql.rebutted(at), 1), else_=0)), else_=None),
        deadline=sql.case_deadline_rank(at, deadline_clock_keys()),
    )


def _totals(session: Session, *, actor: Actor, period: Period, now: datetime) -> dict[int, tuple[int, int, int]]:
    """(numerator, denominator, pending) of indicators 3–6, in one query over the period's cases joined once to
    their notices, clocks and press events (``sql.case_outcomes``)."""
    f = sql.case_outcomes(sql.at(now, "now"), _base(actor, period), deadline_clock_keys()).c

    def n(condition: Any) -> Any:
        return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)

    row = session.execute(
        sa_select(
            n(f.answered == 1),
            func.count(f.answered),
            n(f.spoken == 1),
            func.count(f.spoken),
            n(f.deadline == R[DeadlineOutcome.ON_TIME]),
            n(f.deadline.in_(DECIDED_RANKS)),
            n(f.deadline == R[DeadlineOutcome.PENDING]),
            n(f.rebutted == 1),
            func.count(f.rebutted),
        )
    ).one()
    a, b, c, d, e, g, pending, h, i = (int(v or 0) for v in row)
    return {3: (a, b, 0), 4: (c, d, 0), 5: (e, g, pending), 6: (h, i, 0)}


# --- the case lines ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinePage:
    items: list[rules.CaseLine]
    next_cursor: str | None  # raw: "<received_at, UTC>~<id>"


CURSOR_TIME = "%Y%m%dT%H%M%S.%f"  # UTC; nothing a query string would need to escape


def _encode(received_at: datetime, ident: int) -> str:
    return f"{received_at.astimezone(UTC).strftime(CURSOR_TIME)}~{ident}"


def _cursor(raw: str | None) -> tuple[datetime, int] | None:
    if not raw:
        return None
    at, _sep, ident = raw.rpartition("~")
    try:
        return datetime.strptime(at, CURSOR_TIME).replace(tzinfo=UTC), int(ident)
    except ValueError as exc:
        raise BadRequest(_("Tham số cursor không hợp lệ."), field="cursor") from exc


class _Packs:
    """The rule pack in force on each local day (cached: a year has at most 366)."""

    def __init__(self) -> None:
        self.by_day: dict[date, str | None] = {}

    def __call__(self, received_at: datetime) -> str | None:
        day = local_date(received_at)
        if day not in self.by_day:
            pack = pack_for_day(day)
            self.by_day[day] = pack.code if pack else None
        return self.by_day[day]


# What a line of indicators 3, 4 and 6 says, when the case is in the numerator and when it is not.
OUTCOME_PAIRS: dict[int, tuple[Outcome, Outcome]] = {
    3: (Outcome.ANSWERED, Outcome.NOT_ANSWERED),
    4: (Outcome.SPOKEN, Outcome.NOT_SPOKEN),
    6: (Outcome.REBUTTED, Outcome.NOT_REBUTTED),
}


def _membership(
    number: int, *, pending: bool, now: datetime, base: list[ColumnElement[bool]]
) -> tuple[Any, ColumnElement[bool]]:
    """The column that decides a line of indicator ``number``, and which cases of ``base`` have one: on the case's
    own columns for 3, 4 and 6; for 5, the case's deadline rank — probed case by case in received order for the
    decided ones (one in six reported cases: a page stops early), from the period's Art. 7.3/7.4 clocks grouped by
    case in one read for the few pending ones (probing would walk the whole period to find them)."""
    flags = _flags(now)
    if number == 3:
        return flags.answered, sql.press_request()
    if number == 4:
        return flags.spoken, sql.unusual_trigger().is_not(None)
    if number == 6:
        return flags.rebutted, sql.untrue()
    if not pending:
        return flags.deadline, flags.deadline.in_(DECIDED_RANKS)
    ranks = sql.case_deadline_ranks(sql.at(now, "now_ranks"), base, deadline_clock_keys())
    return flags.deadline, col(Case.id).in_(
        sa_select(ranks.c.case_id).where(ranks.c.deadline == R[DeadlineOutcome.PENDING])
    )


def _outcome(number: int, value: Any) -> tuple[Outcome, bool]:
    """(outcome, counted in the numerator) from the deciding column."""
    if number == 5:
        result = sql.RANK_OUTCOME[int(value)]
        return Outcome(result.value), result == DeadlineOutcome.ON_TIME
    yes, no = OUTCOME_PAIRS[number]
    return (yes, True) if value == 1 else (no, False)


def annual_lines(
    session: Session,
    *,
    actor: Actor,
    period: Period,
    now: datetime,
    number: int,
    pending: bool = False,
    cursor: str | None = None,
    limit: int = FIRST_LINES,
) -> LinePage:
    """A page of the cases behind indicator ``number`` (3–6; ``pending``: indicator 5's cases not counted yet),
    oldest received first, after ``cursor``."""
    require(actor, Permission.REPORTS_VIEW)
    if number not in CASE_INDICATORS or (pending and number != 5):
        return LinePage([], None)
    base = _base(actor, period)
    after = _cursor(cursor)
    if after is not None:  # (also bounds indicator 5's grouped clocks: a later page reads fewer of them)
        base.append(col(Case.received_at) >= sql.at(after[0], "after_from"))
    decider, member = _membership(number, pending=pending, now=now, base=base)
    # The page's cases first (on the case's columns and the keyset), then their outcomes: the per-case look-ups run
    # for these lines only, and PostgreSQL, planning for a page, probes rather than hashing whole tables.
    ids: Select[tuple[int]] = sa_select(col(Case.id).label("id")).where(*base, member)
    if after is not None:
        ids = ids.where(tuple_(col(Case.received_at), col(Case.id)) > tuple_(sql.at(after[0], "after_at"), after[1]))
    page = ids.order_by(col(Case.received_at), col(Case.id)).limit(limit + 1).subquery()
    query = (
        sa_select(
            col(Case.id),
            col(Case.reference),
            col(Case.title),
            col(Case.received_at),
            col(Case.source_kind),
            col(Case.legal_trigger),
            sql.unusual_trigger().label("unusual"),
            decider.label("decider"),
        )
        .join(page, page.c.id == col(Case.id))
        .order_by(col(Case.received_at), col(Case.id))
    )
    rows = session.execute(query).all()
    packs = _Packs()
    items = []
    for row in rows[:limit]:
        outcome, counted = _outcome(number, row.decider)
        if pending:
            outcome, counted = Outcome.PENDING, False
        trigger: LegalTrigger | None = row.unusual if number == 4 else row.legal_trigger
        items.append(
            rules.CaseLine(
                row.reference,
                row.title,
                row.received_at,
                row.source_kind,
                row.legal_trigger,
                outcome,
                counted,
                rules.provision_of(packs(row.received_at), trigger),
            )
        )
    last = rows[limit - 1] if len(rows) > limit and limit > 0 else None
    return LinePage(items, _encode(last.received_at, last.id) if last is not None else None)


def iter_annual_lines(
    open_session: Callable[[], Any], *, actor: Actor, period: Period, now: datetime, number: int, pending: bool = False
) -> Iterator[rules.CaseLine]:
    """Every case line of an indicator, read in batches (memory stays flat whatever the year holds)."""
    with open_session() as session:
        cursor: str | None = None
        while True:
            page = annual_lines(
                session,
                actor=actor,
                period=period,
                now=now,
                number=number,
                pending=pending,
                cursor=cursor,
                limit=STREAM_BATCH,
            )
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor


# --- press events (indicators 1 and 2) ---------------------------------------------------------------------------


def _event_facts(session: Session, *, actor: Actor, period: Period) -> list[rules.EventFact]:
    lo, hi = window(period)
    events = session.exec(
        select(PressEvent)
        .where(col(PressEvent.held_at) >= lo, col(PressEvent.held_at) < hi)
        .order_by(col(PressEvent.held_at), col(PressEvent.id))
    ).all()
    refs: dict[int, list[str]] = defaultdict(list)
    if events:
        query = (
            select(PressEventCase.press_event_id, Case.reference)
            .join(Case, col(Case.id) == col(PressEventCase.case_id))
            .where(col(PressEventCase.press_event_id).in_([e.id for e in events]))
            .order_by(col(Case.reference))
        )
        clause = visibility_clause(actor)
        if clause is not None:
            query = query.where(clause)
        for event_id, reference in session.execute(query).all():
            refs[event_id].append(reference)
    result = []
    for e in events:
        assert e.id is not None
        result.append(rules.EventFact(e.id, e.kind.value, e.held_at, local_date(e.held_at), e.title, tuple(refs[e.id])))
    return result


def _event_cases(session: Session, references: set[str], locale: str) -> list[IndicatorCaseRead]:
    if not references:
        return []
    held = text(rules.OUTCOME_LABELS[rules.Outcome.HELD], locale)
    rows = session.execute(
        sa_select(
            col(Case.reference), col(Case.title), col(Case.received_at), col(Case.source_kind), col(Case.legal_trigger)
        )
        .where(col(Case.reference).in_(sorted(references)))
        .order_by(col(Case.reference))
    ).all()
    return [
        IndicatorCaseRead(
            reference=r.reference,
            title=r.title,
            received_at=to_local(r.received_at),
            source_kind=r.source_kind,
            legal_trigger=r.legal_trigger,
            provision=None,
            outcome=rules.Outcome.HELD.value,
            outcome_label=held,
            counted=True,
        )
        for r in rows
    ]


def case_line_read(line: rules.CaseLine, locale: str) -> IndicatorCaseRead:
    return IndicatorCaseRead(
        reference=line.reference,
        title=line.title,
        received_at=to_local(line.received_at),
        source_kind=line.source_kind,
        legal_trigger=line.legal_trigger,
        provision=line.provision,
        outcome=line.outcome.value,
        outcome_label=_outcome_label(line.outcome, locale),
        counted=line.counted,
    )


@cache
def _outcome_label(outcome: Outcome, locale: str) -> str:
    return text(rules.OUTCOME_LABELS[outcome], locale)


# --- the report ---------------------------------------------------------------------------------------------------


def annual_report(
    session: Session, *, actor: Actor, period: Period, now: datetime, locale: str, lines: int = FIRST_LINES
) -> AnnualReport:
    """The six indicators of Decree 244/2026 Art. 10 over ``period``: the totals, the press events of 1 and 2 with
    the cases raised at them, and the first ``lines`` cases behind each of 3–6 (``cases_cursor``/``pending_cursor``
    continue them: raw cursors, the web layer signs them)."""
    require(actor, Permission.REPORTS_VIEW)
    lines = max(0, min(lines, MAX_LINES))
    sql.report_memory(session)
    totals = _totals(session, actor=actor, period=period, now=now)
    events = _event_facts(session, actor=actor, period=period)
    indicators = []
    for d in rules.INDICATORS:
        read = IndicatorRead(
            number=d.number,
            code=d.code.value,
            label=str(d.label),
            label_en=text(d.label, "en"),
            definition=text(d.definition, locale),
            numerator=0,
            denominator=0 if d.ratio else None,
            rate=None,
            cases=[],
            pending=[],
            events=[],
            cases_total=0,
            pending_total=0,
        )
        if d.number in totals:
            read.numerator, read.denominator, read.pending_total = totals[d.number]
            read.cases_total = read.denominator or 0
            read.rate = read.numerator / read.denominator if read.denominator else None
            if not lines:
                indicators.append(read)
                continue
            page = annual_lines(session, actor=actor, period=period, now=now, number=d.number, limit=lines)
            read.cases, read.cases_cursor = [case_line_read(x, locale) for x in page.items], page.next_cursor
            if d.number == 5:
                page = annual_lines(session, actor=actor, period=period, now=now, number=5, pending=True, limit=lines)
                read.pending, read.pending_cursor = [case_line_read(x, locale) for x in page.items], page.next_cursor
        else:
            kind = rules.EVENT_KIND_FOR[d.code]
            held = [e for e in events if e.kind == kind and e.held_on in period and e.held_at <= now]
            read.numerator = len(held)
            read.events = [
                IndicatorEventRead(
                    id=e.id,
                    kind=PressEventKind(e.kind),
                    held_at=to_local(e.held_at),
                    title=e.title,
                    cases=list(e.cases),
                )
                for e in held
            ]
            # The cases behind a count of press events: those raised at them.
            read.cases = _event_cases(session, {ref for e in held for ref in e.cases}, locale)
            read.cases_total = len(read.cases)
        indicators.append(read)
    return AnnualReport(
        year=period.year, period=period_read(period), as_of=now, scope=_scope(actor), indicators=indicators
    )


def _scope(actor: Actor) -> Any:
    return "all" if actor.sees_all_cases else "units"


def indicator_cases(
    session: Session,
    *,
    actor: Actor,
    period: Period,
    now: datetime,
    locale: str,
    number: int,
    pending: bool,
    cursor: str | None,
    limit: int,
) -> IndicatorCasePage:
    """A page of the cases behind indicator ``number``; for 1 and 2 the cases raised at its press events, at once."""
    require(actor, Permission.REPORTS_VIEW)
    if number not in CASE_INDICATORS:
        if pending or cursor:
            return IndicatorCasePage(number=number, pending=pending, items=[], next_cursor=None)
        kind = rules.EVENT_KIND_FOR[rules.INDICATORS[number - 1].code]
        held = [e for e in _event_facts(session, actor=actor, period=period) if e.kind == kind and e.held_at <= now]
        items = _event_cases(session, {ref for e in held for ref in e.cases}, locale)
        return IndicatorCasePage(number=number, pending=False, items=items, next_cursor=None)
    page = annual_lines(
        session, actor=actor, period=period, now=now, number=number, pending=pending, cursor=cursor, limit=limit
    )
    return IndicatorCasePage(
        number=number,
        pending=pending,
        items=[case_line_read(x, locale) for x in page.items],
        next_cursor=page.next_cursor,
    )


def all_lines(
    open_session: Callable[[], Any], report: AnnualReport, *, actor: Actor, period: Period, now: datetime, locale: str
) -> Iterator[tuple[int, IndicatorCaseRead]]:
    """Every case behind every indicator, in the report's order (indicator, then its cases, then the pending ones),
    read in batches: the rows of the files."""
    for indicator in report.indicators:
        if indicator.number not in CASE_INDICATORS:
            for line in indicator.cases:
                yield indicator.number, line
            continue
        for pending in (False, True) if indicator.number == 5 else (False,):
            for x in iter_annual_lines(
                open_session, actor=actor, period=period, now=now, number=indicator.number, pending=pending
            ):
                yield indicator.number, case_line_read(x, locale)
