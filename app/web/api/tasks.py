"""Tasks: the spokesperson requires a unit to supply information by a due time (Decree 244/2026 Art. 4.2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.tasks import service
from app.tasks.models import TaskAnswer, TaskCreate, TaskPage, TaskRead
from app.validation import MAX_ID
from app.web.deps import ActorDep, NowDep, SessionDep

router = APIRouter(tags=["deadlines"])

Reference = Annotated[str, Path(max_length=30, description="The case reference, e.g. VV-2026-00042")]
TaskId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/cases/{reference}/tasks", response_model=TaskRead, status_code=201)
def create_task(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, body: TaskCreate) -> TaskRead:
    """Require a unit to supply information by ``due_at`` (spokesperson or press office). The unit becomes a
    supporting unit of the case; the task runs a clock with reminders."""
    return service.create_task_read(session, actor=actor, reference=reference, data=body, now=now)


@router.get("/cases/{reference}/tasks", response_model=TaskPage)
def list_tasks(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference) -> TaskPage:
    """The case's tasks with their answers."""
    return TaskPage(items=service.list_tasks(session, actor=actor, reference=reference, now=now))


@router.post("/tasks/{task_id}/answer", response_model=TaskRead)
def answer_task(session: SessionDep, actor: ActorDep, now: NowDep, task_id: TaskId, body: TaskAnswer) -> TaskRead:
    """Answer a task (a member of the task's unit); meets the task's clock, on time or late."""
    return service.answer_task_read(session, actor=actor, task_id=task_id, data=body, now=now)
