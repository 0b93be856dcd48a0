"""The rules of ``rules.py`` as SQL, so that a report is computed by the database over a year of cases instead of
case by case in Python: one place (this module) translates each rule, from the constants of ``rules.py``, and
``tests/reports/test_sql_rules.py`` checks on a varied set of cases that the database and the rules agree.

Time arithmetic differs between the engines, so three small constructs compile per dialect:

* ``Instant(ts)`` — a timestamp in a form that compares correctly with another computed one: the column itself on
  PostgreSQL (``timestamptz``), ``julianday(ts)`` on SQLite (which stores text; SQLite's date functions work in whole
  milliseconds, so equal instants give equal numbers);
* ``InstantPlusSeconds(ts, seconds)`` — ``ts + seconds`` in the same form;
* ``HoursBetween(start, end)`` — hours from one timestamp to another, a float;
* ``LocalDay(ts)`` — the local date (Asia/Ho_Chi_Minh: UTC+7 all year since 1975) of a UTC timestamp.

Worked example (indicator 5): a clock of 24 hours started 1 Dec 09:00 with no pause is due, for the law, at 2 Dec
09:00 whatever extension was granted: ``InstantPlusSeconds(start_at, 0 + 24 * 3600)``; met at 2 Dec 09:00:00 it is
on time (``<=``), at 09:00:01 late.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, Float, and_, bindparam, exists, func, literal, or_, text
from sqlalchemy import case as sql_case
from sqlalchemy import select as sa_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement
from sqlmodel import col

from app.cases.models import Case
from app.cases.vocabulary import LegalTrigger, SourceKind
from app.clocks.models import Clock
from app.db import UTCDateTime
from app.notices.models import Notice
from app.press_events.models import PressEvent, PressEventCase
from app.reports import rules
from app.timeutil import LOCAL_TZ


def _local_offset_hours() -> int:
    offset = datetime(2026, 1, 1, tzinfo=LOCAL_TZ).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 3600)


# Vietnam has kept UTC+7 without daylight saving since 1975: SQLite shifts by this fixed offset.
LOCAL_OFFSET_HOURS = _local_offset_hours()


class Instant(FunctionElement[Any]):
    inherit_cache = True
    name = "instant"


class InstantPlusSeconds(FunctionElement[Any]):
    inherit_cache = True
    name = "instant_plus_seconds"


class LocalDay(FunctionElement[Any]):
    inherit_cache = True
    name = "local_day"
    type = Date()


@compiles(Instant)
def _instant(element: Instant, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(list(element.clauses)[0], **kw)


@compiles(Instant, "sqlite")
def _instant_sqlite(element: Instant, compiler: SQLCompiler, **kw: Any) -> str:
    return f"julianday({compiler.process(list(element.clauses)[0], **kw)})"


@compiles(InstantPlusSeconds)
def _plus(element: InstantPlusSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    ts, seconds = (compiler.process(c, **kw) for c in element.clauses)
    return f"({ts} + ({seconds}) * interval '1 second')"


@compiles(InstantPlusSeconds, "sqlite")
def _plus_sqlite(element: InstantPlusSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    ts, seconds = (compiler.process(c, **kw) for c in element.clauses)
    return f"julianday({ts}, '+' || ({seconds}) || ' seconds')"


@compiles(LocalDay)
def _local_day(element: LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    ts = compiler.process(list(element.clauses)[0], **kw)
    return f"CAST(({ts} AT TIME ZONE '{LOCAL_TZ.key}') AS DATE)"


@compiles(LocalDay, "sqlite")
def _local_day_sqlite(element: LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    ts = compiler.process(list(element.clauses)[0], **kw)
    return f"date({ts}, '{LOCAL_OFFSET_HOURS:+d} hours')"


class HoursBetween(FunctionElement[Any]):
    inherit_cache = True
    name = "hours_between"
    type = Float()


@compiles(HoursBetween)
def _hours(element: HoursBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


@compiles(HoursBetween, "sqlite")
def _hours_sqlite(element: HoursBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


def report_memory(session: Any) -> None:
    """PostgreSQL: let this transaction's aggregates of a year of cases hash and sort in memory (64 MB) instead of
    spilling to disk with the default 4 MB; reports run in read-only GET requests, one at a time per reader.

    And no JIT compilation: a report's statements are costed over a year of cases, above ``jit_above_cost``, and
    compiling them took longer (0.1–0.3 s a statement at a million cases) than the little they then save."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL jit = off"))


def at(value: datetime, name: str) -> Any:
    """A timestamp parameter typed like the columns (naive UTC text on SQLite)."""
    return bindparam(name, value, type_=UTCDateTime(), unique=True)


# --- what a case is, for the law (rules.py "what a case is") -------------------------------------------------


def counted() -> ColumnElement[bool]:
    """``CaseFacts.counted``: not closed as a duplicate."""
    return or_(col(Case.close_reason).is_(None), col(Case.close_reason).not_in(sorted(rules.EXCLUDED_CLOSE_REASONS)))


def reported() -> ColumnElement[bool]:
    """The cases the yearly report reads: journalists' questions and every trigger an indicator looks at."""
    return or_(
        col(Case.source_kind) == SourceKind.PRESS_INQUIRY, col(Case.legal_trigger).in_(sorted(rules.REPORTED_TRIGGERS))
    )


def press_request() -> ColumnElement[bool]:
    """``rules.is_press_request``."""
    return or_(
        col(Case.source_kind) == SourceKind.PRESS_INQUIRY,
        col(Case.legal_trigger).in_(sorted(rules.PRESS_REQUEST_TRIGGERS)),
    )


def unusual_trigger() -> Any:
    """``rules.unusual_trigger``: the trigger's value, or NULL."""
    return sql_case(
        (col(Case.legal_trigger).in_(sorted(rules.UNUSUAL_TRIGGERS)), col(Case.legal_trigger)),
        (
            and_(col(Case.legal_trigger).is_(None), col(Case.source_kind) == SourceKind.PRESS_INQUIRY),
            literal(LegalTrigger.PRESS_REQUEST.value),
        ),
        else_=None,
    )


def untrue() -> ColumnElement[bool]:
    return col(Case.legal_trigger).in_(sorted(rules.UNTRUE_TRIGGERS))


def _notice_published(now: Any, kinds: frozenset[str] | None = None) -> ColumnElement[bool]:
    conditions = [col(Notice.case_id) == col(Case.id), col(Notice.published_at) <= now]
    if kinds is not None:
        conditions.append(col(Notice.kind).in_(sorted(kinds)))
    return exists().where(*conditions)


def _clock_met(now: Any, met_by: tuple[str, ...]) -> ColumnElement[bool]:
    return exists().where(
        col(Clock.case_id) == col(Case.id),
        col(Clock.met_by).in_(met_by),
        col(Clock.state).in_(sorted(rules.MET_STATES)),
        col(Clock.met_at).is_not(None),
        col(Clock.met_at) <= now,
    )


def _held(now: Any) -> ColumnElement[bool]:
    return exists().where(
        col(PressEventCase.case_id) == col(Case.id),
        col(PressEvent.id) == col(PressEventCase.press_event_id),
        col(PressEvent.held_at) <= now,
    )


def answered(now: Any) -> ColumnElement[bool]:
    """``rules.answered``."""
    return or_(_notice_published(now, rules.REPLY_KINDS), _clock_met(now, (rules.MET_BY_REPLY,)), _held(now))


def spoken(now: Any) -> ColumnElement[bool]:
    """``rules.spoken``."""
    return or_(_notice_published(now), _clock_met(now, (rules.MET_BY_FIRST_NOTICE, rules.MET_BY_REPLY)), _held(now))


def rebutted(now: Any) -> ColumnElement[bool]:
    """``rules.rebutted``."""
    return _notice_published(now, frozenset({rules.REBUTTAL}))


# The rank of each outcome in the SQL: the worst has the highest, so a case's outcome is the max over its clocks.
DEADLINE_RANK: dict[rules.DeadlineOutcome, int] = {
    o: len(rules.DEADLINE_SEVERITY) - i for i, o in enumerate(rules.DEADLINE_SEVERITY)
}
RANK_OUTCOME = {rank: outcome for outcome, rank in DEADLINE_RANK.items()}


def statutory_due() -> Any:
    """``rules.statutory_due`` as an ``Instant``: the law's hours from the start (pauses added), no extension."""
    return sql_case(
        (col(Clock.start_at).is_(None), None),
        (
            col(Clock.unit) == rules.STATUTORY_UNIT,
            InstantPlusSeconds(col(Clock.start_at), col(Clock.paused_seconds) + col(Clock.length) * 3600),
        ),
        else_=Instant(col(Clock.due_at)),
    )


def deadline_rank(now: Any) -> Any:
    """``rules.deadline_outcome`` of one clock, as its ``DEADLINE_RANK`` (NULL for a stopped clock)."""
    due = statutory_due()
    met = and_(col(Clock.state).in_(sorted(rules.MET_STATES)), col(Clock.met_at).is_not(None), col(Clock.met_at) <= now)
    rank = DEADLINE_RANK
    return sql_case(
        (col(Clock.state) == rules.STOPPED, None),
        (
            met,
            sql_case(
                (or_(due.is_(None), Instant(col(Clock.met_at)) <= due), rank[rules.DeadlineOutcome.ON_TIME]),
                else_=rank[rules.DeadlineOutcome.LATE],
            ),
        ),
        (due.is_(None), rank[rules.DeadlineOutcome.PENDING]),
        (due <= Instant(now), rank[rules.DeadlineOutcome.OVERDUE]),
        else_=rank[rules.DeadlineOutcome.PENDING],
    )


def case_deadline_rank(now: Any, deadline_clock: frozenset[tuple[str | None, str]]) -> Any:
    """``rules.case_deadline_outcome`` over the case's Art. 7.3/7.4 clocks, as a rank (NULL: none applies)."""
    return (
        sa_select(func.max(deadline_rank(now)))
        .where(col(Clock.case_id) == col(Case.id), _clock_keys(deadline_clock))
        .scalar_subquery()
    )


# --- the same rules, set-based: a period's cases with their outcomes in one pass -----------------------------


def _clock_keys(deadline_clock: frozenset[tuple[str | None, str]]) -> ColumnElement[bool]:
    keys = [
        and_(col(Clock.pack) == pack if pack is not None else col(Clock.pack).is_(None), col(Clock.rule_key) == key)
        for pack, key in sorted(deadline_clock, key=str)
    ]
    return or_(*keys) if keys else literal(False)


def case_deadline_ranks(
    now: Any, cases: list[ColumnElement[bool]], deadline_clock: frozenset[tuple[str | None, str]]
) -> Any:
    """``case_deadline_rank`` of every case matching ``cases`` (conditions on ``case``) that has an Art. 7.3/7.4
    clock, grouped by case in one read of the cases' clocks: columns ``case_id``, ``deadline``."""
    return (
        sa_select(col(Clock.case_id).label("case_id"), func.max(deadline_rank(now)).label("deadline"))
        .join(Case, col(Case.id) == col(Clock.case_id))
        .where(*cases, _clock_keys(deadline_clock))
        .group_by(col(Clock.case_id))
        .subquery()
    )


def case_outcomes(now: Any, cases: list[ColumnElement[bool]], deadline_clock: frozenset[tuple[str | None, str]]) -> Any:
    """Per case matching ``cases`` (conditions on ``case``): ``answered``, ``spoken``, ``rebutted`` (NULL when the
    indicator does not apply to the case, else 1 or 0) and ``deadline`` (``case_deadline_rank``).

    The same rules as ``answered``/``spoken``/``rebutted``/``case_deadline_rank``, set-based: the cases' notices,
    clocks and press events are each read once, grouped by case and LEFT JOINed, instead of an ``EXISTS`` per case
    and rule (which PostgreSQL turns into hashed sub-plans over the whole notice and clock tables)."""
    notices = (
        sa_select(col(Notice.case_id).label("case_id"),
                  func.max(sql_case((col(Notice.kind).in_(sorted(rules.REPLY_KINDS)), 1), else_=0)).label("reply"),
                  func.max(sql_case((col(Notice.kind) == rules.REBUTTAL, 1), else_=0)).label("rebuttal"))
        .join(Case, col(Case.id) == col(Notice.case_id))
        .where(*cases, col(Notice.published_at) <= now)
        .group_by(col(Notice.case_id))
        .subquery()
    )  # fmt: skip
    met = and_(col(Clock.state).in_(sorted(rules.MET_STATES)), col(Clock.met_at).is_not(None), col(Clock.met_at) <= now)
    by_reply = and_(met, col(Clock.met_by) == rules.MET_BY_REPLY)
    by_notice = and_(met, col(Clock.met_by).in_((rules.MET_BY_FIRST_NOTICE, rules.MET_BY_REPLY)))
    keys = _clock_keys(deadline_clock)
    clocks = (
        sa_select(col(Clock.case_id).label("case_id"),
                  func.max(sql_case((by_reply, 1), else_=0)).label("reply"),
                  func.max(sql_case((by_notice, 1), else_=0)).label("spoken"),
                  func.max(sql_case((keys, deadline_rank(now)), else_=None)).label("deadline"))
        .join(Case, col(Case.id) == col(Clock.case_id))
        .where(*cases, or_(by_notice, keys))
        .group_by(col(Clock.case_id))
        .subquery()
    )  # fmt: skip
    held = (
        sa_select(col(PressEventCase.case_id).label("case_id"))
        .join(PressEvent, col(PressEvent.id) == col(PressEventCase.press_event_id))
        .join(Case, col(Case.id) == col(PressEventCase.case_id))
        .where(*cases, col(PressEvent.held_at) <= now)
        .group_by(col(PressEventCase.case_id))
        .subquery()
    )
    n, c, h = notices.c, clocks.c, held.c
    was_held = h.case_id.is_not(None)

    def flag(applies: ColumnElement[bool], *ways: ColumnElement[bool]) -> Any:
        return sql_case((applies, sql_case((or_(*ways), 1), else_=0)), else_=None)

    return (
        sa_select(
            col(Case.id).label("case_id"),
            flag(press_request(), n.reply == 1, c.reply == 1, was_held).label("answered"),
            flag(unusual_trigger().is_not(None), n.case_id.is_not(None), c.spoken == 1, was_held).label("spoken"),
            flag(untrue(), n.rebuttal == 1).label("rebutted"),
            c.deadline.label("deadline"),
        )
        .select_from(Case)
        .outerjoin(notices, n.case_id == col(Case.id))
        .outerjoin(clocks, c.case_id == col(Case.id))
        .outerjoin(held, h.case_id == col(Case.id))
        .where(*cases)
        .subquery()
    )
