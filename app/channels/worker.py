"""The worker's channel steps, in the order a pass runs them: notices to subscribers become mail; webhooks go out;
the mailbox is read (its acknowledgements are mail too); then the outgoing mail is sent."""

from __future__ import annotations

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


def _mailbox(ctx: JobContext) -> int:
    if not ctx.settings.imap_url:
        return 0
    return mailbox.poll(ctx.engine, ctx.settings, clock=ctx.clock, should_stop=ctx.should_stop)


def _mail(ctx: JobContext) -> int:
    if not ctx.settings.smtp_host:
        return 0
    return outmail.deliver(ctx.engine, ctx.settings, mailer=Mailer, worker_id=ctx.worker_id, clock=ctx.clock,
                           should_stop=ctx.should_stop)  # fmt: skip


def jobs() -> list[Job]:
    return [_subscriptions, _webhooks, _mailbox, _mail]
