"""What a message says, judged without I/O: the case reference in its subject, its sender's domain, its text
(HTML turned into plain text), whether it is an automatic message, and whether an attachment may be kept.

Attachment rule (the documents' rule of product §11.1): the type is judged from the bytes, not the name — PDF,
images (PNG, JPEG, GIF, WebP), Office and OpenDocument files, plain text, e-mail (``.eml``) — and a file over
the upload limit (``CRISISDESK_MAX_UPLOAD_MB``, default 25) is refused.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from email.utils import parseaddr

import html2text

REFERENCE = re.compile(r"\[\s*(VV-\d{4}-\d{5,6})\s*\]", re.IGNORECASE)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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


def sniff_type(data: bytes) -> str | None:
    """The content type judged from the bytes, or None when not in the allowed list."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(OLE_MAGIC):
        return "application/x-ole-storage"  # .doc, .xls, .ppt
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    return _text_type(data)


def _zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                kind = archive.read("mimetype").decode("ascii", "replace").strip()
                return kind if kind.startswith("application/vnd.oasis.opendocument.") else None
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                if any(n.startswith("xl/") for n in names):
                    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if any(n.startswith("ppt/") for n in names):
                    return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def _text_type(data: bytes) -> str | None:
    sample = data[:65536]
    if b"\x00" in sample:
        return None
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            return None
        text = sample[: exc.start].decode("utf-8")
    if re.match(r"(?s)^([A-Za-z-]+:[^\n]*\n)+", text) and re.search(r"(?im)^(from|message-id|subject):", text):
        return "message/rfc822"
    return "text/plain"
