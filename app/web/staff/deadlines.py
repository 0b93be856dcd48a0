"""Deadlines on the case page: how a clock was computed (the "explain" page), extending a clock (spokesperson or
director, with a reason), marking it met outside the system (press office), and tasks: a unit is required to supply
information by a due time; a member of that unit answers.

Each form calls the service the JSON API calls (``app/web/api/clocks.py``, ``app/web/api/tasks.py``); a form that
fails shows the case page again with its message (``case_page.failure``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.cases.reads import case_read
from app.cases.scope import get_case
from app.clocks import actions as clock_actions
from app.clocks import queries as clock_queries
from app.clocks.models import ExtendIn, MarkMetIn
from app.errors import DomainError
from app.tasks import service as tasks
from app.tasks.models import TaskAnswer, TaskCreate
from app.validation import MAX_ID
from app.web.dates import iso_local
from app.web.deps import ActorDep, NowDep, SessionDep, get_locale
from app.web.staff.case_page import case_page, failure
from app.web.staff.forms import FormDep, form_values
from app.web.templating import render

router = APIRouter()

Reference = Annotated[str, Path(max_length=30)]
ClockId = Annotated[int, Path(ge=1, le=MAX_ID)]
TaskId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/cases/{reference}/clocks/{clock_id}")
def explain(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, clock_id: ClockId
) -> Response:
    """How the clock's due time was computed: its rule, its start, every day counted or skipped and why."""
    case = get_case(session, actor=actor, reference=reference)
    explanation = clock_queries.explain_clock(session, actor=actor, reference=reference, clock_id=clock_id, now=now,
                                       locale=get_locale(request))  # fmt: skip
    ctx = {"case": case_read(session, actor=actor, case=case, now=now), "x": explanation}
    return render(request, "staff/cases/clock.html", ctx)


@router.post("/cases/{reference}/clocks/{clock_id}/extend")
def extend(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    now: NowDep,
    reference: Reference,
    clock_id: ClockId,
    form: FormDep,
) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    values = form_values(form)
    try:
        body = ExtendIn.model_validate({"by": values.get("by", ""), "reason": values.get("reason", "")})
        clock_actions.extend_clock(session, actor=actor, reference=reference, clock_id=clock_id, by=body.by,
                            reason=body.reason, now=now, locale=get_locale(request))  # fmt: skip
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key=f"extend-{clock_id}", values=values)
        case = get_case(session, actor=actor, reference=reference)
        return case_page(request, session, actor, case, now, message=message, failed=failed, status_code=status)
    return RedirectResponse(f"/staff/cases/{case.reference}?done=extended#clocks", status_code=303)


@router.post("/cases/{reference}/clocks/{clock_id}/met")
def mark_met(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    now: NowDep,
    reference: Reference,
    clock_id: ClockId,
    form: FormDep,
) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    values = form_values(form)
    at = values.get("at", "")
    try:
        body = MarkMetIn.model_validate({"note": values.get("note", ""), "at": iso_local(at) if at else None})
        clock_actions.mark_met(session, actor=actor, reference=reference, clock_id=clock_id, note=body.note, at=body.at,
                        now=now, locale=get_locale(request))  # fmt: skip
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key=f"met-{clock_id}", values=values)
        case = get_case(session, actor=actor, reference=reference)
        return case_page(request, session, actor, case, now, message=message, failed=failed, status_code=status)
    return RedirectResponse(f"/staff/cases/{case.reference}?done=met#clocks", status_code=303)


@router.post("/cases/{reference}/tasks")
def create_task(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, form: FormDep
) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    values = form_values(form)
    due = values.get("due_at", "")
    try:
        data = TaskCreate.model_validate(
            {"unit": values.get("unit", ""), "request": values.get("request", ""), "due_at": iso_local(due) if due
             else ""}
        )  # fmt: skip
        tasks.create_task(session, actor=actor, reference=reference, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key="task-new", values=values)
        case = get_case(session, actor=actor, reference=reference)
        return case_page(request, session, actor, case, now, message=message, failed=failed, status_code=status)
    return RedirectResponse(f"/staff/cases/{case.reference}?done=task#tasks", status_code=303)


@router.post("/cases/{reference}/tasks/{task_id}/answer")
def answer_task(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    now: NowDep,
    reference: Reference,
    task_id: TaskId,
    form: FormDep,
) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    values = form_values(form)
    try:
        data = TaskAnswer.model_validate({"answer": values.get("answer", "")})
        tasks.answer_task(session, actor=actor, task_id=task_id, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key=f"answer-{task_id}", values=values)
        case = get_case(session, actor=actor, reference=reference)
        return case_page(request, session, actor, case, now, message=message, failed=failed, status_code=status)
    return RedirectResponse(f"/staff/cases/{case.reference}?done=answered#tasks", status_code=303)
