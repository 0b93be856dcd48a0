"""Admin screens of the channels: webhooks (register, delete, enable again; each hook's deliveries log with a
"resend" button) and the mailbox's messages. The services check ``webhooks:manage``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.permissions import Actor
from app.mailbox import service as mailbox
from app.mailbox.models import OUTCOME_LABELS
from app.web.deps import ActorDep, IdPath, LocaleDep, NowDep, SessionDep
from app.web.staff.forms import Errors, FormDep, Values, form_values, validation_errors
from app.web.templating import render
from app.webhooks import service
from app.webhooks.events import DELIVERY_STATUS_LABELS, EVENT_LABELS, WebhookEventKind
from app.webhooks.models import WebhookCreate, WebhookCreated

router = APIRouter(prefix="/admin")


def _list_page(request: Request, session: Session, actor: Actor, *, values: Values, errors: Errors,
               created: WebhookCreated | None = None, status_code: int = 200) -> Response:  # fmt: skip
    hooks = service.list_webhooks(session, actor=actor)
    ctx = {"hooks": hooks, "values": values, "errors": errors, "created": created,
           "events": [(e.value, EVENT_LABELS[e]) for e in WebhookEventKind]}  # fmt: skip
    return render(request, "staff/admin/webhooks.html", ctx, status_code=status_code)


@router.get("/webhooks")
def webhooks_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return _list_page(request, session, actor, values={"events": [e.value for e in WebhookEventKind]}, errors={})


@router.post("/webhooks")
def create_webhook(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep,
                   form: FormDep) -> Response:  # fmt: skip
    values = form_values(form, multi=("events",))
    fields = {"url": values.get("url", ""), "events": values.get("events", []),
              "secret": values.get("secret") or None, "description": values.get("description", "")}  # fmt: skip
    try:
        data = WebhookCreate.model_validate(fields)
    except ValidationError as exc:
        return _list_page(request, session, actor, values=values, errors=validation_errors(exc, locale),
                          status_code=422)  # fmt: skip
    created = service.create_webhook(session, actor=actor, data=data, now=now)
    return _list_page(request, session, actor, values={"events": []}, errors={}, created=created)


@router.get("/webhooks/{webhook_id}")
def webhook_page(request: Request, session: SessionDep, actor: ActorDep, webhook_id: IdPath) -> Response:
    hook = service.get_webhook(session, actor=actor, webhook_id=webhook_id)
    ctx = {"hook": service.webhook_reads(session, [hook])[0],
           "deliveries": service.list_deliveries(session, actor=actor, webhook_id=webhook_id),
           "event_labels": EVENT_LABELS, "status_labels": DELIVERY_STATUS_LABELS}  # fmt: skip
    return render(request, "staff/admin/webhook.html", ctx)


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/resend")
def resend(session: SessionDep, actor: ActorDep, now: NowDep, webhook_id: IdPath, delivery_id: IdPath) -> Response:
    service.resend(session, actor=actor, webhook_id=webhook_id, delivery_id=delivery_id, now=now)
    return RedirectResponse(f"/staff/admin/webhooks/{webhook_id}", status_code=303)


@router.post("/webhooks/{webhook_id}/enable")
def enable(session: SessionDep, actor: ActorDep, now: NowDep, webhook_id: IdPath) -> Response:
    service.enable_webhook(session, actor=actor, webhook_id=webhook_id, now=now)
    return RedirectResponse(f"/staff/admin/webhooks/{webhook_id}", status_code=303)


@router.post("/webhooks/{webhook_id}/delete")
def delete(session: SessionDep, actor: ActorDep, now: NowDep, webhook_id: IdPath) -> Response:
    service.delete_webhook(session, actor=actor, webhook_id=webhook_id, now=now)
    return RedirectResponse("/staff/admin/webhooks", status_code=303)


@router.get("/mailbox")
def mailbox_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    ctx = {"messages": mailbox.list_messages(session, actor=actor),
           "outlets": mailbox.list_outlets(session, actor=actor), "outcome_labels": OUTCOME_LABELS}  # fmt: skip
    return render(request, "staff/admin/mailbox.html", ctx)
