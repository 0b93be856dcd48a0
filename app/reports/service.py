"""Reports: the dashboard and the unit scorecards, computed by the database over the period (definitions in
``rules.py``; docs/reports.md). The yearly report of Decree 244/2026 Art. 10 is ``annual.py``; the case-list
export ``exports.py``.

Every figure is an aggregate query over the actor's visible cases of the period (a range of ``received_at``,
indexed), joined to their clocks and notices — never a list of the period's case ids, and never a case at a time in
Python: at a million cases a year holds ~200,000 of them. What the buckets and percentiles mean stays in
``rules.py`` (``clock_bucket``, ``percentile``); PostgreSQL computes the percentiles itself (``percentile_cont``, the
same linear interpolation), SQLite hands the hours to ``rules.percentile``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import case as sql_case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.cases.models import Case
from app.cases.scope import visibility_clause
from app.cases.vocabulary import SEVERITY_LABELS, SOURCE_KIND_LABELS, TOPIC_LABELS, Severity
from app.cases.workflow import OPEN_STATUSES
from app.clocks.models import ClockOrigin
from app.i18n import Message, _, text
from app.org.models import Unit, UnitKind
from app.reports import daily, rules, sql
from app.reports.annual import period_read, window
from app.reports.models import (
    ClockRateRead,
    CountRead,
    Dashboard,
    DurationRead,
    NowRead,
    Scope,
    ScorecardPage,
    TimelinePoint,
    UnitRateRead,
    UnitScoreRead,
)
from app.reports.rules import Bucket, Period

# Every query starts from the actor's visible cases (``visibility_clause``): the press office, the spokesperson, the
# director and the admin see the whole Sở; a unit head sees the cases of their unit.


def _require_reports(actor: Actor) -> None:
    require(actor, Permission.REPORTS_VIEW)


def _scope(actor: Actor) -> Scope:
    return "all" if actor.sees_all_cases else "units"


def _visible(actor: Actor) -> list[ColumnElement[bool]]:
    clause = visibility_clause(actor)
    return [] if clause is None else [clause]


def _in_period(actor: Actor, period: Period, *, counted_only: bool = True) -> list[ColumnElement[bool]]:
    """The conditions on ``case`` for the actor's cases received in the period (duplicates left out, unless asked)."""
    lo, hi = window(period)
    conditions = [col(Case.received_at) >= lo, col(Case.received_at) < hi, *_visible(actor)]
    return [*conditions, sql.counted()] if counted_only else conditions


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- dashboard ------------------------------------------------------------------------------------------------


# The per-day aggregates serve a reader when ``_stored`` gives their scope and the period's stale days; None: live.
Stored = tuple[daily.Reader, list[date]] | None


def _volumes(
    session: Session, actor: Actor, period: Period, stored: Stored
) -> tuple[int, int, dict[str, dict[Any, int]]]:
    """The counted cases of the period (duplicates left out), all of them, and the counted ones per topic, lead
    unit, source kind, severity and local day: from the per-day aggregates and the stale days live (``daily``)
    when ``stored`` is given, else live."""
    if stored is None:
        result = daily.live_volumes(session, _in_period(actor, period, counted_only=False))
    else:
        reader, dirty = stored
        result = daily.volumes(session, period=period, dirty=dirty, reader=reader)
    total = sum(n for n, _all in result["topic"].values())
    everything = sum(a for _n, a in result["topic"].values())
    counts = {name: {k: n for k, (n, _a) in values.items() if n} for name, values in result.items()}
    return total, everything, counts


def _label_counts(counts: dict[Any, int], labels: dict[Any, Message], locale: str) -> list[CountRead]:
    return [CountRead(code=k.value, label=text(m, locale), count=counts.get(k, 0)) for k, m in labels.items()]


def _unit_counts(session: Session, counts: dict[int | None, int], locale: str) -> list[CountRead]:
    ids = [i for i in counts if i is not None]
    units = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(ids))).all()} if ids else {}
    rows = []
    for unit_id, n in counts.items():
        unit = units.get(unit_id) if unit_id is not None else None
        if unit is None:
            rows.append(CountRead(code=None, label=text(_("Chưa giao đơn vị"), locale), count=n))
        else:
            rows.append(CountRead(code=unit.code, label=_unit_name(unit, locale), count=n))
    return sorted(rows, key=lambda r: (-r.count, r.label))


def _unit_name(unit: Unit, locale: str) -> str:
    return unit.name_en if locale == "en" and unit.name_en else unit.name


def _buckets(counts: rules.BucketCounts) -> dict[str, Any]:
    c = counts.counts
    return {"on_time": c[Bucket.ON_TIME], "late": c[Bucket.LATE], "missed": c[Bucket.MISSED],
            "overdue": c[Bucket.OVERDUE], "running": c[Bucket.RUNNING], "decided": counts.decided,
            "rate": counts.rate}  # fmt: skip


def _clock_groups(session: Session, actor: Actor, period: Period, now: datetime, stored: Stored) -> list[Any]:
    """The clocks of the period's counted cases by (origin, basis, state, past due, the unit that must meet it;
    ``daily.live_clock_groups``): from the per-day aggregates with the stale days and the ticking clocks live when
    ``stored`` is given, else live in one pass."""
    if stored is None:
        return list(session.execute(daily.live_clock_groups(now, _in_period(actor, period))).all())
    reader, dirty = stored
    return daily.clock_groups(session, period=period, now=now, dirty=dirty, reader=reader)


def _stored(session: Session, actor: Actor, period: Period, aggregates: bool) -> Stored:
    """The scope of the per-day aggregates that serves this reader, and the period's stale days; None: live. The
    whole Sở's rows for those who see every case; a unit head's unit's rows (the cases it leads or supports,
    ``visibility_clause``'s scope). A reader of several units is read live: a case one of them leads and another
    supports is in both their scopes, and a sum of scopes would count it twice."""
    if not aggregates:
        return None
    if actor.sees_all_cases:
        reader = daily.WHOLE
    else:
        units = actor.unit_ids(Permission.CASE_VIEW)
        if len(units) != 1:
            return None
        (unit_id,) = units
        reader = daily.Reader(unit_id=unit_id, visible=tuple(_visible(actor)))
    dirty = daily.dirty_days(session, period)
    # Mostly stale (nothing refreshed yet): the live path, one pass, is cheaper than its parts on half the days.
    return None if 2 * len(dirty) >= period.days else (reader, dirty)


def _clock_rates(groups: list[Any], locale: str) -> list[ClockRateRead]:
    counts: dict[tuple[str, str], rules.BucketCounts] = defaultdict(rules.BucketCounts)
    names: dict[tuple[str, str], str] = {}
    for origin, basis, state, late, _unit, name, n in groups:
        bucket = rules.clock_bucket(state.value, bool(late))
        key = (origin.value, basis)
        names[key] = min(names.get(key, name), name)
        if bucket is not None:
            counts[key].add(bucket, n)
    result = []
    for (origin, basis), c in counts.items():
        label = _clock_label(origin, basis, names[(origin, basis)], locale)
        result.append(ClockRateRead(origin=origin, basis=basis, label=label, **_buckets(c)))
    order = {ClockOrigin.STATUTORY.value: 0, ClockOrigin.INTERNAL.value: 1, ClockOrigin.TASK.value: 2}
    return sorted(result, key=lambda r: (order.get(r.origin, 3), r.basis))


def _clock_label(origin: str, basis: str, name: str, locale: str) -> str:
    if origin == ClockOrigin.INTERNAL.value:
        return text(_("Chỉ tiêu nội bộ: {name}", name=Message(basis)), locale)
    if origin == ClockOrigin.TASK.value:
        return text(_("Nhiệm vụ cung cấp thông tin theo yêu cầu của người phát ngôn"), locale)
    return text(Message(name), locale)


def _unit_buckets(groups: list[Any]) -> dict[int, rules.BucketCounts]:
    """The clocks each unit itself must meet: those of its led cases whose actor is the unit (its internal
    targets), and the information tasks given to it."""
    result: dict[int, rules.BucketCounts] = defaultdict(rules.BucketCounts)
    for _origin, _basis, state, late, unit_id, _name, n in groups:
        bucket = rules.clock_bucket(state.value, bool(late))
        if unit_id is not None and bucket is not None:
            result[unit_id].add(bucket, n)
    return result


def _durations(
    session: Session, actor: Actor, period: Period, now: datetime, total: int, stored: Stored
) -> tuple[DurationRead, ...]:
    """Hours from receipt to the first notice and to the first reply, over the period's cases that got one by
    ``now`` (``daily.duration_hours``: live, or from the per-day aggregates when ``stored`` is given). PostgreSQL
    takes the percentiles (``percentile_cont``: ``rules.percentile``'s linear interpolation); SQLite returns the
    hours and ``rules.durations`` takes them."""
    if stored is None:
        hours = daily.live_duration_hours(now, _in_period(actor, period)).subquery()
    else:
        reader, dirty = stored
        hours = daily.duration_hours(period=period, now=now, dirty=dirty, reader=reader)
    c = hours.c
    h_first = func.greatest(c.first_hours, 0.0)
    h_reply = sql_case((c.reply_hours.is_not(None), func.greatest(c.reply_hours, 0.0)), else_=None)
    if _postgres(session):
        row = session.execute(
            sa_select(func.count(c.first_hours), func.percentile_cont(0.5).within_group(h_first),
                      func.percentile_cont(0.9).within_group(h_first), func.count(c.reply_hours),
                      func.percentile_cont(0.5).within_group(h_reply), func.percentile_cont(0.9).within_group(h_reply))
        ).one()  # fmt: skip
        return (DurationRead(count=row[0], of=total, median_hours=row[1], p90_hours=row[2]),
                DurationRead(count=row[3], of=total, median_hours=row[4], p90_hours=row[5]))  # fmt: skip
    rows = session.execute(sa_select(c.first_hours, c.reply_hours)).all()
    any_hours = [max(a, 0.0) for a, _r in rows]
    reply_hours = [max(r, 0.0) for _a, r in rows if r is not None]
    return _duration(any_hours, total), _duration(reply_hours, total)


def _duration(hours: list[float], of: int) -> DurationRead:
    d = rules.durations(hours, of)
    return DurationRead(count=d.count, of=d.of, median_hours=d.median, p90_hours=d.p90)


def _now_counts(session: Session, actor: Actor, now: datetime, locale: str) -> NowRead:
    overdue = func.sum(sql_case((col(Case.next_due_at) < now, 1), else_=0))
    rows = session.execute(
        sa_select(col(Case.severity), func.count(), overdue)
        .where(col(Case.status).in_(list(OPEN_STATUSES)), *_visible(actor))
        .group_by(col(Case.severity))
    ).all()
    open_counts = {severity: int(n) for severity, n, _late in rows}
    overdue_counts = {severity: int(late or 0) for severity, _n, late in rows if late}
    order = list(reversed(Severity))
    labels = {s: SEVERITY_LABELS[s] for s in order}
    return NowRead(open=sum(open_counts.values()), overdue=sum(overdue_counts.values()),
                   open_by_severity=_label_counts(open_counts, labels, locale),
                   overdue_by_severity=_label_counts(overdue_counts, labels, locale))  # fmt: skip


def dashboard(
    session: Session, *, actor: Actor, period: Period, now: datetime, locale: str, aggregates: bool = True
) -> Dashboard:
    """Volumes by topic, unit, source kind and severity over the period; on-time rates per clock and per unit;
    time to initial information and to the final response; open and overdue cases now. From the per-day aggregates
    of the reader's scope (the whole Sở, or a unit head's unit: ``_stored``); ``aggregates=False``: everything live
    (the reference the tests compare the per-day aggregates with)."""
    _require_reports(actor)
    sql.report_memory(session)
    stored = _stored(session, actor, period, aggregates)
    total, everything, counts = _volumes(session, actor, period, stored)
    groups = _clock_groups(session, actor, period, now, stored)
    unit_buckets = _unit_buckets(groups)
    units = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(list(unit_buckets)))).all()}
    unit_rates = [
        UnitRateRead(code=units[i].code, name=_unit_name(units[i], locale), **_buckets(b))
        for i, b in unit_buckets.items()
        if i in units
    ]
    per_day = {daily.as_date(d): n for d, n in counts["day"].items()}
    initial, final = _durations(session, actor, period, now, total, stored)
    return Dashboard(
        period=period_read(period), as_of=now, scope=_scope(actor), total=total, duplicates=everything - total,
        by_topic=_label_counts(counts["topic"], TOPIC_LABELS, locale),
        by_unit=_unit_counts(session, counts["lead_unit_id"], locale),
        by_source_kind=_label_counts(counts["source_kind"], SOURCE_KIND_LABELS, locale),
        by_severity=_label_counts(counts["severity"], SEVERITY_LABELS, locale),
        granularity=rules.granularity(period).value,
        timeline=[TimelinePoint(start=d, count=n) for d, n in rules.timeline_of_counts(per_day, period)],
        clocks=_clock_rates(groups, locale),
        units=sorted(unit_rates, key=lambda r: (r.rate if r.rate is not None else 2.0, r.name)),
        time_to_initial_information=initial, time_to_final_response=final,
        now=_now_counts(session, actor, now, locale),
    )  # fmt: skip


# --- unit scorecards ------------------------------------------------------------------------------------------

SCORECARD_KINDS = frozenset({UnitKind.OFFICE, UnitKind.DIVISION, UnitKind.INSPECTORATE, UnitKind.AFFILIATED})


def _grouped(session: Session, query: Any) -> dict[Any, int]:
    return {key: int(n) for key, n in session.execute(query).all()}


def unit_scorecards(
    session: Session, *, actor: Actor, period: Period, now: datetime, aggregates: bool = True
) -> ScorecardPage:
    """Per unit, over the period: cases led, supported and answered, the on-time rate of the unit's own clocks,
    the information tasks it was given, and the notices published on its cases (the Sở's emulation criteria).

    Rows: every active office, division, inspectorate and affiliated unit, and any other unit with activity; a
    unit head sees only the rows of their own units. Every part comes from the per-day aggregates of the reader's
    scope (``daily``: the notices by day of publication), like the dashboard's (``aggregates=False``: live)."""
    _require_reports(actor)
    sql.report_memory(session)
    in_period = _in_period(actor, period)
    stored = _stored(session, actor, period, aggregates)
    if stored is None:
        lead = col(Case.lead_unit_id)
        led = _grouped(session, sa_select(lead, func.count()).where(*in_period).group_by(lead))
        parts = daily.live_unit_parts(session, now=now, period=period, cases=in_period, visible=_visible(actor))
    else:  # the counted cases per lead unit are a dimension of the dashboard's volumes
        reader, dirty = stored
        by_lead = daily.volumes(session, period=period, dirty=dirty, reader=reader)["lead_unit_id"]
        led = {unit_id: n for unit_id, (n, _all) in by_lead.items() if n}
        parts = daily.unit_parts(session, period=period, now=now, dirty=dirty, reader=reader)
    supported, answered, tasks, notices = (parts[p] for p in ("supported", "answered", "tasks", "notices"))
    buckets = _unit_buckets(_clock_groups(session, actor, period, now, stored))

    active = {u for u in (*led, *supported, *tasks, *notices, *buckets) if u is not None}
    units = session.exec(select(Unit).order_by(col(Unit.name))).all()
    own = None if actor.sees_all_cases else actor.unit_ids(Permission.REPORTS_VIEW)
    items = []
    for unit in units:
        assert unit.id is not None
        if own is not None and unit.id not in own:
            continue
        if unit.id not in active and not (unit.active and unit.kind in SCORECARD_KINDS):
            continue
        items.append(
            UnitScoreRead(
                code=unit.code, name=unit.name, name_en=unit.name_en, kind=unit.kind.value,
                cases_led=led.get(unit.id, 0), cases_supported=supported.get(unit.id, 0),
                cases_answered=answered.get(unit.id, 0), tasks=tasks.get(unit.id, 0),
                notices=notices.get(unit.id, 0), **_buckets(buckets.get(unit.id, rules.BucketCounts())),
            )
        )  # fmt: skip
    items.sort(key=lambda r: (-r.cases_led, -r.cases_supported, r.name))
    return ScorecardPage(period=period_read(period), as_of=now, scope=_scope(actor), items=items)
