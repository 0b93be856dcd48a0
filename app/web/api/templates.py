"""Answer templates (lines to take, product §11.3): list, create, update, retire; and one filled for a case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.answer_templates import service
from app.answer_templates.models import TemplateCreate, TemplateFilled, TemplatePage, TemplateRead, TemplateUpdate
from app.cases.scope import get_case
from app.cases.vocabulary import Topic
from app.statements.rules import StatementKind
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep

router = APIRouter(tags=["templates"])


@router.get("/templates", response_model=TemplatePage)
def list_templates(
    session: SessionDep,
    actor: ActorDep,
    kind: StatementKind | None = None,
    topic: Annotated[Topic | None, Query(description="This topic's templates and those for any topic")] = None,
    include_retired: bool = False,
) -> TemplatePage:
    """The templates in use (``include_retired=true``: the retired ones too), by kind then name. Every staff member
    reads them."""
    rows = service.list_templates(session, actor=actor, kind=kind, topic=topic, include_retired=include_retired)
    return TemplatePage(items=[service.template_read(t) for t in rows])


@router.post("/templates", response_model=TemplateRead, status_code=201)
def create_template(session: SessionDep, actor: ActorDep, now: NowDep, body: TemplateCreate) -> TemplateRead:
    """A new template: ``name``, ``kind`` (a statement kind), optional ``topic``, ``text`` with placeholders
    ``{case_reference}``, ``{received_date}``, ``{outlet}``, ``{unit_name}``, ``{spokesperson_name}`` (``{{``
    and ``}}`` for literal braces); any other placeholder → 422. Press office, spokesperson, director."""
    return service.template_read(service.create_template(session, actor=actor, data=body, now=now))


@router.get("/templates/{template_id}", response_model=TemplateRead)
def get_template(session: SessionDep, actor: ActorDep, template_id: IdPath) -> TemplateRead:
    return service.template_read(service.get_template(session, actor=actor, template_id=template_id))


@router.patch("/templates/{template_id}", response_model=TemplateRead)
def update_template(
    session: SessionDep, actor: ActorDep, now: NowDep, template_id: IdPath, body: TemplateUpdate
) -> TemplateRead:
    """Change a template's fields (the drafts already made from it keep their text)."""
    template = service.get_template(session, actor=actor, template_id=template_id)
    return service.template_read(service.update_template(session, actor=actor, template=template, data=body, now=now))


@router.post("/templates/{template_id}/retire", response_model=TemplateRead)
def retire_template(session: SessionDep, actor: ActorDep, now: NowDep, template_id: IdPath) -> TemplateRead:
    """No longer offered for new drafts; kept for the record."""
    template = service.get_template(session, actor=actor, template_id=template_id)
    return service.template_read(service.retire_template(session, actor=actor, template=template, now=now))


@router.get("/cases/{reference}/templates/{template_id}", response_model=TemplateFilled)
def fill_template(
    session: SessionDep,
    actor: ActorDep,
    now: NowDep,
    reference: Annotated[str, Path(max_length=30)],
    template_id: IdPath,
) -> TemplateFilled:
    """The template filled for this case: the text a draft from it would start with (a preview)."""
    case = get_case(session, actor=actor, reference=reference)
    template = service.get_template(session, actor=actor, template_id=template_id)
    filled = service.filled_text(session, actor=actor, case=case, template_id=template_id, kind=template.kind, now=now)
    return TemplateFilled(template_id=template_id, case_reference=case.reference, kind=template.kind, text=filled)
