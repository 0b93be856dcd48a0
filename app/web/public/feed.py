"""The Atom feed of notices (RFC 4287), written with feedgen: one entry a notice, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlencode

from app.cases.vocabulary import TOPIC_LABELS, Topic
from app.i18n import text
from app.notices.models import NoticePublic
from app.settings import Settings
from app.statements.rules import StatementKind
from app.stories.models import StoryPublic
from app.stories.workflow import KIND_LABELS as STORY_KIND_LABELS

FEED_SIZE = 50
# An empty feed still needs an <updated>: a fixed moment, so that its ETag does not change by itself.
EMPTY_FEED_UPDATED = datetime(2026, 1, 1, tzinfo=UTC)


def atom_feed(
    notices: Sequence[NoticePublic], *, settings: Settings, topics: Sequence[Topic], kinds: Sequence[StatementKind]
) -> bytes:
    base = settings.public_base_url.rstrip("/")
    query = urlencode([("topic", t.value) for t in topics] + [("kind", k.value) for k in kinds])
    self_url = f"{base}/api/public/v1/notices.atom" + (f"?{query}" if query else "")
    from feedgen.feed import FeedGenerator  # with lxml: only the feeds need it, not every process at start-up

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


def stories_feed(stories: Sequence[StoryPublic], *, settings: Settings) -> bytes:
    """The units' published stories, newest first (one entry a story, its full text)."""
    base = settings.public_base_url.rstrip("/")
    self_url = f"{base}/api/public/v1/stories.atom"
    from feedgen.feed import FeedGenerator  # with lxml: only the feeds need it, not every process at start-up

    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(f"Tin bài các đơn vị — {settings.org_name}")
    fg.subtitle(f"Tin hoạt động và gương điển hình của các đơn vị thuộc {settings.org_name}")
    fg.author({"name": settings.org_name})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=f"{base}/stories", rel="alternate", type="text/html")
    fg.language("vi")
    fg.generator("CrisisDesk")
    fg.updated(max((s.published_at for s in stories), default=EMPTY_FEED_UPDATED))
    for story in stories:
        entry = fg.add_entry(order="append")
        entry.id(story.url)
        entry.title(story.title)
        entry.link(href=story.url, rel="alternate", type="text/html")
        entry.published(story.published_at)
        entry.updated(story.published_at)
        entry.author({"name": story.unit})
        entry.category(term=story.kind.value, label=text(STORY_KIND_LABELS[story.kind], "vi"))
        if story.theme is not None:
            entry.category(term=story.theme.value, label=text(TOPIC_LABELS[story.theme], "vi"))
        entry.content(story.body, type="text")
    result: bytes = fg.atom_str(pretty=True)
    return result
