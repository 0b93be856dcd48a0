"""The dashboard's volumes, clock buckets and durations, and the units report's parts, from per-day aggregates,
exact at every moment: for the whole Sở and for each unit's scope (a unit head's).

What of them does not depend on *now* is kept per local day of receipt (tables in ``models.py``, migration
5e1b7c9d3a2f): the cases per topic, lead unit, source kind, severity and day (``report_volume_day``); the clocks in a
final state per origin, basis, state and unit (``report_clock_day``); per case with a notice, the time of its first
notice and first reply with the hours to them (``report_duration_case``: at a moment *now* the case counts if its
first notice is ``<= now``, its reply if that is). A running or paused clock depends on *now* (past due or not): it
is always counted live. The units report's parts (migration 3c7a9e2d4b61, ``report_unit_day``): per unit, the cases
supported, the tasks and the cases answered (whenever) by day of receipt — answered at *now* takes off the stored
cases whose first reply is after *now* — and the notices by day of PUBLICATION, read from the table only for the
days before the local day of *now*.

Scopes (migration 9d4e2a7c1b85): every row has a ``scope_unit_id`` — NULL for the whole Sở's figures, a unit's id for
the figures of the cases that unit leads or supports (what ``visibility_clause`` shows its head). The refresh
writes each case's figures once in the whole Sở's rows, once in its lead unit's and once in each supporting unit's
that is not its lead unit (``_scopes``): a unit that leads and supports a case counts it once. A read takes one
``Reader``: the stored rows of its scope and, for the stale days, the live queries with its visibility condition.
A head of several units is read live (a case one unit leads and another supports is in both scopes). Worked
example: a case led by GDTrH and supported by GDTH and GDTrH → rows for NULL, GDTrH and GDTH, one each.
A case moving between scopes (lead unit changed, a supporting unit added or removed) marks its days through the
triggers below (``case``, ``case_supporting_unit``), receipt and publication alike.

Staleness: database triggers on ``case``, ``clock``, ``task``, ``notice`` and ``case_supporting_unit`` append the
local day of receipt of every row a write touches to ``report_dirty`` (and, for the notices, their days of
publication: a marked day is stale on both axes) — an insert-only log, so writers never wait on one another, and
Core ``update()`` statements are covered like ORM flushes. A read takes the period's dirty days once, computes
them live with the queries of the live path restricted to them (``received_at`` ranges, indexed), and the other
days from the aggregates: each day comes from one side only, so no figure is counted twice or missed, and
correctness never depends on the worker having run. Nothing refreshed yet (the migration marks every day dirty)
costs what the live path costs.

``refresh`` (the worker's "report aggregates" job) reads the marks of the oldest stale days, recomputes those days
and deletes exactly the marks it read: a write that commits meanwhile leaves its own mark, so its day stays dirty.
Worked example: a clock of a case received 3 Jun 2026 10:00 (local) is met → the trigger appends (3 Jun); until the
refresh, the dashboard reads 3 Jun live and 2 and 4 Jun from the aggregates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import datetime as dt
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    not_,
    null,
    or_,
)
from sqlalchemy import case as sql_case
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.cases.models import Case, CaseSupportingUnit
from app.clocks.models import TICKING_STATES, Clock, ClockOrigin
from app.notices.models import Notice
from app.reports import rules, sql
from app.reports.models import ReportClockDay, ReportDirty, ReportDurationCase, ReportUnitDay, ReportVolumeDay
from app.reports.rules import Period
from app.rules.schema import ClockActor
from app.tasks.models import Task
from app.timeutil import local_date, local_midnight

DIMENSIONS = ("topic", "lead_unit_id", "source_kind", "severity", "day")
Volumes = dict[str, dict[Any, tuple[int, int]]]  # dimension → value → (counted, all)
UNIT_PARTS = ("supported", "tasks", "answered", "notices")
UnitParts = dict[str, dict[Any, int]]  # part → unit id → count


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- the live queries (also the unit heads' whole path) -------------------------------------------------------


def dimension_columns() -> dict[str, Any]:
    return {"topic": col(Case.topic), "lead_unit_id": col(Case.lead_unit_id), "source_kind": col(Case.source_kind),
            "severity": col(Case.severity), "day": sql.LocalDay(col(Case.received_at))}  # fmt: skip


def live_volumes(session: Session, where: list[ColumnElement[bool]]) -> Volumes:
    """The cases matching ``where`` (duplicates included) per value of each dimension: (counted, all). One pass
    (GROUPING SETS) on PostgreSQL, a query each on SQLite."""
    columns = dimension_columns()
    counted = func.sum(sql_case((sql.counted(), 1), else_=0))
    result: Volumes = {name: {} for name in DIMENSIONS}
    if _postgres(session):
        grouping = func.grouping(*columns.values())
        rows = session.execute(
            sa_select(grouping, *columns.values(), counted, func.count()).where(*where)
            .group_by(func.grouping_sets(*columns.values()))
        ).all()  # fmt: skip
        width = len(DIMENSIONS)
        for row in rows:
            # GROUPING() has a bit set for each column the row is NOT grouped by (the first column is the high bit).
            index = next(i for i in range(width) if not row[0] & (1 << (width - 1 - i)))
            result[DIMENSIONS[index]][row[1 + index]] = (int(row[-2] or 0), int(row[-1]))
    else:
        for name, column in columns.items():
            for value, n, total in session.execute(
                sa_select(column, counted, func.count()).where(*where).group_by(column)
            ).all():
                result[name][value] = (int(n or 0), int(total))
    return result


def clock_unit() -> Any:
    """The unit that must meet a clock: a task's unit for an information task; the lead unit for a clock whose
    actor is the unit (its internal targets); none otherwise."""
    return sql_case(
        (col(Clock.origin) == ClockOrigin.TASK, col(Task.unit_id)),
        (col(Clock.actor) == ClockActor.UNIT, col(Case.lead_unit_id)),
        else_=null(),
    )


def live_clock_groups(now: dt, where: list[ColumnElement[bool]]) -> Select[Any]:
    """The clocks of the cases matching ``where`` (conditions on ``case`` and ``clock``) counted by (origin, basis,
    state, past due, unit): columns origin, basis, state, overdue, unit_id, name (the smallest), n."""
    past_due = and_(col(Clock.state).in_(sorted(TICKING_STATES)), col(Clock.due_at).is_not(None),
                    col(Clock.due_at) < now)  # fmt: skip
    overdue = sql_case((past_due, 1), else_=0).label("overdue")
    unit = clock_unit().label("unit_id")
    return (
        sa_select(col(Clock.origin), col(Clock.basis), col(Clock.state), overdue, unit,
                  func.min(Clock.name).label("name"), func.count().label("n"))
        .select_from(Clock)
        .join(Case, col(Case.id) == col(Clock.case_id))
        .outerjoin(Task, col(Task.id) == col(Clock.task_id))
        .where(*where)
        .group_by(col(Clock.origin), col(Clock.basis), col(Clock.state), overdue, unit)
    )  # fmt: skip


def _first_notices(where: list[ColumnElement[bool]], by: Sequence[Any] = ()) -> Select[Any]:
    """Per case matching ``where`` (conditions on ``case`` and ``notice``) that has a notice: its receipt, its
    first notice's time and its first reply's (NULL: none); ``by``: columns to group by too (the refresh's scope)."""
    first_reply = func.min(sql_case((col(Notice.kind).in_(sorted(rules.REPLY_KINDS)), col(Notice.published_at))))
    first: Any = func.min(Notice.published_at)
    firsts: Select[Any] = (
        sa_select(col(Case.received_at).label("received_at"), first.label("first"), first_reply.label("first_reply"),
                  col(Case.lead_unit_id).label("lead_unit_id"), *by)
        .select_from(Notice)
        .join(Case, col(Case.id) == col(Notice.case_id))
        .where(*where)
        .group_by(col(Case.id), col(Case.received_at), col(Case.lead_unit_id), *by)
    )  # fmt: skip
    return firsts


def live_duration_hours(now: dt, where: list[ColumnElement[bool]]) -> Select[Any]:
    """Per case matching ``where`` that got a notice by ``now``: the hours from receipt to its first notice
    (``first_hours``) and to its first reply (``reply_hours``, NULL: none yet); not clamped at 0."""
    c = _first_notices([*where, col(Notice.published_at) <= now]).subquery().c
    hours: Select[Any] = sa_select(sql.HoursBetween(c.received_at, c.first).label("first_hours"),
                     sql.HoursBetween(c.received_at, c.first_reply).label("reply_hours"))  # fmt: skip
    return hours


# The units report's parts per unit (``by``: columns to group by first, the refresh's day). The unit head's scope
# looks at case_supporting_unit itself (a correlated EXISTS): the rows counted here are read through an alias.


def _per_unit(unit: Any, by: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    return [*by, unit.label("unit_id"), func.count().label("n")], [*by, unit]


def live_supported(where: list[ColumnElement[bool]], by: Sequence[Any] = ()) -> Select[Any]:
    """The cases matching ``where`` per unit supporting them."""
    support = aliased(CaseSupportingUnit)
    columns, keys = _per_unit(col(support.unit_id), by)
    return (sa_select(*columns).select_from(support).join(Case, col(Case.id) == col(support.case_id))
            .where(*where).group_by(*keys))  # fmt: skip


def live_tasks(where: list[ColumnElement[bool]], by: Sequence[Any] = ()) -> Select[Any]:
    """The information tasks on the cases matching ``where`` per unit given them."""
    columns, keys = _per_unit(col(Task.unit_id), by)
    return (sa_select(*columns).select_from(Task).join(Case, col(Case.id) == col(Task.case_id))
            .where(*where).group_by(*keys))  # fmt: skip


def live_answered(now: dt, where: list[ColumnElement[bool]]) -> Select[Any]:
    """The cases matching ``where`` with a reply published by ``now``, per lead unit."""
    reply = exists().where(col(Notice.case_id) == col(Case.id), col(Notice.kind).in_(sorted(rules.REPLY_KINDS)),
                           col(Notice.published_at) <= now)  # fmt: skip
    columns, keys = _per_unit(col(Case.lead_unit_id), ())
    return sa_select(*columns).where(*where, reply).group_by(*keys)


def live_notices(where: list[ColumnElement[bool]], by: Sequence[Any] = ()) -> list[Select[Any]]:
    """The notices matching ``where`` (conditions on ``notice`` and ``case``) per unit that led their case, and per
    unit supporting it (a notice counts for each)."""
    lead = col(Case.lead_unit_id)
    columns, keys = _per_unit(lead, by)
    led = (sa_select(*columns).select_from(Notice).join(Case, col(Case.id) == col(Notice.case_id))
           .where(*where, lead.is_not(None)).group_by(*keys))  # fmt: skip
    support = aliased(CaseSupportingUnit)
    columns, keys = _per_unit(col(support.unit_id), by)
    supported = (sa_select(*columns).select_from(Notice)
                 .join(support, col(support.case_id) == col(Notice.case_id))
                 .join(Case, col(Case.id) == col(Notice.case_id)).where(*where).group_by(*keys))  # fmt: skip
    return [led, supported]


def published_in(period: Period, now: dt) -> list[ColumnElement[bool]]:
    """Notices published in the period by ``now``."""
    lo, hi = local_midnight(period.start), local_midnight(period.end + timedelta(days=1))
    p = col(Notice.published_at)
    return [p >= sql.at(lo, "published_lo"), p < sql.at(hi, "published_hi"), p <= now]


def _add(result: UnitParts, part: str, rows: Sequence[Any]) -> None:
    for unit_id, n in rows:
        result[part][unit_id] = result[part].get(unit_id, 0) + int(n)


def live_unit_parts(
    session: Session, *, now: dt, period: Period, cases: list[ColumnElement[bool]], visible: list[ColumnElement[bool]]
) -> UnitParts:
    """The units report's parts, live: ``cases`` selects the period's counted cases (visible to the reader), the
    notices are those published in the period by ``now`` on the cases ``visible`` to the reader."""
    result: UnitParts = {part: {} for part in UNIT_PARTS}
    _add(result, "supported", session.execute(live_supported(cases)).all())
    _add(result, "tasks", session.execute(live_tasks(cases)).all())
    _add(result, "answered", session.execute(live_answered(now, cases)).all())
    for query in live_notices([*published_in(period, now), *visible]):
        _add(result, "notices", session.execute(query).all())
    return result


# --- which days are stale -------------------------------------------------------------------------------------


def _runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive days as inclusive ranges: [1, 2, 3, 7] June → (1, 3), (7, 7)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def received_on(days: Sequence[date], column: Any = None) -> ColumnElement[bool]:
    """Cases received on one of ``days`` (local), as ranges of ``received_at`` (the index's); or the rows whose
    ``column`` (a timestamp) falls on one of them."""
    at = col(Case.received_at) if column is None else column
    ranges = [
        and_(at >= sql.at(local_midnight(lo), "lo"), at < sql.at(local_midnight(hi + timedelta(days=1)), "hi"))
        for lo, hi in _runs(days)
    ]  # fmt: skip
    return or_(*ranges) if ranges else literal(False)


def _fresh(column: Any, period: Period, dirty: Sequence[date]) -> list[ColumnElement[bool]]:
    return [column >= period.start, column <= period.end,
            *(not_(column.between(lo, hi)) for lo, hi in _runs(dirty))]  # fmt: skip


def as_date(value: date | str) -> date:
    """A day as the engine returns it: a ``date`` (PostgreSQL), or ISO text for an untyped expression (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def dirty_days(session: Session, period: Period) -> list[date]:
    day = col(ReportDirty.day)
    rows = session.execute(sa_select(day).distinct().where(day >= period.start, day <= period.end)).scalars()
    return [as_date(d) for d in rows]


# --- reads ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Whose figures a read gives: the whole Sở (``unit_id`` None), or the cases one unit leads or supports (a unit
    head's scope: the stored rows of ``scope_unit_id``). ``visible``: the same cases as conditions on ``case`` (the
    reader's ``visibility_clause``), for the days read live."""

    unit_id: int | None = None
    visible: tuple[ColumnElement[bool], ...] = ()

    def stored(self, column: Any) -> ColumnElement[bool]:
        """The stored rows of this reader's scope."""
        scope: ColumnElement[bool] = column.is_(None) if self.unit_id is None else column == self.unit_id
        return scope


WHOLE = Reader()


def volumes(session: Session, *, period: Period, dirty: Sequence[date], reader: Reader = WHOLE) -> Volumes:
    """``live_volumes`` of the period's cases: the dirty days live, the others from ``report_volume_day``."""
    if dirty:
        result = live_volumes(session, [received_on(dirty), *reader.visible])
    else:
        result = {name: {} for name in DIMENSIONS}
    v = ReportVolumeDay
    day_key = sql_case((col(v.dimension) == "day", col(v.day)), else_=None)
    rows = session.execute(
        sa_select(col(v.dimension), col(v.value), day_key, func.sum(v.counted), func.sum(v.n))
        .where(reader.stored(col(v.scope_unit_id)), *_fresh(col(v.day), period, dirty))
        .group_by(col(v.dimension), col(v.value), day_key)
    ).all()  # fmt: skip
    for dimension, value, day, counted, n in rows:
        if dimension == "day":
            key: Any = as_date(day)
        elif dimension == "lead_unit_id":
            key = None if value is None else int(value)
        else:
            key = value  # a StrEnum's value: equal to (and hashed like) the member the live query returns
        was_counted, was_all = result[dimension].get(key, (0, 0))
        result[dimension][key] = (was_counted + int(counted), was_all + int(n))
    return result


def clock_groups(
    session: Session, *, period: Period, now: dt, dirty: Sequence[date], reader: Reader = WHOLE
) -> list[Any]:
    """``live_clock_groups`` of the period's counted cases, in one statement (one snapshot): the running and paused
    clocks live, the others live on the dirty days and from ``report_clock_day`` on the rest."""
    lo, hi = local_midnight(period.start), local_midnight(period.end + timedelta(days=1))
    in_period = [col(Case.received_at) >= lo, col(Case.received_at) < hi, sql.counted(), *reader.visible]
    ticking = col(Clock.state).in_(sorted(TICKING_STATES))
    parts: list[Any] = [live_clock_groups(now, [*in_period, ticking])]
    if dirty:
        parts.append(live_clock_groups(now, [*in_period, received_on(dirty), not_(ticking)]))
    a = ReportClockDay
    stored = (
        sa_select(col(a.origin), col(a.basis), col(a.state), literal(0), col(a.unit_id), col(a.name), col(a.n))
        .where(reader.stored(col(a.scope_unit_id)), *_fresh(col(a.day), period, dirty))
    )  # fmt: skip
    parts.append(stored)
    every = parts[0].union_all(*parts[1:]).subquery()
    c = every.c
    return list(
        session.execute(
            sa_select(c.origin, c.basis, c.state, c.overdue, c.unit_id, func.min(c.name), cast(func.sum(c.n), Integer))
            .group_by(c.origin, c.basis, c.state, c.overdue, c.unit_id)
        ).all()
    )  # fmt: skip


def duration_hours(*, period: Period, now: dt, dirty: Sequence[date], reader: Reader = WHOLE) -> Any:
    """``live_duration_hours`` of the period's counted cases (a subquery): the dirty days live, the others from
    ``report_duration_case`` — a case counts if its first notice is ``<= now``, its reply if that is."""
    parts: list[Any] = []
    if dirty:
        parts.append(live_duration_hours(now, [received_on(dirty), sql.counted(), *reader.visible]))
    d = ReportDurationCase
    reply = sql_case((col(d.reply_at) <= now, col(d.reply_hours)), else_=None)
    parts.append(
        sa_select(col(d.first_hours).label("first_hours"), reply.label("reply_hours"))
        .where(reader.stored(col(d.scope_unit_id)), *_fresh(col(d.day), period, dirty), col(d.first_at) <= now)
    )  # fmt: skip
    return (parts[0].union_all(*parts[1:]) if len(parts) > 1 else parts[0]).subquery()


def unit_parts(
    session: Session, *, period: Period, now: dt, dirty: Sequence[date], reader: Reader = WHOLE
) -> UnitParts:
    """``live_unit_parts`` of the reader's cases: the dirty days live, the others from ``report_unit_day`` and
    ``report_duration_case``. The notices by day of publication: the days from the local day of ``now`` on are
    live too (a stored day holds all its notices; those published after ``now`` do not count yet)."""
    result: UnitParts = {part: {} for part in UNIT_PARTS}
    if dirty:
        cases = [received_on(dirty), sql.counted(), *reader.visible]
        _add(result, "supported", session.execute(live_supported(cases)).all())
        _add(result, "tasks", session.execute(live_tasks(cases)).all())
        _add(result, "answered", session.execute(live_answered(now, cases)).all())
    today = local_date(now)
    live_days = or_(received_on(dirty, col(Notice.published_at)),
                    col(Notice.published_at) >= sql.at(local_midnight(today), "today"))  # fmt: skip
    for query in live_notices([*published_in(period, now), live_days, *reader.visible]):
        _add(result, "notices", session.execute(query).all())
    u = ReportUnitDay
    day = col(u.day)
    receipt = and_(col(u.part) != "notices", *_fresh(day, period, dirty))
    publication = and_(col(u.part) == "notices", *_fresh(day, period, dirty), day < today)
    for part, unit_id, n in session.execute(
        sa_select(col(u.part), col(u.unit_id), func.sum(u.n))
        .where(reader.stored(col(u.scope_unit_id)), or_(receipt, publication))
        .group_by(col(u.part), col(u.unit_id))
    ).all():  # fmt: skip
        _add(result, part, [(unit_id, n)])
    d = ReportDurationCase
    lead = col(d.lead_unit_id)
    later = sa_select(lead, func.count()).where(reader.stored(col(d.scope_unit_id)), *_fresh(col(d.day), period, dirty),
                                                col(d.reply_at) > now)  # fmt: skip
    _add(result, "answered", [(unit_id, -n) for unit_id, n in session.execute(later.group_by(lead)).all()])
    return result


# --- the refresh (the worker's job) ---------------------------------------------------------------------------


def _scopes() -> list[tuple[list[Any], list[ColumnElement[bool]]]]:
    """The scopes a case counts in, as (the scope column to group by, the conditions on ``case``): the whole Sở
    (no column: NULL), its lead unit, and each supporting unit that is not its lead unit. Disjoint: a unit that
    both leads and supports a case counts it once in its scope."""
    lead = col(Case.lead_unit_id)
    support = aliased(CaseSupportingUnit, name="scope_support")
    unit = col(support.unit_id)
    return [
        ([], []),
        ([lead.label("scope_unit_id")], [lead.is_not(None)]),
        ([unit.label("scope_unit_id")], [col(support.case_id) == col(Case.id), or_(lead.is_(None), unit != lead)]),
    ]


def refresh(session: Session, *, now: dt, limit: int) -> int:
    """Recompute the ``limit`` oldest stale days and delete the marks read for them; returns the days recomputed.
    Flushes, never commits. One refresher at a time on PostgreSQL (a transaction-level advisory lock)."""
    del now  # the aggregates hold only what does not depend on it
    if _postgres(session):
        session.execute(sa_select(func.pg_advisory_xact_lock(literal(0x7265706F7274))))  # "report"
    d = col(ReportDirty.day)
    oldest = sa_select(d).distinct().order_by(d).limit(limit).scalar_subquery()
    marks = session.execute(sa_select(col(ReportDirty.id), d).where(d.in_(oldest))).all()
    days = sorted({as_date(day) for _id, day in marks})
    if not days:
        return 0
    for table in (ReportClockDay, ReportVolumeDay, ReportDurationCase, ReportUnitDay):
        session.execute(delete(table).where(col(table.day).in_(days)))
    for scope, conditions in _scopes():
        _refresh_scope(session, days, scope, conditions)
    r = ReportDurationCase
    lead, scope_unit = col(r.lead_unit_id), col(r.scope_unit_id)
    answered = (sa_select(col(r.day), scope_unit, literal("answered"), lead, func.count())
                .where(col(r.day).in_(days), col(r.reply_at).is_not(None), lead.is_not(None))
                .group_by(col(r.day), scope_unit, lead))  # fmt: skip
    columns = ["day", "scope_unit_id", "part", "unit_id", "n"]
    session.execute(insert(ReportUnitDay).from_select(columns, answered))
    ids = [i for i, _day in marks]
    for start in range(0, len(ids), 5000):
        session.execute(delete(ReportDirty).where(col(ReportDirty.id).in_(ids[start : start + 5000])))
    session.flush()
    return len(days)


def _refresh_scope(session: Session, days: list[date], scope: list[Any], conditions: list[ColumnElement[bool]]) -> None:
    """Insert the rows of one kind of scope (``_scopes``) for ``days``: the live queries grouped by day (and
    scope unit)."""
    named = ["scope_unit_id"] if scope else []
    on_days = [received_on(days), *conditions]
    day = sql.LocalDay(col(Case.received_at))
    unit = clock_unit()
    clocks = (
        sa_select(day, *scope, col(Clock.origin), col(Clock.basis), col(Clock.state), unit, func.min(Clock.name),
                  func.count())
        .select_from(Clock)
        .join(Case, col(Case.id) == col(Clock.case_id))
        .outerjoin(Task, col(Task.id) == col(Clock.task_id))
        .where(*on_days, sql.counted(), col(Clock.state).not_in(sorted(TICKING_STATES)))
        .group_by(day, *scope, col(Clock.origin), col(Clock.basis), col(Clock.state), unit)
    )  # fmt: skip
    columns = ["day", *named, "origin", "basis", "state", "unit_id", "name", "n"]
    session.execute(insert(ReportClockDay).from_select(columns, clocks))
    counted = func.sum(sql_case((sql.counted(), 1), else_=0))
    for name, column in dimension_columns().items():
        value = null() if name == "day" else cast(column, String)
        per_day = (sa_select(day, *scope, literal(name), value, counted, func.count()).where(*on_days)
                   .group_by(day, *scope, column))  # fmt: skip
        columns = ["day", *named, "dimension", "value", "counted", "n"]
        session.execute(insert(ReportVolumeDay).from_select(columns, per_day))
    f = _first_notices([*on_days, sql.counted()], by=scope).subquery().c
    firsts = sa_select(sql.LocalDay(f.received_at), *(f.scope_unit_id for _ in scope), f.first,
                       sql.HoursBetween(f.received_at, f.first), f.first_reply,
                       sql.HoursBetween(f.received_at, f.first_reply), f.lead_unit_id)  # fmt: skip
    columns = ["day", *named, "first_at", "first_hours", "reply_at", "reply_hours", "lead_unit_id"]
    session.execute(insert(ReportDurationCase).from_select(columns, firsts))
    published = sql.LocalDay(col(Notice.published_at))
    notices = live_notices([received_on(days, col(Notice.published_at)), *conditions], by=[published, *scope])
    for part, query in (
        ("supported", live_supported([*on_days, sql.counted()], by=[day, *scope])),
        ("tasks", live_tasks([*on_days, sql.counted()], by=[day, *scope])),
        *(("notices", q) for q in notices),
    ):
        q = query.subquery()
        rows = sa_select(q.c[0], *(q.c.scope_unit_id for _ in scope), literal(part), q.c.unit_id, q.c.n)
        session.execute(insert(ReportUnitDay).from_select(["day", *named, "part", "unit_id", "n"], rows))
