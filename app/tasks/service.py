"""Tasks: the spokesperson (or the press office) requires a unit to supply information by a due time.

The unit becomes a supporting unit of the case (so its members see it); a member of that unit answers. Each task
runs a clock (``origin = task``) with reminders like any other, met by the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, can, require
from app.cases import links
from app.cases.events import record_event
from app.cases.models import Case, UnitRef, UserRef
from app.cases.scope import get_case, scope_of, visible, visible_cases
from app.cases.vocabulary import CaseEventKind
from app.cases.workflow import CaseStatus
from app.clocks import tasks as clocks
from app.clocks.models import Clock, ClockState
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _
from app.org.models import Unit, User
from app.org.service import unit_by_code
from app.tasks.models import Task, TaskAnswer, TaskCreate, TaskRead
from app.timeutil import to_local


def create_task(session: Session, *, actor: Actor, reference: str, data: TaskCreate, now: datetime) -> Task:
    case = get_case(session, actor=actor, reference=reference)
    scope = scope_of(session, case)
    require(actor, Permission.TASK_MANAGE, scope)
    if case.status == CaseStatus.CLOSED:
        raise InvalidTransition(_("Vụ việc đã đóng: không giao thêm nhiệm vụ."), status=case.status.value)
    unit = unit_by_code(session, data.unit, field="unit")
    if not unit.active:
        raise ValidationFailed(_("Đơn vị {code} không còn hoạt động.", code=unit.code), field="unit")
    if data.due_at <= now:
        raise ValidationFailed(_("Hạn cung cấp thông tin phải ở tương lai."), field="due_at")
    assert case.id is not None and unit.id is not None
    if unit.id != case.lead_unit_id and unit.id not in scope.supporting_unit_ids:
        links.add_supporting(session, case, unit)
        session.flush()
    task = Task(case_id=case.id, unit_id=unit.id, request=data.request, due_at=data.due_at, created_at=now,
                created_by_id=actor.user_id)  # fmt: skip
    session.add(task)
    session.flush()
    assert task.id is not None
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.TASK, action="created",
                 note=data.request[:2000], data={"task_id": task.id, "unit": unit.code,
                                                 "due_at": to_local(data.due_at).isoformat()})  # fmt: skip
    clocks.start_task_clock(session, case=case, task_id=task.id, unit_name=unit.name, due_at=data.due_at, now=now)
    return task


def answer_task(session: Session, *, actor: Actor, task_id: int, data: TaskAnswer, now: datetime) -> Task:
    task = session.get(Task, task_id)
    case = session.exec(visible_cases(actor).where(col(Case.id) == task.case_id)).first() if task else None
    if task is None or case is None:
        raise NotFound(_("Không tìm thấy nhiệm vụ số {id}.", id=task_id))
    unit = session.get(Unit, task.unit_id)
    assert unit is not None
    if not any(g.unit_id == task.unit_id for g in actor.grants):
        raise PermissionDenied(_("Chỉ thành viên của {unit} mới trả lời được nhiệm vụ này.", unit=unit.name))
    if task.answered_at is not None:
        raise Conflict(_("Nhiệm vụ này đã được trả lời."))
    task.answer = data.answer
    task.answered_at = now
    task.answered_by_id = actor.user_id
    session.add(task)
    session.flush()
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.TASK, action="answered",
                 note=data.answer[:2000], data={"task_id": task.id, "unit": unit.code,
                                                "late": now > task.due_at})  # fmt: skip
    clocks.meet_task_clock(session, case=case, task_id=task_id, at=now, actor_id=actor.user_id)
    return task


def task_reads(session: Session, *, tasks: Sequence[Task], now: datetime) -> list[TaskRead]:
    if not tasks:
        return []
    case_ids = {t.case_id for t in tasks}
    refs = dict(session.exec(select(Case.id, Case.reference).where(col(Case.id).in_(case_ids))).all())
    units = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_({t.unit_id for t in tasks}))).all()}
    user_ids = {i for t in tasks for i in (t.created_by_id, t.answered_by_id) if i}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()} if user_ids else {}
    task_clocks = {
        c.task_id: c for c in session.exec(select(Clock).where(col(Clock.task_id).in_([t.id for t in tasks]))).all()
    }

    def user_ref(user_id: int | None) -> UserRef | None:
        user = users.get(user_id) if user_id else None
        return UserRef(username=user.username, full_name=user.full_name) if user else None

    reads = []
    for task in tasks:
        assert task.id is not None
        unit = units[task.unit_id]
        clock = task_clocks.get(task.id)
        running = clock is not None and clock.state == ClockState.RUNNING
        due = clock.due_at if clock and clock.due_at else task.due_at
        reads.append(
            TaskRead(
                id=task.id,
                case=refs[task.case_id],
                unit=UnitRef(code=unit.code, name=unit.name),
                request=task.request,
                due_at=to_local(due),
                created_at=task.created_at,
                created_by=user_ref(task.created_by_id),
                answer=task.answer,
                answered_at=task.answered_at,
                answered_by=user_ref(task.answered_by_id),
                clock_id=clock.id if clock else None,
                state=clock.state.value if clock else "none",
                overdue=running and due < now,
            )
        )
    return reads


def list_tasks(session: Session, *, actor: Actor, reference: str, now: datetime) -> list[TaskRead]:
    case = get_case(session, actor=actor, reference=reference)
    tasks = session.exec(select(Task).where(Task.case_id == case.id).order_by(col(Task.id))).all()
    return task_reads(session, tasks=tasks, now=now)


def create_task_read(session: Session, *, actor: Actor, reference: str, data: TaskCreate, now: datetime) -> TaskRead:
    return task_reads(session, tasks=[create_task(session, actor=actor, reference=reference, data=data, now=now)],
                      now=now)[0]  # fmt: skip


def answer_task_read(session: Session, *, actor: Actor, task_id: int, data: TaskAnswer, now: datetime) -> TaskRead:
    return task_reads(session, tasks=[answer_task(session, actor=actor, task_id=task_id, data=data, now=now)],
                      now=now)[0]  # fmt: skip


# --- the staff pages ----------------------------------------------------------------------------------------


def task_actions(session: Session, *, actor: Actor, case: Case) -> tuple[bool, frozenset[int]]:
    """Whether the actor may give the case a new task now, and which of its tasks the actor may answer now (the
    same checks as ``create_task`` and ``answer_task``)."""
    may_create = case.status != CaseStatus.CLOSED and can(actor, Permission.TASK_MANAGE, scope_of(session, case))
    own_units = {g.unit_id for g in actor.grants if g.unit_id is not None}
    rows = session.exec(
        select(Task.id, Task.unit_id).where(Task.case_id == case.id, col(Task.answered_at).is_(None))
    ).all()
    return may_create, frozenset(task_id for task_id, unit_id in rows if task_id is not None and unit_id in own_units)


def open_tasks(
    session: Session, *, actor: Actor, unit_ids: Sequence[int], now: datetime, limit: int = 20
) -> list[TaskRead]:
    """The unanswered tasks given to these units, on cases the actor may see, nearest due first."""
    if not unit_ids:
        return []
    tasks = session.exec(
        select(Task)
        .join(Case, col(Case.id) == col(Task.case_id))
        .where(col(Task.unit_id).in_(list(unit_ids)), col(Task.answered_at).is_(None), visible(actor))
        .order_by(col(Task.due_at), col(Task.id))
        .limit(limit)
    ).all()
    return task_reads(session, tasks=tasks, now=now)
