"""Reading the clocks: the read models of a case's clocks, the explanation of a due time, and the staff pages'
lists (running and missed clocks of the cases the actor may see)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, can
from app.cases.models import Case
from app.cases.scope import get_case, scope_of, visibility_clause
from app.clocks.models import (
    ACTIVE_STATES,
    CLOCK_STATE_LABELS,
    TICKING_STATES,
    CaseClockRead,
    Clock,
    ClockAction,
    ClockExplanation,
    ClockOrigin,
    ClockRead,
    ClockState,
    ExplainDay,
)
from app.clocks.rules import effective_start
from app.clocks.service import case_clocks
from app.errors import NotFound
from app.i18n import Message, _, text
from app.rules.packs import pack_by_code
from app.rules.schema import (
    START_EVENT_LABELS,
    UNIT_LABELS,
    StartEvent,
)
from app.timeutil import to_local
from app.workdays import rules as workdays
from app.workdays.models import DAY_KIND_LABELS
from app.workdays.rules import PeriodUnit
from app.workdays.service import load_calendar

# --- reading ------------------------------------------------------------------------------------------------


def clock_read(clock: Clock, *, now: datetime, locale: str) -> ClockRead:
    assert clock.id is not None
    ticking = clock.state in TICKING_STATES and clock.due_at is not None
    overdue = ticking and clock.due_at is not None and clock.due_at < now
    remaining = int((clock.due_at - now).total_seconds()) if ticking and clock.due_at else None
    basis = clock.basis
    if clock.origin == ClockOrigin.INTERNAL and clock.start_event == StartEvent.CRISIS_DECLARED:
        basis = text(Message(clock.basis), locale)  # a crisis clock names its basis itself
    elif clock.origin == ClockOrigin.INTERNAL:
        basis = text(_("Chỉ tiêu nội bộ: {name}", name=clock.basis), locale)
    notes: list[str] = []
    if clock.state == ClockState.PENDING:
        notes.append(text(_("Chưa bắt đầu tính: chờ {event}.", event=START_EVENT_LABELS[clock.start_event]), locale))
    if clock.started_from is not None:
        notes.append(text(_("Chưa rõ {event}: tạm tính từ {fallback}.", event=START_EVENT_LABELS[clock.start_event],
                            fallback=START_EVENT_LABELS[clock.started_from]), locale))  # fmt: skip
    if clock.note:
        notes.append(clock.note)
    pack = pack_by_code(clock.pack) if overdue and clock.pack else None
    for alert in pack.alerts_for(clock.rule_key) if pack is not None else ():  # D8: what the law now allows
        notes.append(f"{text(Message(alert.alert), locale)} ({alert.basis})")
    return ClockRead(
        id=clock.id,
        name=text(Message(clock.name), locale),
        basis=basis,
        origin=clock.origin,
        pack=clock.pack,
        state=clock.state,
        state_label=text(CLOCK_STATE_LABELS[clock.state], locale),
        overdue=overdue,
        due_at=to_local(clock.due_at) if clock.due_at else None,
        calendar_version=clock.calendar_version,
        start_at=to_local(clock.start_at) if clock.start_at else None,
        start_event=clock.start_event,
        started_from=clock.started_from,
        length=clock.length,
        unit=clock.unit,
        extension=clock.extension,
        paused_seconds=clock.paused_seconds,
        may_pause=clock.may_pause,
        actor=clock.actor,
        met_by=clock.met_by,
        met_at=to_local(clock.met_at) if clock.met_at else None,
        note=" ".join(notes) or None,
        task_id=clock.task_id,
        remaining_seconds=remaining,
    )


def _sort_key(clock: Clock) -> tuple[int, float, int]:
    assert clock.id is not None
    rank = 0 if clock.state in TICKING_STATES else 1 if clock.state == ClockState.PENDING else 2
    return (rank, clock.due_at.timestamp() if clock.due_at else float("inf"), clock.id)


def list_clocks(session: Session, *, actor: Actor, reference: str, now: datetime, locale: str) -> list[ClockRead]:
    """The case's clocks: ticking ones first, nearest due first; then pending; then finished."""
    case = get_case(session, actor=actor, reference=reference)
    return [clock_read(c, now=now, locale=locale) for c in sorted(case_clocks(session, case), key=_sort_key)]


def get_clock(session: Session, *, actor: Actor, reference: str, clock_id: int) -> tuple[Case, Clock]:
    case = get_case(session, actor=actor, reference=reference)
    clock = session.get(Clock, clock_id)
    if clock is None or clock.case_id != case.id:
        raise NotFound(_("Không tìm thấy thời hạn số {id} của vụ việc {reference}.", id=clock_id,
                         reference=case.reference))  # fmt: skip
    return case, clock


def _rule_text(clock: Clock) -> Message:
    if clock.unit == PeriodUnit.FIXED:
        return _("Hạn do người phát ngôn ấn định khi giao nhiệm vụ.")
    return _("{length} {unit} kể từ {event}", length=clock.length, unit=UNIT_LABELS[clock.unit],
             event=START_EVENT_LABELS[clock.start_event])  # fmt: skip


COUNTING: dict[PeriodUnit, Message] = {
    PeriodUnit.HOURS: _("Thời hạn tính bằng giờ: tính liên tục từ thời điểm bắt đầu, kể cả ban đêm, ngày nghỉ và "
                        "ngày lễ (Bộ luật Dân sự, Điều 147 khoản 1)."),
    PeriodUnit.DAYS: _("Thời hạn tính bằng ngày: ngày xảy ra sự kiện không tính, bắt đầu từ ngày tiếp theo; thời "
                       "hạn kết thúc vào 24 giờ ngày cuối cùng; nếu ngày cuối cùng là ngày nghỉ cuối tuần hoặc ngày "
                       "nghỉ lễ thì kết thúc vào cuối ngày làm việc tiếp theo (Bộ luật Dân sự, Điều 147 khoản 2, "
                       "Điều 148 khoản 5 và 6)."),
    PeriodUnit.WORKING_DAYS: _("Thời hạn tính bằng ngày làm việc: từ ngày tiếp theo, không tính ngày nghỉ cuối tuần, "
                               "ngày nghỉ lễ, tết và ngày nghỉ thêm trong năm; tính cả ngày làm bù; kết thúc vào 24 "
                               "giờ ngày làm việc cuối cùng."),
    PeriodUnit.FIXED: _("Hạn cố định do người phát ngôn ấn định; gia hạn tính bằng giờ."),
}  # fmt: skip


def explain_clock(session: Session, *, actor: Actor, reference: str, clock_id: int, now: datetime,
                  locale: str) -> ClockExplanation:  # fmt: skip
    """How the clock's due time is computed: its rule, start, and every day counted or skipped, and why."""
    _case, clock = get_clock(session, actor=actor, reference=reference, clock_id=clock_id)
    cal = load_calendar(session)
    start = effective_start(clock)
    days: list[ExplainDay] = []
    nominal = None
    if start is not None:
        if clock.unit == PeriodUnit.FIXED:
            assert clock.fixed_due_at is not None
            fixed = clock.fixed_due_at + timedelta(seconds=clock.paused_seconds)
            comp = workdays.explain(start, clock.extension, PeriodUnit.FIXED, cal, fixed=fixed, language=locale)
        else:
            comp = workdays.explain(start, clock.length + clock.extension, clock.unit, cal, language=locale)
        nominal = comp.nominal_last_day
        days = [
            ExplainDay(day=d.day, weekday=d.day.isoweekday(), kind=d.kind, kind_label=text(DAY_KIND_LABELS[d.kind],
                       locale), counted=d.counted, number=d.number, label=d.label, rolled_forward=d.rolled_forward)
            for d in comp.days
        ]  # fmt: skip
    return ClockExplanation(
        clock=clock_read(clock, now=now, locale=locale),
        rule=text(_rule_text(clock), locale),
        basis=clock.basis,
        pack=clock.pack,
        start_event=clock.start_event,
        start_event_label=text(START_EVENT_LABELS[clock.start_event], locale),
        start_at=to_local(clock.start_at) if clock.start_at else None,
        effective_start=to_local(start) if start else None,
        length=clock.length,
        extension=clock.extension,
        unit=clock.unit,
        paused_seconds=clock.paused_seconds,
        due_at=to_local(clock.due_at) if clock.due_at else None,
        calendar_version=cal.version,
        holidays_version=workdays.HOLIDAYS_VERSION,
        nominal_last_day=nominal,
        counting=text(COUNTING[clock.unit], locale),
        days=days,
        skipped=[d for d in days if not d.counted],
        makeup_days=[d for d in days if d.kind == workdays.DayKind.MAKEUP],
    )


# --- the staff pages ----------------------------------------------------------------------------------------


def clock_actions(
    session: Session, *, actor: Actor, case: Case, clocks: Sequence[ClockRead]
) -> dict[int, list[ClockAction]]:
    """What the actor may do now with each of the case's clocks (the same checks as ``extend_clock`` and
    ``mark_met``), by clock id."""
    scope = scope_of(session, case)
    may_extend = can(actor, Permission.CLOCK_EXTEND, scope)
    may_mark = can(actor, Permission.CLOCK_MARK_MET, scope)
    result: dict[int, list[ClockAction]] = {}
    for clock in clocks:
        actions = []
        if may_extend and clock.state in TICKING_STATES:
            actions.append(ClockAction.EXTEND)
        if may_mark and clock.state in ACTIVE_STATES:
            actions.append(ClockAction.MARK_MET)
        result[clock.id] = actions
    return result


def _case_clock_reads(rows: Sequence[tuple[Clock, Case]], *, now: datetime, locale: str) -> list[CaseClockRead]:
    return [
        CaseClockRead(case_reference=case.reference, case_title=case.title, case_severity=case.severity,
                      clock=clock_read(clock, now=now, locale=locale))
        for clock, case in rows
    ]  # fmt: skip


def _visible_clocks(actor: Actor) -> Any:
    query = select(Clock, Case).join(Case, col(Case.id) == col(Clock.case_id))
    visible = visibility_clause(actor)
    return query if visible is None else query.where(visible)


def running_clocks(
    session: Session, *, actor: Actor, now: datetime, locale: str, limit: int = 20
) -> list[CaseClockRead]:
    """Every running clock of the cases the actor may see, nearest due first (overdue ones first of all)."""
    query = _visible_clocks(actor).where(Clock.state == ClockState.RUNNING)
    rows = session.exec(query.order_by(col(Clock.due_at), col(Clock.id)).limit(limit)).all()
    return _case_clock_reads(rows, now=now, locale=locale)


def missed_clocks(session: Session, *, actor: Actor, since: datetime, until: datetime, now: datetime, locale: str,
                  limit: int = 20) -> tuple[int, list[CaseClockRead]]:  # fmt: skip
    """The clocks due in [since, until) that were not met on time: missed, met late, or still ticking past their
    due time. Returns how many, and the latest ``limit`` of them.

    Each late state is a range of ``ix_clock_state_due_at``: missed and met late ones due in [since, until),
    ticking ones due in [since, min(until, now)). The count adds the four ranges' counts, each from the index alone
    when the actor sees every case (each clock has its case): not a bitmap scan of the month's 9,300 late clocks'
    rows (3,079 buffers, 5-15 ms at a million cases) nor 8,500 case look-ups, for the director's home."""
    visible = visibility_clause(actor)
    states = [(state, until) for state in (ClockState.MISSED, ClockState.MET_LATE)]
    states += [(state, min(until, now)) for state in sorted(TICKING_STATES)]

    def late_of(query: Any, state: ClockState, upper: datetime) -> Any:
        query = query.where(Clock.state == state, col(Clock.due_at) >= since, col(Clock.due_at) < upper)
        return query if visible is None else query.join(Case, col(Case.id) == col(Clock.case_id)).where(visible)

    counts = sa_select(*(late_of(sa_select(func.count()).select_from(Clock), state, upper).scalar_subquery()
                         for state, upper in states))  # fmt: skip
    total = sum(session.execute(counts).one())
    latest = (col(Clock.due_at).desc(), col(Clock.id).desc())

    def latest_of(state: ClockState, upper: datetime) -> Any:
        """The latest ``limit`` late clocks of one state: a backward range of ``ix_clock_state_due_at``."""
        query = late_of(select(Clock.id), state, upper)
        return select(query.order_by(*latest).limit(limit).subquery().c.id)

    # The latest of all is among the latest of each state: not a sort of the month's 8,500 late clocks.
    candidates = union_all(*(latest_of(state, upper) for state, upper in states))
    query = _visible_clocks(actor).where(col(Clock.id).in_(candidates))
    rows = session.exec(query.order_by(*latest).limit(limit)).all()
    return total, _case_clock_reads(rows, now=now, locale=locale)
