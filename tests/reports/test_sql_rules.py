"""The database and ``app/reports/rules.py`` agree: the yearly report and the dashboard computed in SQL
(``app/reports/sql.py``, ``annual.py``, ``service.py``) give the same figures, case lines and percentiles as the
pure rules applied case by case to facts read plainly from the tables, on a varied set of cases (every clock state,
hours and working-day clocks, paused ones, both rule packs, every reported trigger, duplicates, notices of each
kind, press events) judged at several moments (before and after notices, clocks and press events)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.auth.permissions import Role
from app.cases.models import Case, CaseSupportingUnit
from app.clocks.models import Clock
from app.notices.models import Notice
from app.org.models import Unit
from app.press_events.models import PressEvent, PressEventCase, PressEventCreate, PressEventKind
from app.press_events.service import create_press_event
from app.reports import annual, daily, rules, service
from app.reports.models import Dashboard, ReportClockDay, ReportUnitDay, ReportVolumeDay
from app.reports.rules import report_period
from app.rules.packs import pack_for_day
from app.tasks import service as tasks
from app.tasks.models import Task, TaskCreate
from app.timeutil import LOCAL_TZ, local_date
from tests.factories import actor, bulk_cases_with_clocks, make_user, publish_statement, standard_org


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LOCAL_TZ).astimezone(UTC)


PERIOD = report_period(2026)
MOMENTS = (at(6, 20), at(9, 1), at(12, 18))  # before most outcomes, between, after all of them
TRIGGERS = (
    None,
    "major_event",
    "divided_opinion",
    "press_request",
    "untrue_report",
    "editor_reply_request",
    "press_forwarded_complaint",
    "citizen_information_request",
)
STATES = ("running", "paused", "met_on_time", "met_late", "missed", "stopped", "pending")
DEADLINE_KEY = "initial_information_major_event"


def _received(k: int) -> datetime:
    # Half in June 2026 (Decree 09/2017 in force), half from July (Decree 244/2026); two outside the period.
    if k == 0:
        return at(12, 14, 8, year=2025)
    if k == 1:
        return at(12, 15, 1)
    return at(6, 1) + timedelta(hours=13 * k) if k % 2 else at(7, 1) + timedelta(hours=17 * k)


@pytest.fixture
def varied(session: Session) -> list[str]:
    """84 cases, each with one clock of its own state, and notices and press events on some of them."""
    standard_org(session, at(5, 1))
    count = 84
    bulk_cases_with_clocks(session, count=count, received_at=at(6, 1), due_at=lambda _i: at(6, 2), now=at(5, 1))
    cases = session.exec(select(Case).order_by(col(Case.id))).all()
    refs = []
    for k, case in enumerate(cases):
        received = _received(k)
        pack = "decree-09-2017" if local_date(received) < date(2026, 7, 1) else "decree-244-2026"
        session.execute(
            update(Case)
            .where(col(Case.id) == case.id)
            .values(
                received_at=received,
                source_kind="press_inquiry" if k % 3 == 0 else "press_article",
                legal_trigger=TRIGGERS[k % len(TRIGGERS)],
                close_reason="duplicate" if k % 11 == 5 else None,
            )
        )
        state = STATES[k % len(STATES)]
        start = None if state == "pending" else received + timedelta(minutes=30 * (k % 3))
        paused = 3600 * (k % 3)
        met = start + timedelta(hours=(7 * k) % 60) if start is not None and state.startswith("met") else None
        unit = "working_days" if k % 5 == 0 else "hours"
        session.execute(
            update(Clock)
            .where(col(Clock.case_id) == case.id)
            .values(
                state=state,
                start_at=start,
                paused_seconds=paused,
                met_at=met,
                unit=unit,
                pack=pack,
                rule_key=DEADLINE_KEY if k % 4 != 3 else "reply_in_press",
                met_by="first_notice" if k % 4 != 3 else "reply",
                due_at=None if start is None else start + timedelta(hours=24 + (k % 4) * 6, seconds=paused),
            )
        )
        refs.append(case.reference)
    session.expire_all()
    cases = session.exec(select(Case).order_by(col(Case.id))).all()
    kinds = ("initial_information", "response", "rebuttal", "initial_information", "response")
    for n, k in enumerate(range(2, count, 9)):
        case = cases[k]
        publish_statement(session, case, kind=kinds[n % len(kinds)], at=case.received_at + timedelta(hours=5 + 11 * n))
    office = actor(session, "office")
    for n, k in enumerate((4, 10, 31, 47)):
        held = at(8, 1) if n % 2 else at(10, 3)
        data = PressEventCreate(
            kind=PressEventKind.PRESS_CONFERENCE if n < 2 else PressEventKind.PRESS_BRIEFING,
            held_at=held,
            title=f"Họp báo {n}",
            spokesperson_name="Võ Thanh Bình",
            cases=[refs[k], refs[k + 1]],
        )
        create_press_event(session, actor=office, data=data, now=held)
    session.flush()
    return refs


def _facts(session: Session) -> list[rules.CaseFacts]:
    """Every case with its notices, clocks and press events, read plainly (no SQL rule)."""
    notices: dict[int, list[rules.NoticeFact]] = defaultdict(list)
    for n in session.exec(select(Notice)).all():
        notices[n.case_id].append(rules.NoticeFact(n.kind.value, n.published_at))
    clocks: dict[int, list[rules.ClockFact]] = defaultdict(list)
    for c in session.exec(select(Clock)).all():
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
        sa_select(col(PressEventCase.case_id), col(PressEvent.held_at)).join(
            PressEvent, col(PressEvent.id) == col(PressEventCase.press_event_id)
        )
    ).all():
        held[case_id].append(held_at)
    facts = []
    for case in session.exec(select(Case)).all():
        assert case.id is not None
        relevant = case.source_kind == "press_inquiry" or case.legal_trigger in rules.REPORTED_TRIGGERS
        if not relevant:
            continue
        day = local_date(case.received_at)
        pack = pack_for_day(day)
        facts.append(
            rules.CaseFacts(
                reference=case.reference,
                title=case.title,
                received_at=case.received_at,
                received_on=day,
                source_kind=case.source_kind,
                legal_trigger=case.legal_trigger,
                close_reason=case.close_reason,
                pack=pack.code if pack else None,
                notices=tuple(notices[case.id]),
                clocks=tuple(clocks[case.id]),
                press_events=tuple(held[case.id]),
            )
        )
    return facts


def _line(line: Any) -> tuple[str, str, bool, str | None]:
    return (
        line.reference,
        line.outcome if isinstance(line.outcome, str) else line.outcome.value,
        line.counted,
        line.provision,
    )


@pytest.mark.parametrize("now", MOMENTS, ids=["june", "september", "december"])
def test_the_yearly_report_in_sql_is_the_rules(session: Session, varied: list[str], now: datetime) -> None:
    office = actor(session, "office")
    expected = rules.annual_indicators(
        _facts(session), [], period=PERIOD, now=now, deadline_clock=annual.deadline_clock_keys()
    )
    report = annual.annual_report(session, actor=office, period=PERIOD, now=now, locale="vi", lines=annual.MAX_LINES)
    outcomes: set[str] = set()
    for want, got in zip(expected[2:], report.indicators[2:], strict=True):
        assert (got.numerator, got.denominator) == (want.numerator, want.denominator), got.code
        assert got.cases_total == len(want.cases) and got.pending_total == len(want.pending)
        assert sorted(map(_line, got.cases)) == sorted(map(_line, want.cases)), got.code
        assert sorted(map(_line, got.pending)) == sorted(map(_line, want.pending)), got.code
        outcomes |= {c.outcome for c in got.cases}
    if now == MOMENTS[-1]:  # the set is varied enough to reach every outcome of indicators 3–6
        assert outcomes >= {
            "answered",
            "not_answered",
            "spoken",
            "not_spoken",
            "on_time",
            "late",
            "overdue",
            "rebutted",
            "not_rebutted",
        }
        assert report.indicators[4].pending_total > 0


@pytest.mark.parametrize(("number", "pending", "now"), [(4, False, MOMENTS[-1]), (5, False, MOMENTS[-1]),
                                                     (5, True, MOMENTS[0])])  # fmt: skip
def test_case_lines_page_by_keyset(
    session: Session, varied: list[str], number: int, pending: bool, now: datetime
) -> None:
    """Pages of 7 walk the whole list once, in received order, whatever ties there are (indicator 5 too: its
    grouped clocks are bounded by the keyset)."""
    office = actor(session, "office")
    whole = annual.annual_lines(
        session, actor=office, period=PERIOD, now=now, number=number, pending=pending, limit=annual.MAX_LINES
    )
    assert whole.next_cursor is None and len(whole.items) > 14
    seen, cursor = [], None
    while True:
        page = annual.annual_lines(
            session, actor=office, period=PERIOD, now=now, number=number, pending=pending, cursor=cursor, limit=7
        )
        seen += page.items
        assert len(page.items) <= 7
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == whole.items
    assert [x.received_at for x in seen] == sorted(x.received_at for x in seen)


@pytest.mark.parametrize("now", MOMENTS, ids=["june", "september", "december"])
def test_the_dashboard_in_sql_is_the_rules(session: Session, varied: list[str], now: datetime) -> None:
    office = actor(session, "office")
    _check_dashboard(session, service.dashboard(session, actor=office, period=PERIOD, now=now, locale="vi"), now)


def _check_dashboard(session: Session, d: Dashboard, now: datetime) -> None:
    lo, hi = annual.window(PERIOD)
    cases = {c.id: c for c in session.exec(select(Case)).all() if lo <= c.received_at < hi}
    counted = {i: c for i, c in cases.items() if c.close_reason != "duplicate"}
    assert (d.total, d.duplicates) == (len(counted), len(cases) - len(counted))
    # Buckets: rules.clock_bucket over every clock of the counted cases.
    buckets: dict[tuple[str, str], rules.BucketCounts] = defaultdict(rules.BucketCounts)
    for c in session.exec(select(Clock)).all():
        bucket = rules.clock_bucket(c.state.value, c.due_at is not None and c.due_at < now)
        if c.case_id in counted and bucket is not None:
            buckets[(c.origin.value, c.basis)].add(bucket)
    got = {(r.origin, r.basis): (r.on_time, r.late, r.missed, r.overdue, r.running) for r in d.clocks}
    assert got == {k: tuple(b.counts[x] for x in rules.Bucket) for k, b in buckets.items()}
    # Durations: rules.durations over the hours to each counted case's first notice and first reply.
    first: dict[int, datetime] = {}
    reply: dict[int, datetime] = {}
    for n in session.exec(select(Notice).where(col(Notice.published_at) <= now)).all():
        if n.case_id in counted:
            first[n.case_id] = min(first.get(n.case_id, n.published_at), n.published_at)
            if n.kind.value in rules.REPLY_KINDS:
                reply[n.case_id] = min(reply.get(n.case_id, n.published_at), n.published_at)

    def hours(found: dict[int, datetime]) -> list[float]:
        return [max((t - counted[i].received_at).total_seconds() / 3600, 0.0) for i, t in found.items()]

    for got_d, want in (
        (d.time_to_initial_information, rules.durations(hours(first), len(counted))),
        (d.time_to_final_response, rules.durations(hours(reply), len(counted))),
    ):
        assert (got_d.count, got_d.of) == (want.count, want.of)
        assert (
            got_d.median_hours == pytest.approx(want.median) if want.median is not None else got_d.median_hours is None
        )
        assert got_d.p90_hours == pytest.approx(want.p90) if want.p90 is not None else got_d.p90_hours is None
    # The timeline adds up to the total, on local days.
    assert sum(p.count for p in d.timeline) == d.total


def _same_as_live(session: Session, now: datetime) -> None:
    """The dashboard from the per-day aggregates (and the stale days live) is the live one, figure for figure,
    and both are the rules; the same for each unit head's scope (their unit's aggregates: the cases it leads or
    supports) and for a head of two units (read live)."""
    office = actor(session, "office")
    fast = service.dashboard(session, actor=office, period=PERIOD, now=now, locale="vi")
    live = service.dashboard(session, actor=office, period=PERIOD, now=now, locale="vi", aggregates=False)
    assert fast == live
    _check_dashboard(session, fast, now)
    scorecards = service.unit_scorecards(session, actor=office, period=PERIOD, now=now)
    assert scorecards == service.unit_scorecards(session, actor=office, period=PERIOD, now=now, aggregates=False)
    assert any(row.decided for row in scorecards.items)
    assert any(row.cases_supported for row in scorecards.items) and any(row.notices for row in scorecards.items)
    for username in ("head", "head2", "head_both"):
        head = actor(session, username)
        fast = service.dashboard(session, actor=head, period=PERIOD, now=now, locale="vi")
        assert fast.scope == "units" and fast.total
        assert fast == service.dashboard(session, actor=head, period=PERIOD, now=now, locale="vi", aggregates=False)
        scorecards = service.unit_scorecards(session, actor=head, period=PERIOD, now=now)
        assert scorecards.items
        assert scorecards == service.unit_scorecards(session, actor=head, period=PERIOD, now=now, aggregates=False)


def _refresh_all(session: Session) -> None:
    while daily.refresh(session, now=MOMENTS[0], limit=3):
        pass
    assert daily.dirty_days(session, PERIOD) == []


def test_the_dashboard_from_daily_aggregates_is_the_live_one(session: Session, varied: list[str]) -> None:
    cases = session.exec(select(Case).order_by(col(Case.id))).all()
    units = {u.code: u.id for u in session.exec(select(Unit)).all()}
    make_user(session, "head_both", (Role.UNIT_HEAD, "GDTrH"), (Role.UNIT_HEAD, "GDTH"), now=at(5, 1))
    # Clocks that a unit must meet (its internal targets: the lead unit's) and an information task's.
    for k, case in enumerate(cases):
        session.execute(
            update(Case).where(col(Case.id) == case.id).values(lead_unit_id=units["GDTrH" if k % 2 else "GDTH"])
        )
        if k % 6 == 1:
            session.execute(update(Clock).where(col(Clock.case_id) == case.id).values(actor="unit"))
        # Supporting units (the notices count for them too: cases 2, 11, 20 … have notices): the office's; GDTrH
        # on cases GDTH leads (in head's scope without being led by it); GDTH on cases it leads too (once in
        # head2's scope, not twice).
        for support, code in ((k % 4 == 2, "VP"), (k % 6 == 4, "GDTrH"), (k % 10 == 0, "GDTH")):
            if support:
                session.execute(insert(CaseSupportingUnit).values(case_id=case.id, unit_id=units[code],
                                                                 received_at=case.received_at))  # fmt: skip
    spokesperson = actor(session, "spokesperson")
    data = TaskCreate(unit="GDTrH", request="Số liệu", due_at=at(7, 5))
    task = tasks.create_task(session, actor=spokesperson, reference=cases[20].reference, data=data, now=at(7, 2))
    session.flush()
    assert len(daily.dirty_days(session, PERIOD)) > 10  # nothing refreshed: every day of the period is read live
    for now in MOMENTS:
        _same_as_live(session, now)

    # (a) after a refresh: every day from the aggregates, only the running and paused clocks live.
    _refresh_all(session)
    assert session.execute(sa_select(func.count()).select_from(ReportClockDay)).scalar_one() > 0
    assert session.execute(sa_select(func.count()).select_from(ReportVolumeDay)).scalar_one() > 0
    assert session.execute(sa_select(func.count()).select_from(ReportUnitDay)).scalar_one() > 0
    in_scope = col(ReportVolumeDay.scope_unit_id) == units["GDTrH"]  # the head's unit's scope
    assert session.execute(sa_select(func.count()).select_from(ReportVolumeDay).where(in_scope)).scalar_one() > 0
    for now in MOMENTS:
        _same_as_live(session, now)

    # (b) edits without a refresh, by Core statements and by the services: each marks its day stale.
    session.execute(update(Case).where(col(Case.id) == cases[3].id).values(lead_unit_id=units["VP"]))  # reassigned
    session.execute(update(Clock).where(col(Clock.case_id) == cases[7].id)  # a running clock met
                    .values(state="met_on_time", met_at=cases[7].received_at + timedelta(hours=2)))  # fmt: skip
    session.execute(update(Clock).where(col(Clock.case_id) == cases[13].id).values(state="missed"))
    session.execute(update(Case).where(col(Case.id) == cases[9].id).values(topic="policy_reform", severity="hot"))
    session.execute(update(Case).where(col(Case.id) == cases[10].id).values(close_reason="duplicate"))
    session.execute(update(Task).where(col(Task.id) == task.id).values(unit_id=units["GDTH"]))
    publish_statement(session, cases[12], kind="response", at=cases[12].received_at + timedelta(hours=3))
    bulk_cases_with_clocks(session, count=2, received_at=at(8, 2), due_at=lambda _i: at(8, 3), now=at(8, 2))  # new
    # The units report's parts, on days nothing else marks: a case reassigned whose notice came days after its
    # receipt (22 → 26 Aug), a notice published weeks after receipt, a notice's publication moved past a moment
    # (12 Aug → 6 Sep: withdrawn from the report at 1 Sep), a supporting unit added and one removed, a task
    # inserted by a Core statement (no clock with it) and one by the service.
    session.execute(update(Case).where(col(Case.id) == cases[74].id).values(lead_unit_id=units["VP"]))
    publish_statement(session, cases[5], kind="rebuttal", at=cases[5].received_at + timedelta(days=40))
    moved = session.exec(select(Notice).where(col(Notice.case_id) == cases[56].id)).one()
    session.execute(update(Notice).where(col(Notice.id) == moved.id)
                    .values(published_at=moved.published_at + timedelta(days=25)))  # fmt: skip
    session.execute(
        insert(CaseSupportingUnit).values(
            case_id=cases[29].id, unit_id=units["GDTrH"], received_at=cases[29].received_at
        )
    )
    session.execute(delete(CaseSupportingUnit).where(col(CaseSupportingUnit.case_id) == cases[38].id))
    # Heads' scopes: a case GDTrH supported now led by it too (in head's scope once), one it no longer supports
    # (out of it), one moved from GDTrH to GDTH with GDTH supporting it already (GDTH's once; out of head's).
    session.execute(update(Case).where(col(Case.id) == cases[16].id).values(lead_unit_id=units["GDTrH"]))
    session.execute(delete(CaseSupportingUnit).where(col(CaseSupportingUnit.case_id) == cases[28].id,
                                                     col(CaseSupportingUnit.unit_id) == units["GDTrH"]))  # fmt: skip
    session.execute(insert(CaseSupportingUnit).values(case_id=cases[45].id, unit_id=units["GDTH"],
                                                      received_at=cases[45].received_at))  # fmt: skip
    session.execute(update(Case).where(col(Case.id) == cases[45].id).values(lead_unit_id=units["GDTH"]))
    session.execute(insert(Task).values(case_id=cases[40].id, unit_id=units["VP"], request="Số liệu",
                                        due_at=at(8, 5), created_at=at(8, 2)))  # fmt: skip
    data = TaskCreate(unit="VP", request="Số liệu bổ sung", due_at=at(8, 5))
    tasks.create_task(session, actor=spokesperson, reference=cases[30].reference, data=data, now=at(8, 2))
    session.flush()
    assert daily.dirty_days(session, PERIOD)
    for now in MOMENTS:
        _same_as_live(session, now)

    # (c) after a refresh again.
    _refresh_all(session)
    for now in MOMENTS:
        _same_as_live(session, now)
