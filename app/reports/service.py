"""Reports: the case-list export (streamed in batches), the database metrics of the cases, and the yearly report of
Decree 244/2026 Art. 10, the dashboard and the unit scorecards (definitions in ``rules.py``; docs/reports.md).

The export reads the actor's visible cases narrowed by the list's filters (``cases.service.filtered_cases``), in
the list's order (newest received first), in keyset batches: one query a batch for the cases and three for their
supporting units, assignees and tags. Rows are plain tuples, never ORM objects, so nothing accumulates in the
session and memory stays flat however many cases there are.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_
from sqlalchemy import case as sql_case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth.permissions import Actor, Permission, require
from app.cases.models import Case, CaseSupportingUnit
from app.cases.scope import visibility_clause, visible_cases
from app.cases.vocabulary import SEVERITY_LABELS, SOURCE_KIND_LABELS, TOPIC_LABELS, Severity, SourceKind
from app.cases.workflow import OPEN_STATUSES
from app.clocks.models import Clock, ClockOrigin
from app.i18n import Message, _, text
from app.notices.models import Notice
from app.org.models import Unit, UnitKind
from app.press_events.models import PressEvent, PressEventCase, PressEventKind
from app.reports import rules
from app.reports.models import (
    AnnualReport,
    ClockRateRead,
    CountRead,
    Dashboard,
    DurationRead,
    IndicatorCaseRead,
    IndicatorEventRead,
    IndicatorRead,
    NowRead,
    PeriodRead,
    Scope,
    ScorecardPage,
    TimelinePoint,
    UnitRateRead,
    UnitScoreRead,
)
from app.reports.rules import Bucket, Period
from app.rules.packs import all_packs, pack_for_day
from app.rules.schema import ClockActor
from app.tasks.models import Task
from app.timeutil import local_date, local_midnight, to_local

# --- the yearly report, the dashboard, the unit scorecards ------------------------------------------------------
#
# Every query starts from the actor's visible cases (``visible_cases``): the press office, the spokesperson, the
# director and the admin see the whole Sở; a unit head sees the cases of their unit. The definitions of what counts
# are in ``app/reports/rules.py``; here they are only fed.


def _require_reports(actor: Actor) -> None:
    require(actor, Permission.REPORTS_VIEW)


def _window(period: Period) -> tuple[datetime, datetime]:
    return local_midnight(period.start), local_midnight(period.end + timedelta(days=1))


def _scope(actor: Actor) -> Scope:
    return "all" if actor.sees_all_cases else "units"


def _counted() -> ColumnElement[bool]:
    return or_(col(Case.close_reason).is_(None), col(Case.close_reason).not_in(list(rules.EXCLUDED_CLOSE_REASONS)))


def _period_cases(actor: Actor, period: Period, *, counted_only: bool = True) -> SelectOfScalar[Case]:
    """The actor's visible cases received in the period (duplicates left out, unless asked)."""
    lo, hi = _window(period)
    query = visible_cases(actor).where(col(Case.received_at) >= lo, col(Case.received_at) < hi)
    return query.where(_counted()) if counted_only else query


def _ids(query: SelectOfScalar[Case]) -> Any:
    return query.with_only_columns(col(Case.id))


def _period_read(period: Period) -> PeriodRead:
    return PeriodRead(start=period.start, end=period.end, year=period.year)


def deadline_clock_keys() -> frozenset[tuple[str | None, str]]:
    """The statutory clocks of Art. 7.3/7.4 (and Decree 09/2017 Art. 6.3.a) in every rule pack."""
    return frozenset((p.code, c.key) for p in all_packs() for c in p.clocks if c.trigger in rules.DEADLINE_TRIGGERS)


CLOCK_FACT_COLUMNS = ("case_id", "origin", "pack", "rule_key", "met_by", "state", "start_at", "due_at", "met_at",
                      "length", "unit", "extension", "paused_seconds")  # fmt: skip


def _case_facts(session: Session, *, actor: Actor, period: Period) -> list[rules.CaseFacts]:
    relevant = or_(
        col(Case.source_kind) == SourceKind.PRESS_INQUIRY,
        col(Case.legal_trigger).in_(sorted(rules.REPORTED_TRIGGERS)),
    )
    query = _period_cases(actor, period).where(relevant)
    ids = _ids(query)
    notices: dict[int, list[rules.NoticeFact]] = defaultdict(list)
    for case_id, kind, published_at in session.execute(
        select(Notice.case_id, Notice.kind, Notice.published_at).where(col(Notice.case_id).in_(ids))
    ).all():
        notices[case_id].append(rules.NoticeFact(kind.value, published_at))
    clocks: dict[int, list[rules.ClockFact]] = defaultdict(list)
    for c in session.execute(
        sa_select(*(col(getattr(Clock, name)) for name in CLOCK_FACT_COLUMNS)).where(col(Clock.case_id).in_(ids))
    ).all():
        clocks[c.case_id].append(
            rules.ClockFact(
                c.origin.value,
                c.pack,
                c.rule_key,
                c.met_by.value,
                c.state.value,
                c.start_at,
                c.due_at,
                c.met_at,
                c.length,
                c.unit.value,
                c.extension,
                c.paused_seconds,
            )
        )
    held: dict[int, list[datetime]] = defaultdict(list)
    for case_id, held_at in session.execute(
        select(PressEventCase.case_id, PressEvent.held_at)
        .join(PressEvent, col(PressEvent.id) == col(PressEventCase.press_event_id))
        .where(col(PressEventCase.case_id).in_(ids))
    ).all():
        held[case_id].append(held_at)
    facts = []
    columns = (Case.id, Case.reference, Case.title, Case.received_at, Case.source_kind, Case.legal_trigger,
               Case.close_reason)  # fmt: skip
    rows = session.execute(
        query.with_only_columns(*(col(c) for c in columns)).order_by(col(Case.received_at), col(Case.id))
    ).all()
    packs: dict[date, str | None] = {}  # the rule pack in force on each day cases were received
    for case_id, reference, title, received_at, source_kind, trigger, close_reason in rows:
        day = local_date(received_at)
        if day not in packs:
            pack = pack_for_day(day)
            packs[day] = pack.code if pack else None
        facts.append(
            rules.CaseFacts(
                reference=reference, title=title, received_at=received_at, received_on=day, source_kind=source_kind,
                legal_trigger=trigger, close_reason=close_reason, pack=packs[day], notices=tuple(notices[case_id]),
                clocks=tuple(clocks[case_id]),
                press_events=tuple(held[case_id]),
            )
        )  # fmt: skip
    return facts


def _event_facts(session: Session, *, actor: Actor, period: Period) -> list[rules.EventFact]:
    lo, hi = _window(period)
    events = session.exec(
        select(PressEvent).where(col(PressEvent.held_at) >= lo, col(PressEvent.held_at) < hi).order_by(
            col(PressEvent.held_at), col(PressEvent.id))
    ).all()  # fmt: skip
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


def _case_line(line: rules.CaseLine, labels: dict[rules.Outcome, str]) -> IndicatorCaseRead:
    return IndicatorCaseRead(
        reference=line.reference, title=line.title, received_at=to_local(line.received_at),
        source_kind=line.source_kind, legal_trigger=line.legal_trigger, provision=line.provision,
        outcome=line.outcome.value, outcome_label=labels[line.outcome], counted=line.counted,
    )  # fmt: skip


def annual_report(session: Session, *, actor: Actor, period: Period, now: datetime, locale: str) -> AnnualReport:
    """The six indicators of Decree 244/2026 Art. 10 over ``period``, with the cases (and press events) behind
    each number."""
    _require_reports(actor)
    results = rules.annual_indicators(
        _case_facts(session, actor=actor, period=period),
        _event_facts(session, actor=actor, period=period),
        period=period,
        now=now,
        deadline_clock=deadline_clock_keys(),
    )
    labels = {outcome: text(message, locale) for outcome, message in rules.OUTCOME_LABELS.items()}
    indicators = []
    for r in results:
        d = r.definition
        indicators.append(
            IndicatorRead(
                number=d.number, code=d.code.value, label=str(d.label), label_en=text(d.label, "en"),
                definition=text(d.definition, locale), numerator=r.numerator, denominator=r.denominator,
                rate=r.rate, cases=[_case_line(line, labels) for line in r.cases],
                pending=[_case_line(line, labels) for line in r.pending],
                events=[IndicatorEventRead(id=e.id, kind=PressEventKind(e.kind), held_at=to_local(e.held_at),
                                           title=e.title, cases=list(e.cases)) for e in r.events],
            )
        )  # fmt: skip
        if d.number in (1, 2):
            # The cases behind a count of press events: those raised at them.
            indicators[-1].cases = _event_cases(session, {ref for e in r.events for ref in e.cases}, locale)
    return AnnualReport(year=period.year, period=_period_read(period), as_of=now, scope=_scope(actor),
                        indicators=indicators)  # fmt: skip


def _event_cases(session: Session, references: set[str], locale: str) -> list[IndicatorCaseRead]:
    if not references:
        return []
    held = text(rules.OUTCOME_LABELS[rules.Outcome.HELD], locale)
    return [
        IndicatorCaseRead(
            reference=case.reference,
            title=case.title,
            received_at=to_local(case.received_at),
            source_kind=case.source_kind,
            legal_trigger=case.legal_trigger,
            provision=None,
            outcome=rules.Outcome.HELD.value,
            outcome_label=held,
            counted=True,
        )  # fmt: skip
        for case in session.exec(
            select(Case).where(col(Case.reference).in_(sorted(references))).order_by(col(Case.reference))
        ).all()
    ]


# --- dashboard ------------------------------------------------------------------------------------------------


def _counts(session: Session, query: SelectOfScalar[Case], column: Any) -> dict[Any, int]:
    sub = query.subquery()
    rows = session.execute(select(sub.c[column], func.count()).group_by(sub.c[column])).all()
    return {value: n for value, n in rows}  # noqa: C416 (rows are Row tuples)


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


def _overdue_flag(now: datetime) -> Any:
    return sql_case((and_(col(Clock.due_at).is_not(None), col(Clock.due_at) < now), 1), else_=0)


def _buckets(counts: rules.BucketCounts) -> dict[str, Any]:
    c = counts.counts
    return {"on_time": c[Bucket.ON_TIME], "late": c[Bucket.LATE], "missed": c[Bucket.MISSED],
            "overdue": c[Bucket.OVERDUE], "running": c[Bucket.RUNNING], "decided": counts.decided,
            "rate": counts.rate}  # fmt: skip


def _clock_rates(session: Session, ids: Any, now: datetime, locale: str) -> list[ClockRateRead]:
    overdue = _overdue_flag(now).label("overdue")
    rows = session.execute(
        sa_select(col(Clock.origin), col(Clock.basis), col(Clock.state), overdue, func.min(Clock.name), func.count())
        .where(col(Clock.case_id).in_(ids))
        .group_by(col(Clock.origin), col(Clock.basis), col(Clock.state), overdue)
    ).all()
    groups: dict[tuple[str, str], rules.BucketCounts] = defaultdict(rules.BucketCounts)
    names: dict[tuple[str, str], str] = {}
    for origin, basis, state, late, name, n in rows:
        bucket = rules.clock_bucket(state.value, bool(late))
        key = (origin.value, basis)
        names.setdefault(key, name)
        if bucket is not None:
            groups[key].add(bucket, n)
    result = []
    for (origin, basis), counts in groups.items():
        label = _clock_label(origin, basis, names[(origin, basis)], locale)
        result.append(ClockRateRead(origin=origin, basis=basis, label=label, **_buckets(counts)))
    order = {ClockOrigin.STATUTORY.value: 0, ClockOrigin.INTERNAL.value: 1, ClockOrigin.TASK.value: 2}
    return sorted(result, key=lambda r: (order.get(r.origin, 3), r.basis))


def _clock_label(origin: str, basis: str, name: str, locale: str) -> str:
    if origin == ClockOrigin.INTERNAL.value:
        return text(_("Chỉ tiêu nội bộ: {name}", name=Message(basis)), locale)
    if origin == ClockOrigin.TASK.value:
        return text(_("Nhiệm vụ cung cấp thông tin theo yêu cầu của người phát ngôn"), locale)
    return text(Message(name), locale)


def _unit_buckets(session: Session, ids: Any, now: datetime) -> dict[int, rules.BucketCounts]:
    """The clocks each unit itself must meet: those of its led cases whose actor is the unit (its internal
    targets), and the information tasks given to it."""
    overdue = _overdue_flag(now).label("overdue")
    result: dict[int, rules.BucketCounts] = defaultdict(rules.BucketCounts)
    led = session.execute(
        select(Case.lead_unit_id, Clock.state, overdue, func.count())
        .join(Case, col(Case.id) == col(Clock.case_id))
        .where(col(Clock.case_id).in_(ids), col(Clock.actor) == ClockActor.UNIT, col(Clock.origin) != ClockOrigin.TASK,
               col(Case.lead_unit_id).is_not(None))
        .group_by(col(Case.lead_unit_id), col(Clock.state), overdue)
    ).all()  # fmt: skip
    tasks = session.execute(
        select(Task.unit_id, Clock.state, overdue, func.count())
        .join(Task, col(Task.id) == col(Clock.task_id))
        .where(col(Clock.case_id).in_(ids), col(Clock.origin) == ClockOrigin.TASK)
        .group_by(col(Task.unit_id), col(Clock.state), overdue)
    ).all()
    for unit_id, state, late, n in [*led, *tasks]:
        bucket = rules.clock_bucket(state.value, bool(late))
        if bucket is not None:
            result[unit_id].add(bucket, n)
    return result


def _first_notice_hours(session: Session, query: SelectOfScalar[Case], now: datetime,
                        kinds: frozenset[str] | None) -> list[float]:  # fmt: skip
    conditions = [col(Notice.published_at) <= now]
    if kinds is not None:
        conditions.append(col(Notice.kind).in_(sorted(kinds)))
    sub = query.subquery()
    rows = session.execute(
        select(sub.c.received_at, func.min(Notice.published_at))
        .join(Notice, col(Notice.case_id) == sub.c.id)
        .where(*conditions)
        .group_by(sub.c.id, sub.c.received_at)
    ).all()
    return [max((_aware(first) - _aware(received)).total_seconds() / 3600, 0.0) for received, first in rows]


def _aware(value: datetime) -> datetime:
    """Aggregates (``min()``) skip the column type on SQLite: re-attach UTC as ``UTCDateTime`` does."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _duration(hours: list[float], of: int) -> DurationRead:
    d = rules.durations(hours, of)
    return DurationRead(count=d.count, of=d.of, median_hours=d.median, p90_hours=d.p90)


def _now_counts(session: Session, actor: Actor, now: datetime, locale: str) -> NowRead:
    open_query = visible_cases(actor).where(col(Case.status).in_(list(OPEN_STATUSES)))
    overdue_query = open_query.where(col(Case.next_due_at) < now)
    open_counts = _counts(session, open_query, "severity")
    overdue_counts = _counts(session, overdue_query, "severity")
    order = list(reversed(Severity))
    labels = {s: SEVERITY_LABELS[s] for s in order}
    return NowRead(open=sum(open_counts.values()), overdue=sum(overdue_counts.values()),
                   open_by_severity=_label_counts(open_counts, labels, locale),
                   overdue_by_severity=_label_counts(overdue_counts, labels, locale))  # fmt: skip


def dashboard(session: Session, *, actor: Actor, period: Period, now: datetime, locale: str) -> Dashboard:
    """Volumes by topic, unit, source kind and severity over the period; on-time rates per clock and per unit;
    time to initial information and to the final response; open and overdue cases now."""
    _require_reports(actor)
    query = _period_cases(actor, period)
    ids = _ids(query)
    received = [r for (r,) in session.execute(query.with_only_columns(col(Case.received_at))).all()]
    total = len(received)
    all_cases = session.execute(
        _period_cases(actor, period, counted_only=False).with_only_columns(func.count())
    ).scalar_one()
    unit_buckets = _unit_buckets(session, ids, now)
    units = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(list(unit_buckets)))).all()}
    unit_rates = [
        UnitRateRead(code=units[i].code, name=_unit_name(units[i], locale), **_buckets(b))
        for i, b in unit_buckets.items()
        if i in units
    ]
    return Dashboard(
        period=_period_read(period), as_of=now, scope=_scope(actor), total=total, duplicates=all_cases - total,
        by_topic=_label_counts(_counts(session, query, "topic"), TOPIC_LABELS, locale),
        by_unit=_unit_counts(session, _counts(session, query, "lead_unit_id"), locale),
        by_source_kind=_label_counts(_counts(session, query, "source_kind"), SOURCE_KIND_LABELS, locale),
        by_severity=_label_counts(_counts(session, query, "severity"), SEVERITY_LABELS, locale),
        granularity=rules.granularity(period).value,
        timeline=[TimelinePoint(start=d, count=n) for d, n in rules.timeline((local_date(r) for r in received),
                                                                             period)],
        clocks=_clock_rates(session, ids, now, locale),
        units=sorted(unit_rates, key=lambda r: (r.rate if r.rate is not None else 2.0, r.name)),
        time_to_initial_information=_duration(_first_notice_hours(session, query, now, None), total),
        time_to_final_response=_duration(_first_notice_hours(session, query, now, rules.REPLY_KINDS), total),
        now=_now_counts(session, actor, now, locale),
    )  # fmt: skip


# --- unit scorecards ------------------------------------------------------------------------------------------

SCORECARD_KINDS = frozenset({UnitKind.OFFICE, UnitKind.DIVISION, UnitKind.INSPECTORATE, UnitKind.AFFILIATED})


def unit_scorecards(session: Session, *, actor: Actor, period: Period, now: datetime) -> ScorecardPage:
    """Per unit, over the period: cases led, supported and answered, the on-time rate of the unit's own clocks,
    the information tasks it was given, and the notices published on its cases (the Sở's emulation criteria).

    Rows: every active office, division, inspectorate and affiliated unit, and any other unit with activity; a
    unit head sees only the rows of their own units."""
    _require_reports(actor)
    query = _period_cases(actor, period)
    ids = _ids(query)
    led = _counts(session, query, "lead_unit_id")
    sub = query.subquery()
    supported = dict(
        session.execute(
            select(CaseSupportingUnit.unit_id, func.count())
            .join(sub, sub.c.id == col(CaseSupportingUnit.case_id))
            .group_by(col(CaseSupportingUnit.unit_id))
        ).all()
    )
    reply = exists().where(
        col(Notice.case_id) == col(Case.id), col(Notice.kind).in_(sorted(rules.REPLY_KINDS)),
        col(Notice.published_at) <= now,
    )  # fmt: skip
    answered = _counts(session, query.where(reply), "lead_unit_id")
    tasks = dict(
        session.execute(
            select(Task.unit_id, func.count()).where(col(Task.case_id).in_(ids)).group_by(col(Task.unit_id))
        ).all()
    )
    lo, hi = _window(period)
    in_window = (col(Notice.published_at) >= lo, col(Notice.published_at) < hi, col(Notice.published_at) <= now)
    visible = _ids(visible_cases(actor))
    notices: dict[int, int] = defaultdict(int)
    for unit_id, n in session.execute(
        select(Case.lead_unit_id, func.count())
        .join(Notice, col(Notice.case_id) == col(Case.id))
        .where(*in_window, col(Case.id).in_(visible), col(Case.lead_unit_id).is_not(None))
        .group_by(col(Case.lead_unit_id))
    ).all():
        notices[unit_id] += n
    for unit_id, n in session.execute(
        select(CaseSupportingUnit.unit_id, func.count())
        .join(Notice, col(Notice.case_id) == col(CaseSupportingUnit.case_id))
        .where(*in_window, col(CaseSupportingUnit.case_id).in_(visible))
        .group_by(col(CaseSupportingUnit.unit_id))
    ).all():
        notices[unit_id] += n
    buckets = _unit_buckets(session, ids, now)

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
    return ScorecardPage(period=_period_read(period), as_of=now, scope=_scope(actor), items=items)
