"""The library of answer templates in the browser (/staff/templates): list, add, edit, retire. Every staff
member may read the list; the press office, the spokesperson and the director change it (``templates:manage``,
checked by the service)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.answer_templates import service
from app.answer_templates.models import TemplateCreate, TemplateUpdate
from app.answer_templates.rules import PLACEHOLDERS
from app.auth.permissions import Actor, Permission, can
from app.errors import DomainError
from app.i18n import _, text
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep, get_locale
from app.web.staff.forms import Errors, FormDep, Values, form_errors, form_values
from app.web.templating import render

router = APIRouter(prefix="/templates")
BRACES_HINT = _("Dấu ngoặc nhọn thường viết hai lần: {{ và }}.")


def _data(values: Values, raw_text: Any) -> dict[str, Any]:
    return {"name": values.get("name", ""), "kind": values.get("kind", ""), "topic": values.get("topic") or None,
            "text": raw_text if isinstance(raw_text, str) else ""}  # fmt: skip


def _errors(request: Request, session: Session, exc: ValidationError | DomainError) -> tuple[Errors, int]:
    return form_errors(exc, session, get_locale(request))


def _form_page(request: Request, actor: Actor, *, template_id: int | None, values: Values, errors: Errors,
               status_code: int = 200) -> Response:  # fmt: skip
    locale = get_locale(request)
    names = ", ".join("{" + name + "} (" + text(label, locale) + ")" for name, label in PLACEHOLDERS.items())
    hint = text(_("Chỗ điền: {names}.", names=names), locale) + " " + text(BRACES_HINT, locale)
    ctx = {"template_id": template_id, "values": values, "errors": errors, "text_hint": hint,
           "may_edit": can(actor, Permission.TEMPLATES_MANAGE)}  # fmt: skip
    return render(request, "staff/admin/template_form.html", ctx, status_code=status_code)


@router.get("")
def list_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    rows = service.list_templates(session, actor=actor, include_retired=True)
    ctx = {"templates": [service.template_read(t) for t in rows], "may_edit": can(actor, Permission.TEMPLATES_MANAGE)}
    return render(request, "staff/admin/templates.html", ctx)


@router.get("/new")
def new_page(request: Request, actor: ActorDep) -> Response:
    return _form_page(request, actor, template_id=None, values={"kind": "initial_information"}, errors={})


@router.post("")
def create(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    values["text"] = form.get("text") if isinstance(form.get("text"), str) else ""
    try:
        data = TemplateCreate.model_validate(_data(values, form.get("text")))
        service.create_template(session, actor=actor, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = _errors(request, session, exc)
        return _form_page(request, actor, template_id=None, values=values, errors=errors, status_code=status)
    return RedirectResponse("/staff/templates?done=template", status_code=303)


@router.get("/{template_id}")
def edit_page(request: Request, session: SessionDep, actor: ActorDep, template_id: IdPath) -> Response:
    t = service.template_read(service.get_template(session, actor=actor, template_id=template_id))
    values = {"name": t.name, "kind": t.kind.value, "topic": t.topic.value if t.topic else "", "text": t.text,
              "retired": t.retired}  # fmt: skip
    return _form_page(request, actor, template_id=template_id, values=values, errors={})


@router.post("/{template_id}")
def update(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, template_id: IdPath, form: FormDep
) -> Response:
    template = service.get_template(session, actor=actor, template_id=template_id)
    values = form_values(form)
    values["text"] = form.get("text") if isinstance(form.get("text"), str) else ""
    try:
        data = TemplateUpdate.model_validate(_data(values, form.get("text")))
        service.update_template(session, actor=actor, template=template, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = _errors(request, session, exc)
        return _form_page(request, actor, template_id=template_id, values=values, errors=errors, status_code=status)
    return RedirectResponse("/staff/templates?done=template", status_code=303)


@router.post("/{template_id}/retire")
def retire(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, template_id: IdPath,
           form: FormDep) -> Response:  # fmt: skip
    template = service.get_template(session, actor=actor, template_id=template_id)
    service.retire_template(session, actor=actor, template=template, now=now)
    return RedirectResponse("/staff/templates?done=template_retired", status_code=303)
