"""Use cases of answer templates: list (every staff member reads them), create, update, retire (the press office,
the spokesperson, the director: ``templates:manage``), and fill one for a case.

Filling is what drafting from a template does (``statements.service.create_statement`` with ``template_id``): the
template's text with the case's values (``rules.PLACEHOLDERS``): its reference, the local date it was received
(dd/mm/yyyy), the outlet, the lead unit's name, and the standing spokesperson in force (else the director).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from app.answer_templates import rules
from app.answer_templates.models import AnswerTemplate, TemplateCreate, TemplateRead, TemplateUpdate
from app.auth.permissions import Actor, Permission, require
from app.cases.models import Case
from app.cases.vocabulary import Topic
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _, text
from app.org.models import Unit
from app.spokespersons.rules import Capacity
from app.spokespersons.service import current_spokespersons
from app.statements import service as statements
from app.statements.models import Statement, StatementCreate
from app.statements.rules import StatementKind
from app.timeutil import local_date


def template_read(template: AnswerTemplate) -> TemplateRead:
    assert template.id is not None
    return TemplateRead(
        id=template.id,
        name=template.name,
        kind=template.kind,
        topic=template.topic,
        text=template.text,
        placeholders=rules.placeholders_in(template.text),
        retired=template.retired_at is not None,
        created_at=template.created_at,
        updated_at=template.updated_at,
    )


def list_templates(
    session: Session,
    *,
    actor: Actor,
    kind: StatementKind | None = None,
    topic: Topic | None = None,
    include_retired: bool = False,
) -> list[AnswerTemplate]:
    """The library, by kind then name. With ``topic``: the templates for that topic and those for any topic."""
    require(actor, Permission.CASE_VIEW)
    query = select(AnswerTemplate)
    if not include_retired:
        query = query.where(col(AnswerTemplate.retired_at).is_(None))
    if kind is not None:
        query = query.where(AnswerTemplate.kind == kind)
    if topic is not None:
        query = query.where((col(AnswerTemplate.topic) == topic) | col(AnswerTemplate.topic).is_(None))
    rows = session.exec(query.order_by(col(AnswerTemplate.kind), col(AnswerTemplate.name), col(AnswerTemplate.id)))
    return list(rows.all())


def get_template(session: Session, *, actor: Actor, template_id: int) -> AnswerTemplate:
    require(actor, Permission.CASE_VIEW)
    template = session.get(AnswerTemplate, template_id)
    if template is None:
        raise NotFound(_("Không tìm thấy mẫu nội dung {id}.", id=template_id))
    return template


def create_template(session: Session, *, actor: Actor | None, data: TemplateCreate, now: datetime) -> AnswerTemplate:
    """A new template (``actor`` None: the demo's own)."""
    if actor is not None:
        require(actor, Permission.TEMPLATES_MANAGE)
    user_id = actor.user_id if actor else None
    template = AnswerTemplate(name=data.name, kind=data.kind, topic=data.topic, text=data.text, created_at=now,
                              created_by_id=user_id, updated_at=now, updated_by_id=user_id)  # fmt: skip
    session.add(template)
    session.flush()
    return template


def update_template(
    session: Session, *, actor: Actor, template: AnswerTemplate, data: TemplateUpdate, now: datetime
) -> AnswerTemplate:
    require(actor, Permission.TEMPLATES_MANAGE)
    if template.retired_at is not None:
        raise Conflict(_("Mẫu này đã ngừng dùng."))
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(template, name, value)
    template.updated_at = now
    template.updated_by_id = actor.user_id
    session.add(template)
    session.flush()
    return template


def retire_template(session: Session, *, actor: Actor, template: AnswerTemplate, now: datetime) -> AnswerTemplate:
    """No longer offered for new drafts (kept, for the statements drafted from it). Retiring twice is a no-op."""
    require(actor, Permission.TEMPLATES_MANAGE)
    if template.retired_at is None:
        template.retired_at = now
        template.retired_by_id = actor.user_id
        template.updated_at = now
        session.add(template)
        session.flush()
    return template


def _spokesperson_name(session: Session, now: datetime) -> str | None:
    people = current_spokespersons(session, now)
    standing = [p for p in people if p.capacity == Capacity.STANDING]
    chosen = standing or people
    return chosen[0].name if chosen else None


def case_values(session: Session, *, case: Case, now: datetime) -> dict[str, str]:
    """The values of every placeholder for ``case``; a missing one is its label in brackets, to be completed."""
    unit = session.get(Unit, case.lead_unit_id) if case.lead_unit_id else None
    found: dict[str, str | None] = {
        "case_reference": case.reference,
        "received_date": local_date(case.received_at).strftime("%d/%m/%Y"),
        "outlet": case.outlet,
        "unit_name": unit.name if unit else None,
        "spokesperson_name": _spokesperson_name(session, now),
    }
    return {name: value or f"[{text(rules.PLACEHOLDERS[name], 'vi')}]" for name, value in found.items()}


def filled_text(session: Session, *, actor: Actor, case: Case, template_id: int, kind: StatementKind,
                now: datetime) -> str:  # fmt: skip
    """The text of a draft from the template, for ``case``. The template must be in use and of the draft's kind."""
    template = session.get(AnswerTemplate, template_id)
    if template is None or template.retired_at is not None:
        raise ValidationFailed(_("Không có mẫu nội dung {id} đang dùng.", id=template_id), field="template_id")
    if template.kind != kind:
        raise ValidationFailed(_("Mẫu «{name}» dùng cho loại nội dung khác.", name=template.name), field="template_id")
    require(actor, Permission.CASE_VIEW)
    return rules.fill(template.text, case_values(session, case=case, now=now))


def drafting_choices(
    session: Session, *, actor: Actor, case: Case, kinds: Sequence[StatementKind]
) -> list[tuple[StatementKind, list[TemplateRead]]]:
    """The templates in use that a draft on ``case`` may start from, grouped by kind (only ``kinds``, those the
    actor may draft now): the case's topic's and those for any topic."""
    if not kinds:
        return []
    rows = list_templates(session, actor=actor, topic=case.topic)
    return [(kind, [template_read(t) for t in rows if t.kind == kind]) for kind in kinds if
            any(t.kind == kind for t in rows)]  # fmt: skip


def draft_statement(session: Session, *, actor: Actor, case: Case, data: StatementCreate, now: datetime) -> Statement:
    """Draft a statement on ``case``: with its ``text``, or with ``template_id`` the template filled for the case
    (the statement's history names the template)."""
    if data.text is None and data.template_id is not None:
        text_ = filled_text(session, actor=actor, case=case, template_id=data.template_id, kind=data.kind, now=now)
        data = data.model_copy(update={"text": text_})
    return statements.create_statement(session, actor=actor, case=case, data=data, now=now)
