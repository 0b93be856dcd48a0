"""What a message says, judged without I/O: the case reference in its subject, its sender's domain, its text
(HTML turned into plain text), and whether it is an automatic message.

Whether an attachment may be kept is the documents' rule (``app.files.rules.sniff`` and the upload limit), applied
by ``attachments.py``.
"""

from __future__ import annotations

import re
import unicodedata
from email.utils import parseaddr

import html2text

REFERENCE = re.compile(r"\[\s*(VV-\d{4}-\d{5,6})\s*\]", re.IGNORECASE)


def reference_in(subject: str) -> str | None:
    """``Re: [VV-2026-00042] Hỏi về học phí`` → ``VV-2026-00042``."""
    match = REFERENCE.search(subject or "")
    return match.group(1).upper() if match else None


def address_of(sender: str) -> str:
    return parseaddr(sender or "")[1].strip().lower()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower() if "@" in address else ""


def outlet_for(domain: str, outlets: dict[str, str]) -> str | None:
    """The outlet's name whose domain is ``domain`` or a parent of it."""
    parts = domain.split(".")
    for i in range(len(parts) - 1):
        name = outlets.get(".".join(parts[i:]))
        if name is not None:
            return name
    return None


def _clean(text: str) -> str:
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"\n{3,}", "\n\n", kept).strip()


def html_to_text(html: str) -> str:
    """Safe plain text from HTML mail: no tags, scripts, styles or images survive; links keep their address."""
    converter = html2text.HTML2Text()
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.body_width = 0
    converter.unicode_snob = True
    without_active = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", html)
    return _clean(converter.handle(without_active))


def body_text(text: str, html: str) -> str:
    return _clean(text) if text and text.strip() else html_to_text(html or "")


def is_automatic(headers: dict[str, str]) -> bool:
    """A bounce or an auto-reply: never answered (no mail loops)."""
    auto = headers.get("auto-submitted", "no").strip().lower()
    precedence = headers.get("precedence", "").strip().lower()
    return auto not in ("", "no") or precedence in ("bulk", "junk", "list", "auto_reply")
