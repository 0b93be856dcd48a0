"""Share-ready texts of a notice, one per channel: the Sở's portal (full HTML), a Fanpage post and a Zalo Official
Account message. Pure: a ``SharedNotice`` (what the public may read) and the public base URL in, texts out.

Limits: a Facebook Page post takes up to 63,206 characters, but a post is read in its first lines, so the post
keeps the text to ``FANPAGE_TEXT_CHARS`` and links to the full notice; a Zalo OA text message takes at most 2,000
characters (``ZALO_MAX_CHARS``), so the message is the number, the title, a short excerpt and the link.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from pydantic import BaseModel

from app.timeutil import to_local

FANPAGE_MAX_CHARS = 63_206
FANPAGE_TEXT_CHARS = 1_500
ZALO_MAX_CHARS = 2_000
ZALO_TEXT_CHARS = 300


class SharedAttachment(BaseModel):
    filename: str
    url: str
    size: int | None = None


class SharedNotice(BaseModel):
    """The public facts of a notice that the channels carry."""

    number: str
    slug: str
    kind: str
    title: str
    text: str
    published_at: datetime
    spokesperson_name: str
    spokesperson_title: str
    case_reference: str
    topic: str
    corrects_number: str | None = None
    withdraws: bool = False
    attachments: list[SharedAttachment] = []

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/notices/{self.slug}"


class ShareTexts(BaseModel):
    portal_html: str
    fanpage: str
    zalo: str


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def _heading(n: SharedNotice) -> str:
    if n.withdraws and n.corrects_number:
        return f"THU HỒI thông cáo {n.corrects_number} — {n.number}"
    if n.corrects_number:
        return f"ĐÍNH CHÍNH thông cáo {n.corrects_number} — {n.number}"
    return n.number


def portal_html(n: SharedNotice, base_url: str) -> str:
    """The notice as an HTML fragment for the portal: number, date, title, every paragraph, signer, attachments."""
    parts = [
        Markup('<article class="crisisdesk-notice" data-number="{}">').format(n.number),
        Markup('<p class="number">Số: {}</p>').format(n.number),
        Markup('<p class="date">{}</p>').format(to_local(n.published_at).strftime("%d/%m/%Y %H:%M")),
        Markup("<h1>{}</h1>").format(n.title),
    ]
    if n.corrects_number:
        verb = "Thu hồi" if n.withdraws else "Đính chính"
        parts.append(Markup('<p class="corrects">{} thông cáo số {}</p>').format(verb, n.corrects_number))
    for paragraph in (p.strip() for p in n.text.split("\n")):
        if paragraph:
            parts.append(Markup("<p>{}</p>").format(paragraph))
    parts.append(Markup('<p class="signer">{}<br>{}</p>').format(n.spokesperson_title, n.spokesperson_name))
    if n.attachments:
        items = Markup("").join(Markup('<li><a href="{}">{}</a></li>').format(a.url, a.filename) for a in n.attachments)
        parts.append(Markup('<ul class="attachments">{}</ul>').format(items))
    parts.append(Markup('<p class="source"><a href="{0}">{0}</a></p>').format(n.url(base_url)))
    parts.append(Markup("</article>"))
    return str(Markup("\n").join(parts))


def fanpage_post(n: SharedNotice, base_url: str) -> str:
    body = _clip(n.text, FANPAGE_TEXT_CHARS)
    post = f"📢 {_heading(n)}\n{n.title}\n\n{body}\n\n{n.spokesperson_title} {n.spokesperson_name}\n{n.url(base_url)}"
    return post[:FANPAGE_MAX_CHARS]


def zalo_message(n: SharedNotice, base_url: str) -> str:
    link = n.url(base_url)
    head = f"{_heading(n)}: {n.title}"
    room = ZALO_MAX_CHARS - len(link) - 4
    message = f"{_clip(head, min(room, 400))}\n{_clip(n.text, min(ZALO_TEXT_CHARS, max(room - 400, 0)))}\n{link}"
    return message[:ZALO_MAX_CHARS]


def render(n: SharedNotice, base_url: str) -> ShareTexts:
    return ShareTexts(portal_html=portal_html(n, base_url), fanpage=fanpage_post(n, base_url),
                      zalo=zalo_message(n, base_url))  # fmt: skip
