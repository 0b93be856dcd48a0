"""Clocks of the spokesperson's information tasks (Decree 244/2026 Art. 4.2): started when a unit is given a task,
met when it answers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from app.cases.models import Case
from app.clocks.models import (
    Clock,
    ClockOrigin,
    ClockState,
)
from app.clocks.service import ClockSpec, apply_start, meet, refresh_next_due
from app.rules.packs import pack_for
from app.rules.schema import (
    ClockActor,
    MetBy,
    StartEvent,
)
from app.workdays.rules import Calendar, PeriodUnit


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
    apply_start(clock, case, start_at=now, started_from=None, now=now, cal=Calendar())
    session.add(clock)
    session.flush()
    refresh_next_due(session, case)
    return clock


def meet_task_clock(session: Session, *, case: Case, task_id: int, at: datetime, actor_id: int) -> Clock | None:
    clock = session.exec(select(Clock).where(Clock.task_id == task_id)).first()
    if clock is not None:
        meet(session, case, clock, at=at, now=at, how="task_answered", actor_id=actor_id)
        refresh_next_due(session, case)
    return clock
