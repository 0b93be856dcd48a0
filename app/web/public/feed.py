"""The Atom feed of notices (RFC 4287), written with feedgen: one entry a notice, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator

from app.cases.vocabulary import TOPIC_LABELS, Topic
from app.i18n import text
from app.notices.models import NoticePublic
from app.settings import Settings
from app.statements.rules import StatementKind

FEED_SIZE = 50
# An empty feed still needs an <updated>: a fixed moment, so that its ETag does not change by itself.
EMPTY_FEED_UPDATED = datetime(2026, 1, 1, tzinfo=UTC)


def atom_feed(
    notices: Sequence[NoticePublic], *, settings: Settings, topics: Sequence[Topic], kinds: Sequence[StatementKind]
) -> bytes:
    base = settings.public_base_url.rstrip("/")
    query = urlencode([("topic", t.value) for t in topics] + [("kind", k.value) for k in kinds])
    self_url = f"{base}/api/public/v1/notices.atom" + (f"?{query}" if query else "")
    fg = FeedGenerator()
    fg.id(self_url)
    title = f"Thông cáo báo chí — {settings.org_name}"
    if topics:
        title += " — " + ", ".join(text(TOPIC_LABELS[t], "vi") for t in topics)
    fg.title(title)
    fg.subtitle(f"Thông cáo, thông báo báo chí do người phát ngôn của {settings.org_name} công bố")  # xml:lang vi
    fg.author({"name": settings.org_name})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=f"{base}/notices" + (f"?{query}" if query else ""), rel="alternate", type="text/html")
    fg.language("vi")
    fg.generator("CrisisDesk")
    fg.updated(max((n.published_at for n in notices), default=EMPTY_FEED_UPDATED))
    for notice in notices:
        url = f"{base}/notices/{notice.slug}"
        entry = fg.add_entry(order="append")
        entry.id(url)
        state = " [ĐÃ THU HỒI / WITHDRAWN]" if notice.withdrawn else ""
        entry.title(f"{notice.number}: {notice.title}{state}")
        entry.link(href=url, rel="alternate", type="text/html")
        entry.published(notice.published_at)
        entry.updated(notice.published_at)
        entry.author({"name": f"{notice.spokesperson.name}, {notice.spokesperson.title}"})
        entry.category(term=notice.topic.value, label=text(TOPIC_LABELS[notice.topic], "vi"))
        entry.category(term=notice.kind.value)
        entry.content(notice.text, type="text")
    result: bytes = fg.atom_str(pretty=True)
    return result
