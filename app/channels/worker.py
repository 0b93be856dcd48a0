"""The worker's channel steps, in the order a pass runs them: notices to subscribers become mail; webhooks go out;
the mailbox is read (its acknowledgements are mail too); then the outgoing mail is sent."""

from __future__ import annotations

import imaplib
import logging

from imap_tools.errors import ImapToolsError

from app.mailbox import worker as mailbox
from app.notifications.mailer import Mailer
from app.notifications.worker import Job, JobContext
from app.outmail import worker as outmail
from app.subscriptions import worker as subscriptions
from app.webhooks import worker as webhooks


def _webhooks(ctx: JobContext) -> int:
    return webhooks.deliver(ctx.engine, ctx.settings, worker_id=ctx.worker_id, clock=ctx.clock,
                            should_stop=ctx.should_stop)  # fmt: skip


def _subscriptions(ctx: JobContext) -> int:
    return subscriptions.fan_out(ctx.engine, now=ctx.clock(), base_url=ctx.settings.public_base_url,
                                 batch=ctx.settings.worker_batch_size, should_stop=ctx.should_stop)  # fmt: skip


log = logging.getLogger("crisisdesk.mailbox")
IMAP_ERRORS = (OSError, imaplib.IMAP4.error, ImapToolsError)


def _mailbox(ctx: JobContext) -> int:
    """An unreachable mailbox is logged and tried again at the next pass; it never stops the worker."""
    if not ctx.settings.imap_url:
        return 0
    try:
        return mailbox.poll(ctx.engine, ctx.settings, clock=ctx.clock, should_stop=ctx.should_stop)
    except IMAP_ERRORS as exc:
        log.warning("mailbox unavailable (%s: %s); trying again at the next pass", exc.__class__.__name__, exc)
        return 0


def _mail(ctx: JobContext) -> int:
    if not ctx.settings.smtp_host:
        return 0
    return outmail.deliver(ctx.engine, ctx.settings, mailer=Mailer, worker_id=ctx.worker_id, clock=ctx.clock,
                           should_stop=ctx.should_stop)  # fmt: skip


def jobs() -> list[Job]:
    """After the notifications' own mail, in this order."""
    return [Job("subscriptions", _subscriptions), Job("webhooks", _webhooks), Job("mailbox", _mailbox),
            Job("outgoing mail", _mail)]  # fmt: skip
