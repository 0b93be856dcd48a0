"""The units' own communication for the staff: stories (list, draft, edit, the lifecycle buttons), the units'
communications contacts, and the emulation scorecard's page with the definition of each figure."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.permissions import Actor, Permission, can
from app.errors import DomainError
from app.reports import emulation
from app.stories import queries, service
from app.stories.models import ContactIn, StoryCreate, StoryUpdate
from app.stories.workflow import ACTION_LABELS, KIND_LABELS, STATUS_LABELS, StoryAction, school_year_of
from app.timeutil import local_date
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep, get_locale
from app.web.staff.forms import Errors, FormDep, Values, form_errors, form_values, non_empty
from app.web.templating import render

router = APIRouter()

LABELS = {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "action_labels": ACTION_LABELS}


def _list_page(request: Request, session: Session, actor: Actor, now: datetime, *, values: Values | None = None,
               errors: Errors | None = None, status_code: int = 200) -> Response:  # fmt: skip
    ctx: dict[str, Any] = {
        "items": queries.list_stories(session, actor=actor),
        "progress": queries.unit_progress(session, actor=actor, now=now),
        "may_draft": can(actor, Permission.STORY_DRAFT),
        "values": values or {},
        "errors": errors or {},
        **LABELS,
    }
    return render(request, "staff/stories/list.html", ctx, status_code=status_code)


@router.get("/stories")
def story_list(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    return _list_page(request, session, actor, now)


@router.post("/stories")
def story_create(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    try:
        story = service.create_story(session, actor=actor, data=StoryCreate.model_validate(non_empty(values)), now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _list_page(request, session, actor, now, values=values, errors=errors, status_code=status)
    return RedirectResponse(f"/staff/stories/{story.id}", status_code=303)


def _story_page(request: Request, session: Session, actor: Actor, story_id: int, *, values: Values | None = None,
                errors: Errors | None = None, status_code: int = 200) -> Response:  # fmt: skip
    story = service.load_story(session, actor=actor, story_id=story_id)
    read = queries.story_read(session, actor=actor, story=story)
    diff = queries.compare_versions(session, story=story, from_version=None, to_version=None) if read.version > 1 \
        else None  # fmt: skip
    ctx = {"story": read, "diff": diff, "values": values or {"title": read.title, "body": read.body},
           "errors": errors or {}, **LABELS}  # fmt: skip
    return render(request, "staff/stories/detail.html", ctx, status_code=status_code)


@router.get("/stories/{story_id}")
def story_detail(request: Request, session: SessionDep, actor: ActorDep, story_id: IdPath) -> Response:
    return _story_page(request, session, actor, story_id)


@router.post("/stories/{story_id}/edit")
def story_edit(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, story_id: IdPath,
               form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    story = service.load_story(session, actor=actor, story_id=story_id)
    try:
        service.edit_story(session, actor=actor, story=story, data=StoryUpdate.model_validate(non_empty(values)),
                           now=now)  # fmt: skip
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _story_page(request, session, actor, story_id, values=values, errors=errors, status_code=status)
    return RedirectResponse(f"/staff/stories/{story_id}", status_code=303)


@router.post("/stories/{story_id}/{action}")
def story_step(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, story_id: IdPath,
               action: StoryAction, form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    story = service.load_story(session, actor=actor, story_id=story_id)
    try:
        service.step(session, actor=actor, story=story, action=action, now=now, comment=values.get("comment"))
    except DomainError as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _story_page(request, session, actor, story_id, errors=errors, status_code=status)
    return RedirectResponse(f"/staff/stories/{story_id}", status_code=303)


# --- contacts -------------------------------------------------------------------------------------------------


def _contacts_page(request: Request, session: Session, actor: Actor, now: datetime, *, values: Values | None = None,
                   errors: Errors | None = None, status_code: int = 200) -> Response:  # fmt: skip
    ctx = {"page": queries.unit_contacts(session, now=now), "may_manage": can(actor, Permission.COMMS_MANAGE),
           "values": values or {}, "errors": errors or {}}  # fmt: skip
    return render(request, "staff/stories/contacts.html", ctx, status_code=status_code)


@router.get("/comms/contacts")
def contacts(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    return _contacts_page(request, session, actor, now)


@router.post("/comms/contacts")
def designate(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    try:
        data = ContactIn.model_validate(non_empty({k: v for k, v in values.items() if k != "unit"}))
        service.designate_contact(session, actor=actor, unit_code=values.get("unit", ""), data=data, now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _contacts_page(request, session, actor, now, values=values, errors=errors, status_code=status)
    return RedirectResponse("/staff/comms/contacts", status_code=303)


# --- the emulation scorecard ----------------------------------------------------------------------------------


@router.get("/reports/emulation")
def emulation_page(request: Request, session: SessionDep, actor: ActorDep, now: NowDep,
                   school_year: Annotated[str | None, Query(max_length=9)] = None) -> Response:  # fmt: skip
    year = school_year or school_year_of(local_date(now)).code
    page = emulation.emulation_scorecard(session, actor=actor, school_year=year, now=now)
    ctx = {"page": page, "definitions": emulation.DEFINITIONS, "current": "emulation"}
    return render(request, "staff/reports/emulation.html", ctx)
