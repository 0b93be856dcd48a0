"""Channels (product §11.6): outbound webhooks with their deliveries log, and the mailbox's registry of press
outlets and log of messages taken. The admin (``webhooks:manage``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.information_requests import service as information_requests
from app.information_requests.models import InformationRequestFigures
from app.mailbox import service as mailbox
from app.mailbox.models import MailboxMessagePage, PressOutletIn, PressOutletPage, PressOutletRead
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep
from app.webhooks import service
from app.webhooks.models import DeliveryPage, WebhookCreate, WebhookCreated, WebhookPage, WebhookRead

router = APIRouter(tags=["channels"])


@router.post("/webhooks", response_model=WebhookCreated, status_code=201)
def create_webhook(session: SessionDep, actor: ActorDep, now: NowDep, body: WebhookCreate) -> WebhookCreated:
    """Register a hook: `url`, `events` (any of `notice.published`, `notice.corrected`, `notice.withdrawn`,
    `case.crisis`, `page.sent`) and `secret` (at least 16 characters; generated when absent). The secret is shown
    in this answer only. Every delivery is a JSON POST signed with it: see docs/channels.md."""
    return service.create_webhook(session, actor=actor, data=body, now=now)


@router.get("/webhooks", response_model=WebhookPage)
def list_webhooks(session: SessionDep, actor: ActorDep) -> WebhookPage:
    return WebhookPage(items=service.list_webhooks(session, actor=actor))


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(session: SessionDep, actor: ActorDep, now: NowDep, webhook_id: IdPath) -> Response:
    service.delete_webhook(session, actor=actor, webhook_id=webhook_id, now=now)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/enable", response_model=WebhookRead)
def enable_webhook(session: SessionDep, actor: ActorDep, now: NowDep, webhook_id: IdPath) -> WebhookRead:
    """Enable a hook that was disabled after failing for 24 hours; what waited for it goes out now."""
    hook = service.enable_webhook(session, actor=actor, webhook_id=webhook_id, now=now)
    return service.webhook_reads(session, [hook])[0]


@router.get("/webhooks/{webhook_id}/deliveries", response_model=DeliveryPage)
def list_deliveries(session: SessionDep, actor: ActorDep, webhook_id: IdPath,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DeliveryPage:  # fmt: skip
    """Each delivery, newest first: event, status code, attempts, next attempt."""
    return DeliveryPage(items=service.list_deliveries(session, actor=actor, webhook_id=webhook_id, limit=limit))


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/resend", status_code=202)
def resend(session: SessionDep, actor: ActorDep, now: NowDep, webhook_id: IdPath, delivery_id: IdPath) -> Response:
    """Send this delivery again at the worker's next pass (same event id)."""
    service.resend(session, actor=actor, webhook_id=webhook_id, delivery_id=delivery_id, now=now)
    return Response(status_code=202)


@router.get("/mailbox/messages", response_model=MailboxMessagePage)
def mailbox_messages(session: SessionDep, actor: ActorDep,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100) -> MailboxMessagePage:  # fmt: skip
    """The messages the worker took from the mailbox, newest first, with what became of each."""
    return MailboxMessagePage(items=mailbox.list_messages(session, actor=actor, limit=limit))


@router.get("/mailbox/outlets", response_model=PressOutletPage)
def outlets(session: SessionDep, actor: ActorDep) -> PressOutletPage:
    """The press outlets known by their mail domain: mail from them opens a `press_inquiry`."""
    return PressOutletPage(items=mailbox.list_outlets(session, actor=actor))


@router.post("/mailbox/outlets", response_model=PressOutletRead, status_code=201)
def add_outlet(session: SessionDep, actor: ActorDep, now: NowDep, body: PressOutletIn) -> PressOutletRead:
    return mailbox.add_outlet(session, actor=actor, data=body, now=now)


@router.delete("/mailbox/outlets/{outlet_id}", status_code=204)
def delete_outlet(session: SessionDep, actor: ActorDep, outlet_id: IdPath) -> Response:
    mailbox.delete_outlet(session, actor=actor, outlet_id=outlet_id)
    return Response(status_code=204)


@router.get("/reports/information-requests", response_model=InformationRequestFigures)
def information_request_figures(session: SessionDep, actor: ActorDep, now: NowDep, since: datetime,
                                until: datetime) -> InformationRequestFigures:  # fmt: skip
    """Citizens' information requests received in [`since`, `until`): received, answered, open, and for each
    statutory clock (Luật Tiếp cận thông tin 2016, Điều 30) how many were met on time, late, missed, running,
    overdue. `since`/`until` are ISO 8601 date-times with an offset."""
    return information_requests.figures(session, actor=actor, since=since, until=until, now=now)
