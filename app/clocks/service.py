"""The clock engine: which clocks a case runs, and how they react to what happens to it.

Every domain records a case's history through ``cases.events.record_event``; the clocks listen (``on_event``, wired
in ``app/clocks/__init__.py``), the cases never call them:

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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.cases.events import record_event
from app.cases.models import Case, CaseEvent
from app.cases.vocabulary import CaseEventKind
from app.cases.workflow import CaseStatus
from app.clocks.models import (
    ACTIVE_STATES,
    TICKING_STATES,
    Clock,
    ClockOrigin,
    ClockState,
)
from app.clocks.rules import CALENDAR_UNITS, compute_due, effective_start
from app.clocks.schedule import Stage, next_stage
from app.i18n import _
from app.rules.models import InternalTarget
from app.rules.packs import pack_for
from app.rules.schema import (
    CASE_FIELD_EVENTS,
    ClockActor,
    ClockDefinition,
    MetBy,
    RulePack,
    StartEvent,
)
from app.rules.service import matching_targets
from app.timeutil import to_local
from app.workdays.rules import Calendar, PeriodUnit
from app.workdays.service import load_calendar

FIELD_EVENTS = tuple(CASE_FIELD_EVENTS)
# Case fields whose change may start, move or stop clocks.
RELEVANT_FIELDS = frozenset(
    {"received_at", "occurred_at", "impact_determined_at", "complaint_concluded_at", "legal_trigger", "severity",
     "source_kind"}
)  # fmt: skip
REPLY_KINDS = frozenset({"response", "rebuttal", "refusal"})
HANDLED_KINDS = frozenset(
    {CaseEventKind.CREATED, CaseEventKind.UPDATED, CaseEventKind.TRANSITION, CaseEventKind.NOTICE_PUBLISHED,
     CaseEventKind.CRISIS}
)  # fmt: skip
CRISIS_BASIS = "Chỉ tiêu nội bộ của Sở"


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
    """A pack's clock; one of every case (no trigger: issuing a signed document) is of origin ``document``, apart
    from the statutory press deadlines that the reports' indicators count."""
    origin = ClockOrigin.STATUTORY if d.trigger is not None else ClockOrigin.DOCUMENT
    return ClockSpec(origin, d.key, pack.code, None, d.name, d.basis, d.actor, d.met_by, d.may_pause,
                     d.start_event, d.fallback_start_event, d.length, d.unit)  # fmt: skip


def spec_from_target(t: InternalTarget) -> ClockSpec:
    # A crisis clock states its basis: the Sở's own target, or the rule the admin chose to apply.
    basis = (t.basis or CRISIS_BASIS) if t.start_event == StartEvent.CRISIS_DECLARED else t.name
    return ClockSpec(ClockOrigin.INTERNAL, f"target:{t.id}", None, t.id, t.name, basis, t.actor, t.met_by,
                     t.may_pause, t.start_event, None, t.length, t.unit)  # fmt: skip


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
    data = {"clock_id": clock.id, "name": clock.name, "basis": clock.basis, "state": clock.state.value,
            "due_at": _iso(clock.due_at), **extra}  # fmt: skip
    record_event(
        session, case=case, actor_id=actor_id, now=now, kind=CaseEventKind.CLOCK, action=action, note=note, data=data
    )


def case_clocks(session: Session, case: Case, states: Iterable[ClockState] | None = None) -> list[Clock]:
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
    """React to a line of the case's history: the clocks' one entry point, registered with
    ``cases.events.listen`` in ``app/clocks/__init__.py`` and called by ``cases.events.record_event``."""
    if event.kind not in HANDLED_KINDS:
        return
    now = event.at
    data = event.data or {}
    if event.kind == CaseEventKind.CREATED:
        _reconcile(session, case, now=now)
        if event.to_status == CaseStatus.ASSIGNED:  # routed at intake: the unit's clocks start with it
            _start_lifecycle(session, case, StartEvent.ASSIGNED, now=now)
    elif event.kind == CaseEventKind.UPDATED:
        if RELEVANT_FIELDS & set(data.get("changes") or {}):
            _reconcile(session, case, now=now)
        else:
            return
    elif event.kind == CaseEventKind.TRANSITION:
        _on_transition(session, case, action=event.action or "", data=data, note=event.note, now=now)
    elif event.kind == CaseEventKind.CRISIS:
        _on_crisis(session, case, action=event.action or "", data=data, now=now)
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


def apply_start(clock: Clock, case: Case, *, start_at: datetime | None, started_from: StartEvent | None,
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
    apply_start(clock, case, start_at=start_at, started_from=started_from, now=now, cal=cal)
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
    for clock in case_clocks(session, case):
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
            apply_start(clock, case, start_at=start_at, started_from=started_from, now=now, cal=cal)
            session.add(clock)
            session.flush()
    new = [s for key, s in desired.items() if key not in seen]
    for spec in new:
        start_at, started_from = _field_start(case, spec)
        clock = _start(session, case, spec, start_at=start_at, started_from=started_from, now=now, cal=cal)
        _meet_if_already_answered(session, case, clock, now=now)


def _meet_if_already_answered(session: Session, case: Case, clock: Clock, *, now: datetime,
                              since: datetime | None = None) -> None:  # fmt: skip
    """A clock that starts after the answer it waits for was published (e.g. the trigger changed later); with
    ``since``, only an answer published from then on counts (a crisis clock wants an answer to the crisis)."""
    query = select(CaseEvent).where(CaseEvent.case_id == case.id,
                                    col(CaseEvent.kind).in_(["notice_published", "transition"]))  # fmt: skip
    if since is not None:
        query = query.where(col(CaseEvent.at) >= since)
    events = session.exec(query.order_by(col(CaseEvent.at), col(CaseEvent.id))).all()
    for event in events:
        if event.kind == "transition" and event.action != "publish":
            continue
        kind = (event.data or {}).get("statement_kind") if event.kind == "notice_published" else "response"
        if clock.met_by == MetBy.FIRST_NOTICE or (clock.met_by == MetBy.REPLY and kind in REPLY_KINDS):
            meet(session, case, clock, at=_published_at(event.data or {}, event.at), now=now, how="earlier_notice")
            return


def _start_lifecycle(session: Session, case: Case, event: StartEvent, *, now: datetime) -> None:
    cal = load_calendar(session)
    pack = pack_for(case.received_at)
    if pack is not None:
        for definition in pack.lifecycle_clocks(event):
            _start(session, case, spec_from_definition(pack, definition), start_at=now, started_from=None, now=now,
                   cal=cal)  # fmt: skip
    for target in matching_targets(session, severity=case.severity, source_kind=case.source_kind,
                                   start_events=[event]):  # fmt: skip
        _start(session, case, spec_from_target(target), start_at=now, started_from=None, now=now, cal=cal)


def _on_transition(session: Session, case: Case, *, action: str, data: dict[str, Any], note: str | None,
                   now: datetime) -> None:  # fmt: skip
    if action == "assign":
        _start_lifecycle(session, case, StartEvent.ASSIGNED, now=now)
    elif action == "reassign":
        for clock in case_clocks(session, case, ACTIVE_STATES):
            if clock.start_event == StartEvent.ASSIGNED:
                _stop(session, clock, now=now, missed_if_late=False,
                      reason=str(_("Vụ việc được chuyển cho đơn vị khác.")))  # fmt: skip
        _start_lifecycle(session, case, StartEvent.ASSIGNED, now=now)
    elif action == "hold":
        for clock in case_clocks(session, case, [ClockState.RUNNING]):
            if clock.may_pause:
                _pause(session, case, clock, now=now)
    elif action == "resume":
        for clock in case_clocks(session, case, [ClockState.PAUSED]):
            _resume(session, case, clock, now=now)
    elif action == "submit":
        _meet_all(session, case, {MetBy.SUBMITTED}, at=now, now=now, how="submitted")
        for clock in case_clocks(session, case, ACTIVE_STATES):
            if clock.start_event == StartEvent.SUBMITTED:
                _stop(session, clock, now=now, missed_if_late=False, reason=str(_("Trình duyệt lại.")))
        _start_lifecycle(session, case, StartEvent.SUBMITTED, now=now)
    elif action in ("approve", "return"):
        _meet_all(session, case, {MetBy.DECIDED}, at=now, now=now, how=action)
        if action == "approve":
            _start_lifecycle(session, case, StartEvent.APPROVED, now=now)
    elif action == "publish":
        # An embargoed notice is public (and the clock met) at its minute, which the statement service passes.
        at = _published_at(data, now)
        _meet_all(session, case, {MetBy.FIRST_NOTICE, MetBy.REPLY}, at=at, now=now, how="published")
    elif action == "close":
        _close(session, case, reason=str(data.get("reason") or ""), note=note, now=now)


def _on_crisis(session: Session, case: Case, *, action: str, data: dict[str, Any], now: datetime) -> None:
    """A crisis declared, its level changed or stood down: the crisis clocks of the level run (counted from the
    declaration), the others stop (missed when already late, on standing down)."""
    if action not in ("declared", "level_changed", "stood_down"):
        return
    level = data.get("level") if action != "stood_down" else None
    wanted: dict[str, InternalTarget] = {}
    if isinstance(level, int):
        for target in matching_targets(session, severity=case.severity, source_kind=case.source_kind,
                                       start_events=[StartEvent.CRISIS_DECLARED], crisis_level=level):  # fmt: skip
            wanted[f"target:{target.id}"] = target
    running: set[str] = set()
    for clock in case_clocks(session, case, ACTIVE_STATES):
        if clock.start_event != StartEvent.CRISIS_DECLARED:
            continue
        if clock.rule_key in wanted:
            running.add(clock.rule_key)
            continue
        reason = _("Khủng hoảng đã kết thúc.") if level is None else _("Cấp khủng hoảng đã thay đổi.")
        _stop(session, clock, now=now, missed_if_late=level is None, reason=str(reason))
    start_at = _published_at({"published_at": data.get("declared_at")}, now)
    cal = load_calendar(session)
    for key, target in wanted.items():
        if key not in running:
            clock = _start(session, case, spec_from_target(target), start_at=start_at, started_from=None, now=now,
                           cal=cal)  # fmt: skip
            _meet_if_already_answered(session, case, clock, now=now, since=start_at)


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
    for clock in case_clocks(session, case, ACTIVE_STATES):
        if answered and clock.state in TICKING_STATES:
            meet(session, case, clock, at=now, now=now, how="closed_answered")
        elif reason == "transferred" and clock.met_by == MetBy.TRANSFERRED and clock.state in TICKING_STATES:
            meet(session, case, clock, at=now, now=now, how="transferred")
        else:
            _stop(session, clock, now=now, missed_if_late=True, reason=text_reason)


# --- state changes ------------------------------------------------------------------------------------------


def _meet_all(session: Session, case: Case, met_by: set[MetBy], *, at: datetime, now: datetime, how: str) -> None:
    for clock in case_clocks(session, case, ACTIVE_STATES):
        if clock.met_by in met_by:
            meet(session, case, clock, at=at, now=now, how=how)


def meet(session: Session, case: Case, clock: Clock, *, at: datetime, now: datetime, how: str,
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
