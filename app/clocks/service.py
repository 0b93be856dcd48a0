"""The clock engine: which clocks a case runs, and how they react to what happens to it.

Every domain records a case's history through ``cases.service.record_event``, which calls ``on_event`` here:

* ``created`` / ``updated`` (received, occurred, impact-determined or complaint-concluded time, legal trigger,
  severity, source kind): the case's field-started clocks are reconciled with the rule pack in force at
  ``received_at`` and the internal targets (started, restarted from the new time, or stopped);
* ``transition``: ``assign``/``reassign`` start the unit's targets; ``hold``/``resume`` pause and resume the
  clocks that may pause; ``submit`` meets the unit's clock and starts the approval clock; ``approve``/``return``
  meet it; ``publish`` meets the initial-information and reply clocks; ``close`` stops what is still running
  (met if answered; else stopped, or missed when already late);
* ``notice_published`` (recorded by the statements domain): any notice meets an initial-information clock, a
  ``response``, ``rebuttal`` or ``refusal`` meets a reply clock.

After each change ``Case.next_due_at`` is set to the due time of the nearest running clock. Services flush,
never commit. The clock changes that no other event explains are written to the case's history as ``kind="clock"``
events: paused, resumed, extended (with the reason), met by hand (with the note), recomputed after a calendar
change. Starting, meeting and stopping a clock because of a recorded event (intake, transition, notice, task
answer) is visible on the clock itself (state, ``met_at``, note) and is not logged twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, can, require
from app.cases.models import Case, CaseEvent
from app.cases.workflow import CaseStatus
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
from app.clocks.schedule import Stage, next_stage, sent_before
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.i18n import Message, _, text
from app.rules.models import (
    CASE_FIELD_EVENTS,
    START_EVENT_LABELS,
    UNIT_LABELS,
    ClockActor,
    ClockDefinition,
    InternalTarget,
    MetBy,
    RulePack,
    StartEvent,
)
from app.rules.packs import pack_for
from app.rules.service import matching_targets
from app.timeutil import to_local
from app.workdays import rules as workdays
from app.workdays.models import DAY_KIND_LABELS
from app.workdays.rules import Calendar, PeriodUnit
from app.workdays.service import load_calendar

FIELD_EVENTS = tuple(CASE_FIELD_EVENTS)
# Case fields whose change may start, move or stop clocks.
RELEVANT_FIELDS = frozenset(
    {"received_at", "occurred_at", "impact_determined_at", "complaint_concluded_at", "legal_trigger", "severity",
     "source_kind"}
)  # fmt: skip
REPLY_KINDS = frozenset({"response", "rebuttal", "refusal"})
HANDLED_KINDS = frozenset({"created", "updated", "transition", "notice_published"})


@dataclass(frozen=True)
class ClockSpec:
    """What a clock is, before it is started on a case."""

    origin: ClockOrigin
    rule_key: str
    pack: str | None
    target_id: int | None
    name: str
    basis: str
    actor: ClockActor
    met_by: MetBy
    may_pause: bool
    start_event: StartEvent
    fallback: StartEvent | None
    length: int
    unit: PeriodUnit

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.pack, self.rule_key)


def spec_from_definition(pack: RulePack, d: ClockDefinition) -> ClockSpec:
    return ClockSpec(ClockOrigin.STATUTORY, d.key, pack.code, None, d.name, d.basis, d.actor, d.met_by, d.may_pause,
                     d.start_event, d.fallback_start_event, d.length, d.unit)  # fmt: skip


def spec_from_target(t: InternalTarget) -> ClockSpec:
    return ClockSpec(ClockOrigin.INTERNAL, f"target:{t.id}", None, t.id, t.name, t.name, t.actor, t.met_by,
                     t.may_pause, t.start_event, None, t.length, t.unit)  # fmt: skip


# --- due times ----------------------------------------------------------------------------------------------


def effective_start(clock: Clock) -> datetime | None:
    """The start moved on by the time the clock spent paused."""
    if clock.start_at is None:
        return None
    return clock.start_at + timedelta(seconds=clock.paused_seconds)


def compute_due(clock: Clock, cal: Calendar) -> datetime | None:
    start = effective_start(clock)
    if start is None:
        return None
    if clock.unit == PeriodUnit.FIXED:
        assert clock.fixed_due_at is not None
        fixed = clock.fixed_due_at + timedelta(seconds=clock.paused_seconds)
        return workdays.due_at(start, clock.extension, PeriodUnit.FIXED, cal, fixed=fixed)
    return workdays.due_at(start, clock.length + clock.extension, clock.unit, cal)


# The units the calendar can move (hours run on the wall clock; a fixed time is fixed).
CALENDAR_UNITS = (PeriodUnit.DAYS, PeriodUnit.WORKING_DAYS)


def set_due(clock: Clock, cal: Calendar) -> None:
    """Compute the due time and keep the calendar version it was computed with (for the clocks counted in days,
    the only ones the calendar can move)."""
    clock.due_at = compute_due(clock, cal)
    counts_days = clock.unit in CALENDAR_UNITS and clock.due_at is not None
    clock.calendar_version = cal.version if counts_days else None


def schedule_reminders(clock: Clock, *, now: datetime, after: Stage | None = None) -> None:
    """Set the next reminder stage of a running clock (none for any other state)."""
    start = effective_start(clock)
    if clock.state != ClockState.RUNNING or start is None or clock.due_at is None:
        clock.next_reminder_at = None
        clock.next_reminder_stage = None
        return
    nxt = next_stage(start, clock.due_at, now=now, after=after)
    clock.next_reminder_stage = nxt[0].value if nxt else None
    clock.next_reminder_at = nxt[1] if nxt else None


def _iso(value: datetime | None) -> str | None:
    return to_local(value).isoformat() if value else None


# --- the case's events ------------------------------------------------------------------------------------


def _log(session: Session, case: Case, clock: Clock, *, action: str, now: datetime, actor_id: int | None = None,
         note: str | None = None, **extra: Any) -> None:  # fmt: skip
    from app.cases.service import record_event

    data = {"clock_id": clock.id, "name": clock.name, "basis": clock.basis, "state": clock.state.value,
            "due_at": _iso(clock.due_at), **extra}  # fmt: skip
    record_event(session, case=case, actor_id=actor_id, now=now, kind="clock", action=action, note=note, data=data)


def _clocks(session: Session, case: Case, states: Iterable[ClockState] | None = None) -> list[Clock]:
    query = select(Clock).where(Clock.case_id == case.id)
    if states is not None:
        query = query.where(col(Clock.state).in_(list(states)))
    return list(session.exec(query.order_by(col(Clock.id))).all())


def refresh_next_due(session: Session, case: Case) -> None:
    """Keep ``Case.next_due_at`` equal to the nearest running clock's due time."""
    due = session.exec(
        select(func.min(Clock.due_at)).where(Clock.case_id == case.id, Clock.state == ClockState.RUNNING)
    ).one()
    if case.next_due_at != due:
        case.next_due_at = due
        session.add(case)
        session.flush()


def on_event(session: Session, *, case: Case, event: CaseEvent) -> None:
    """React to a line of the case's history (called by ``cases.service.record_event``)."""
    if event.kind not in HANDLED_KINDS:
        return
    now = event.at
    data = event.data or {}
    if event.kind == "created":
        _reconcile(session, case, now=now)
        if event.to_status == CaseStatus.ASSIGNED:  # routed at intake: the unit's clocks start with it
            _start_lifecycle(session, case, StartEvent.ASSIGNED, now=now)
    elif event.kind == "updated":
        if RELEVANT_FIELDS & set(data.get("changes") or {}):
            _reconcile(session, case, now=now)
        else:
            return
    elif event.kind == "transition":
        _on_transition(session, case, action=event.action or "", data=data, note=event.note, now=now)
    else:
        _on_notice(session, case, data=data, now=now)
    refresh_next_due(session, case)


def _desired(session: Session, case: Case) -> list[ClockSpec]:
    specs: list[ClockSpec] = []
    pack = pack_for(case.received_at)
    if pack is not None:
        specs += [spec_from_definition(pack, d) for d in pack.clocks_for(case.legal_trigger)]
    targets = matching_targets(session, severity=case.severity, source_kind=case.source_kind, start_events=FIELD_EVENTS)
    specs += [spec_from_target(t) for t in targets]
    return specs


def _field_start(case: Case, spec: ClockSpec) -> tuple[datetime | None, StartEvent | None]:
    at: datetime | None = getattr(case, CASE_FIELD_EVENTS[spec.start_event])
    if at is not None:
        return at, None
    if spec.fallback is not None:
        fallback: datetime | None = getattr(case, CASE_FIELD_EVENTS[spec.fallback])
        if fallback is not None:
            return fallback, spec.fallback
    return None, None


def _apply_start(clock: Clock, case: Case, *, start_at: datetime | None, started_from: StartEvent | None,
                 now: datetime, cal: Calendar) -> None:  # fmt: skip
    clock.start_at = start_at
    clock.started_from = started_from
    clock.updated_at = now
    if start_at is None:
        clock.state = ClockState.PENDING
        clock.due_at = None
        clock.calendar_version = None
    else:
        set_due(clock, cal)
        if clock.may_pause and case.status == CaseStatus.ON_HOLD:
            if clock.state != ClockState.PAUSED:
                clock.paused_at = now
            clock.state = ClockState.PAUSED
        else:
            clock.state = ClockState.RUNNING
    schedule_reminders(clock, now=now)


def _start(session: Session, case: Case, spec: ClockSpec, *, start_at: datetime | None,
           started_from: StartEvent | None, now: datetime, cal: Calendar) -> Clock:  # fmt: skip
    assert case.id is not None
    clock = Clock(
        case_id=case.id, origin=spec.origin, rule_key=spec.rule_key, pack=spec.pack, target_id=spec.target_id,
        name=spec.name, basis=spec.basis, actor=spec.actor, met_by=spec.met_by, may_pause=spec.may_pause,
        start_event=spec.start_event, length=spec.length, unit=spec.unit, state=ClockState.PENDING,
        created_at=now, updated_at=now,
    )  # fmt: skip
    _apply_start(clock, case, start_at=start_at, started_from=started_from, now=now, cal=cal)
    session.add(clock)
    session.flush()
    return clock


def _reconcile(session: Session, case: Case, *, now: datetime) -> None:
    """Bring the case's field-started clocks in line with its fields, its rule pack and the targets."""
    if case.status == CaseStatus.CLOSED:
        return
    cal = load_calendar(session)
    desired = {s.key: s for s in _desired(session, case)}
    seen: set[tuple[str | None, str]] = set()
    for clock in _clocks(session, case):
        if clock.origin == ClockOrigin.TASK or clock.start_event not in FIELD_EVENTS:
            continue
        if clock.state == ClockState.STOPPED:
            continue
        spec = desired.get((clock.pack, clock.rule_key))
        if spec is None:
            if clock.state in ACTIVE_STATES:
                _stop(session, clock, now=now, missed_if_late=False,
                      reason=str(_("Không còn áp dụng sau khi thông tin vụ việc thay đổi.")))  # fmt: skip
            continue
        seen.add(spec.key)
        if clock.state not in ACTIVE_STATES:
            continue
        start_at, started_from = _field_start(case, spec)
        if (start_at, started_from) != (clock.start_at, clock.started_from):
            clock.version += 1
            _apply_start(clock, case, start_at=start_at, started_from=started_from, now=now, cal=cal)
            session.add(clock)
            session.flush()
    new = [s for key, s in desired.items() if key not in seen]
    for spec in new:
        start_at, started_from = _field_start(case, spec)
        clock = _start(session, case, spec, start_at=start_at, started_from=started_from, now=now, cal=cal)
        _meet_if_already_answered(session, case, clock, now=now)


def _meet_if_already_answered(session: Session, case: Case, clock: Clock, *, now: datetime) -> None:
    """A clock that starts after the answer it waits for was published (e.g. the trigger changed later)."""
    events = session.exec(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, col(CaseEvent.kind).in_(["notice_published", "transition"]))
        .order_by(col(CaseEvent.at), col(CaseEvent.id))
    ).all()
    for event in events:
        if event.kind == "transition" and event.action != "publish":
            continue
        kind = (event.data or {}).get("statement_kind") if event.kind == "notice_published" else "response"
        if clock.met_by == MetBy.FIRST_NOTICE or (clock.met_by == MetBy.REPLY and kind in REPLY_KINDS):
            _meet(session, case, clock, at=_published_at(event.data or {}, event.at), now=now, how="earlier_notice")
            return


def _start_lifecycle(session: Session, case: Case, event: StartEvent, *, now: datetime) -> None:
    cal = load_calendar(session)
    for target in matching_targets(session, severity=case.severity, source_kind=case.source_kind,
                                   start_events=[event]):  # fmt: skip
        _start(session, case, spec_from_target(target), start_at=now, started_from=None, now=now, cal=cal)


def _on_transition(session: Session, case: Case, *, action: str, data: dict[str, Any], note: str | None,
                   now: datetime) -> None:  # fmt: skip
    if action == "assign":
        _start_lifecycle(session, case, StartEvent.ASSIGNED, now=now)
    elif action == "reassign":
        for clock in _clocks(session, case, ACTIVE_STATES):
            if clock.start_event == StartEvent.ASSIGNED:
                _stop(session, clock, now=now, missed_if_late=False,
                      reason=str(_("Vụ việc được chuyển cho đơn vị khác.")))  # fmt: skip
        _start_lifecycle(session, case, StartEvent.ASSIGNED, now=now)
    elif action == "hold":
        for clock in _clocks(session, case, [ClockState.RUNNING]):
            if clock.may_pause:
                _pause(session, case, clock, now=now)
    elif action == "resume":
        for clock in _clocks(session, case, [ClockState.PAUSED]):
            _resume(session, case, clock, now=now)
    elif action == "submit":
        _meet_all(session, case, {MetBy.SUBMITTED}, at=now, now=now, how="submitted")
        for clock in _clocks(session, case, ACTIVE_STATES):
            if clock.start_event == StartEvent.SUBMITTED:
                _stop(session, clock, now=now, missed_if_late=False, reason=str(_("Trình duyệt lại.")))
        _start_lifecycle(session, case, StartEvent.SUBMITTED, now=now)
    elif action in ("approve", "return"):
        _meet_all(session, case, {MetBy.DECIDED}, at=now, now=now, how=action)
    elif action == "publish":
        # An embargoed notice is public (and the clock met) at its minute, which the statement service passes.
        at = _published_at(data, now)
        _meet_all(session, case, {MetBy.FIRST_NOTICE, MetBy.REPLY}, at=at, now=now, how="published")
    elif action == "close":
        _close(session, case, reason=str(data.get("reason") or ""), note=note, now=now)


def _published_at(data: dict[str, Any], default: datetime) -> datetime:
    raw = data.get("published_at")
    if isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw)
            if value.tzinfo is not None:
                return value
        except ValueError:
            pass
    return default


def _on_notice(session: Session, case: Case, *, data: dict[str, Any], now: datetime) -> None:
    kind = data.get("statement_kind")
    at = _published_at(data, now)
    wanted = {MetBy.FIRST_NOTICE} | ({MetBy.REPLY} if kind in REPLY_KINDS else set())
    how = f"notice {data.get('notice_number')}" if data.get("notice_number") else "notice"
    _meet_all(session, case, wanted, at=at, now=now, how=how)


def _close(session: Session, case: Case, *, reason: str, note: str | None, now: datetime) -> None:
    answered = reason == "answered"
    text_reason = str(_("Vụ việc đã đóng ({reason}).", reason=reason)) + (f" {note}" if note else "")
    for clock in _clocks(session, case, ACTIVE_STATES):
        if answered and clock.state in TICKING_STATES:
            _meet(session, case, clock, at=now, now=now, how="closed_answered")
        else:
            _stop(session, clock, now=now, missed_if_late=True, reason=text_reason)


# --- state changes ------------------------------------------------------------------------------------------


def _meet_all(session: Session, case: Case, met_by: set[MetBy], *, at: datetime, now: datetime, how: str) -> None:
    for clock in _clocks(session, case, ACTIVE_STATES):
        if clock.met_by in met_by:
            _meet(session, case, clock, at=at, now=now, how=how)


def _meet(session: Session, case: Case, clock: Clock, *, at: datetime, now: datetime, how: str,
          actor_id: int | None = None, note: str | None = None) -> None:  # fmt: skip
    if clock.state not in ACTIVE_STATES:
        return
    clock.met_at = at
    clock.state = ClockState.MET_ON_TIME if clock.due_at is None or at <= clock.due_at else ClockState.MET_LATE
    clock.paused_at = None
    if note:
        clock.note = note
    clock.updated_at = now
    schedule_reminders(clock, now=now)
    session.add(clock)
    session.flush()
    if how == "manual":  # the automatic ones follow an event of their own (notice, transition, task answer)
        _log(session, case, clock, action="met", now=now, actor_id=actor_id, note=note, met_at=_iso(at))


def _stop(session: Session, clock: Clock, *, now: datetime, reason: str, missed_if_late: bool) -> None:
    late = clock.due_at is not None and now > clock.due_at and clock.state in TICKING_STATES
    clock.state = ClockState.MISSED if missed_if_late and late else ClockState.STOPPED
    if clock.paused_at is not None:
        clock.paused_seconds += int((now - clock.paused_at).total_seconds())
        clock.paused_at = None
    clock.note = reason
    clock.updated_at = now
    schedule_reminders(clock, now=now)
    session.add(clock)
    session.flush()


def _pause(session: Session, case: Case, clock: Clock, *, now: datetime) -> None:
    clock.state = ClockState.PAUSED
    clock.paused_at = now
    clock.updated_at = now
    schedule_reminders(clock, now=now)
    session.add(clock)
    session.flush()
    _log(session, case, clock, action="paused", now=now)


def _resume(session: Session, case: Case, clock: Clock, *, now: datetime) -> None:
    if clock.paused_at is not None:
        clock.paused_seconds += max(int((now - clock.paused_at).total_seconds()), 0)
    clock.paused_at = None
    clock.state = ClockState.RUNNING
    old_due = clock.due_at
    set_due(clock, load_calendar(session))
    clock.updated_at = now
    schedule_reminders(clock, now=now)
    session.add(clock)
    session.flush()
    _log(session, case, clock, action="resumed", now=now, old_due_at=_iso(old_due),
         paused_seconds=clock.paused_seconds)  # fmt: skip


# --- the calendar changed -----------------------------------------------------------------------------------


def recompute_for_calendar(session: Session, *, now: datetime) -> int:
    """Recompute the running and paused clocks counted in days or working days; log and return the changes."""
    from app.cases.service import record_event

    cal = load_calendar(session)
    clocks = session.exec(
        select(Clock).where(
            col(Clock.state).in_(list(TICKING_STATES)),
            col(Clock.unit).in_(CALENDAR_UNITS),
        )
    ).all()
    changed: dict[int, list[Clock]] = {}
    olds: dict[int, datetime | None] = {}
    for clock in clocks:
        due = compute_due(clock, cal)
        if due == clock.due_at:
            continue
        assert clock.id is not None
        olds[clock.id] = clock.due_at
        clock.due_at = due
        clock.updated_at = now
        # Same schedule version: the stages already sent are not sent again, the next ones follow the new due time.
        pending = Stage(clock.next_reminder_stage) if clock.next_reminder_stage else None
        if clock.state == ClockState.RUNNING:
            schedule_reminders(clock, now=now, after=sent_before(pending))
        session.add(clock)
        changed.setdefault(clock.case_id, []).append(clock)
    session.flush()
    # Every clock the calendar can move was judged again by this version, moved or not (one statement).
    session.execute(
        update(Clock)
        .where(
            col(Clock.state).in_(list(TICKING_STATES)),
            col(Clock.unit).in_(CALENDAR_UNITS),
            col(Clock.due_at).is_not(None),
        )
        .values(calendar_version=cal.version),
        execution_options={"synchronize_session": "evaluate"},
    )
    for case_id, case_clocks in changed.items():
        case = session.get(Case, case_id)
        assert case is not None
        for clock in case_clocks:
            assert clock.id is not None
            record_event(session, case=case, actor_id=None, now=now, kind="clock", action="recomputed",
                         data={"clock_id": clock.id, "name": clock.name, "basis": clock.basis,
                               "state": clock.state.value, "due_at": _iso(clock.due_at),
                               "old_due_at": _iso(olds[clock.id]), "reason": "calendar_changed",
                               "calendar_version": cal.version})  # fmt: skip
        refresh_next_due(session, case)
    return sum(len(v) for v in changed.values())


# --- tasks --------------------------------------------------------------------------------------------------


def start_task_clock(session: Session, *, case: Case, task_id: int, unit_name: str, due_at: datetime,
                     now: datetime) -> Clock:  # fmt: skip
    pack = pack_for(case.received_at) or pack_for(now)
    basis = pack.task_basis if pack else "Nghị định 244/2026/NĐ-CP, Điều 4 khoản 2"
    spec = ClockSpec(ClockOrigin.TASK, f"task:{task_id}", pack.code if pack else None, None,
                     f"Cung cấp thông tin theo yêu cầu của người phát ngôn: {unit_name}", basis, ClockActor.UNIT,
                     MetBy.TASK_ANSWERED, False, StartEvent.TASK_CREATED, None, 0, PeriodUnit.FIXED)  # fmt: skip
    assert case.id is not None
    clock = Clock(
        case_id=case.id, origin=spec.origin, rule_key=spec.rule_key, pack=spec.pack, task_id=task_id,
        name=spec.name, basis=spec.basis, actor=spec.actor, met_by=spec.met_by, may_pause=False,
        start_event=spec.start_event, length=0, unit=PeriodUnit.FIXED, fixed_due_at=due_at,
        state=ClockState.PENDING, created_at=now, updated_at=now,
    )  # fmt: skip
    _apply_start(clock, case, start_at=now, started_from=None, now=now, cal=Calendar())
    session.add(clock)
    session.flush()
    refresh_next_due(session, case)
    return clock


def meet_task_clock(session: Session, *, case: Case, task_id: int, at: datetime, actor_id: int) -> Clock | None:
    clock = session.exec(select(Clock).where(Clock.task_id == task_id)).first()
    if clock is not None:
        _meet(session, case, clock, at=at, now=at, how="task_answered", actor_id=actor_id)
        refresh_next_due(session, case)
    return clock


# --- reading ------------------------------------------------------------------------------------------------


def clock_read(clock: Clock, *, now: datetime, locale: str) -> ClockRead:
    assert clock.id is not None
    ticking = clock.state in TICKING_STATES and clock.due_at is not None
    overdue = ticking and clock.due_at is not None and clock.due_at < now
    remaining = int((clock.due_at - now).total_seconds()) if ticking and clock.due_at else None
    basis = clock.basis
    if clock.origin == ClockOrigin.INTERNAL:
        basis = text(_("Chỉ tiêu nội bộ: {name}", name=clock.basis), locale)
    notes: list[str] = []
    if clock.state == ClockState.PENDING:
        notes.append(text(_("Chưa bắt đầu tính: chờ {event}.", event=START_EVENT_LABELS[clock.start_event]), locale))
    if clock.started_from is not None:
        notes.append(text(_("Chưa rõ {event}: tạm tính từ {fallback}.", event=START_EVENT_LABELS[clock.start_event],
                            fallback=START_EVENT_LABELS[clock.started_from]), locale))  # fmt: skip
    if clock.note:
        notes.append(clock.note)
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
    from app.cases.service import get_case

    case = get_case(session, actor=actor, reference=reference)
    return [clock_read(c, now=now, locale=locale) for c in sorted(_clocks(session, case), key=_sort_key)]


def _get_clock(session: Session, *, actor: Actor, reference: str, clock_id: int) -> tuple[Case, Clock]:
    from app.cases.service import get_case

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
    _case, clock = _get_clock(session, actor=actor, reference=reference, clock_id=clock_id)
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


# --- people's actions ---------------------------------------------------------------------------------------


def extend_clock(session: Session, *, actor: Actor, reference: str, clock_id: int, by: int, reason: str,
                 now: datetime, locale: str) -> ClockRead:  # fmt: skip
    """Give a clock more time (spokesperson or director), with a reason; logged with the old and new due time."""
    from app.cases.service import scope_of

    case, clock = _get_clock(session, actor=actor, reference=reference, clock_id=clock_id)
    require(actor, Permission.CLOCK_EXTEND, scope_of(session, case))
    if clock.state not in TICKING_STATES:
        raise InvalidTransition(
            _("Chỉ gia hạn được thời hạn đang chạy hoặc tạm dừng (hiện tại: {state}).",
              state=CLOCK_STATE_LABELS[clock.state]),
            state=clock.state.value,
        )  # fmt: skip
    if not reason.strip():
        raise ValidationFailed(_("Cần ghi rõ lý do gia hạn."), field="reason")
    old_due = clock.due_at
    clock.extension += by
    clock.version += 1
    set_due(clock, load_calendar(session))
    clock.updated_at = now
    schedule_reminders(clock, now=now)
    session.add(clock)
    session.flush()
    _log(session, case, clock, action="extended", now=now, actor_id=actor.user_id, note=reason, by=by,
         unit=clock.unit.value, old_due_at=_iso(old_due))  # fmt: skip
    refresh_next_due(session, case)
    return clock_read(clock, now=now, locale=locale)


def mark_met(session: Session, *, actor: Actor, reference: str, clock_id: int, note: str, at: datetime | None,
             now: datetime, locale: str) -> ClockRead:  # fmt: skip
    """Record that a clock was met outside the system (e.g. answered at a press conference), with a note."""
    from app.cases.service import scope_of

    case, clock = _get_clock(session, actor=actor, reference=reference, clock_id=clock_id)
    require(actor, Permission.CLOCK_MARK_MET, scope_of(session, case))
    if clock.state not in ACTIVE_STATES:
        raise InvalidTransition(
            _("Thời hạn này đã kết thúc ({state}).", state=CLOCK_STATE_LABELS[clock.state]), state=clock.state.value
        )
    at = at or now
    if at > now + timedelta(minutes=5):
        raise ValidationFailed(_("Thời điểm thực hiện không thể ở tương lai."), field="at")
    if clock.start_at is not None and at < clock.start_at:
        raise ValidationFailed(_("Thời điểm thực hiện không thể trước khi thời hạn bắt đầu."), field="at")
    _meet(session, case, clock, at=at, now=now, how="manual", actor_id=actor.user_id, note=note)
    refresh_next_due(session, case)
    return clock_read(clock, now=now, locale=locale)


# --- the staff pages ----------------------------------------------------------------------------------------


def clock_actions(
    session: Session, *, actor: Actor, case: Case, clocks: Sequence[ClockRead]
) -> dict[int, list[ClockAction]]:
    """What the actor may do now with each of the case's clocks (the same checks as ``extend_clock`` and
    ``mark_met``), by clock id."""
    from app.cases.service import scope_of

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
    from app.cases.service import visibility_clause

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
    due time. Returns how many, and the latest ``limit`` of them."""
    late = or_(
        col(Clock.state).in_([ClockState.MISSED, ClockState.MET_LATE]),
        and_(col(Clock.state).in_(list(TICKING_STATES)), col(Clock.due_at) < now),
    )
    query = _visible_clocks(actor).where(col(Clock.due_at) >= since, col(Clock.due_at) < until, late)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Clock.due_at).desc(), col(Clock.id).desc()).limit(limit)).all()
    return total, _case_clock_reads(rows, now=now, locale=locale)
