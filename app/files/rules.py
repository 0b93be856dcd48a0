"""What a file is, judged from its bytes (never from its name), and whether a case may hold it. Pure: no I/O.

The binary formats are recognised by the ``filetype`` library (magic numbers: PDF, images, the Office and
OpenDocument containers). What it does not recognise may still be text: a head that decodes as UTF-8 (or UTF-16
with its byte-order mark) without control characters is ``text/plain``, and one that starts with e-mail header
lines (``From:``, ``Received:``, ``Subject:``…; ASCII, as RFC 5322 wants them) is an e-mail, ``message/rfc822``.

Examples: ``%PDF-1.7…`` → ``application/pdf``; ``MZ\\x90\\x00…`` (a Windows program renamed ``công-văn.pdf``) →
``application/x-msdownload``, not allowed (415); ``Kính gửi Sở…`` in UTF-8 → ``text/plain``;
``Received: from mx…\\r\\nFrom: …`` → ``message/rfc822``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import filetype

from app.i18n import Message, _

# How much of the start of a file is read to judge its type.
SNIFF_BYTES = 64 * 1024

PDF = "application/pdf"
TEXT = "text/plain"
EMAIL = "message/rfc822"

ALLOWED_TYPES: dict[str, Message] = {
    PDF: _("Tài liệu PDF"),
    "image/jpeg": _("Ảnh JPEG"),
    "image/png": _("Ảnh PNG"),
    "image/gif": _("Ảnh GIF"),
    "image/webp": _("Ảnh WebP"),
    "image/heic": _("Ảnh HEIC (điện thoại)"),
    "image/tiff": _("Ảnh TIFF (bản quét)"),
    "image/bmp": _("Ảnh BMP"),
    "application/msword": _("Văn bản Word (.doc)"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _("Văn bản Word (.docx)"),
    "application/vnd.ms-excel": _("Bảng tính Excel (.xls)"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _("Bảng tính Excel (.xlsx)"),
    "application/vnd.ms-powerpoint": _("Trình chiếu PowerPoint (.ppt)"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _("Trình chiếu PowerPoint (.pptx)"),
    "application/vnd.oasis.opendocument.text": _("Văn bản OpenDocument (.odt)"),
    "application/vnd.oasis.opendocument.spreadsheet": _("Bảng tính OpenDocument (.ods)"),
    "application/vnd.oasis.opendocument.presentation": _("Trình chiếu OpenDocument (.odp)"),
    TEXT: _("Văn bản thuần (.txt)"),
    EMAIL: _("Thư điện tử (.eml)"),
}

# The header fields that make a text an e-mail (one of them must be among its first header lines).
_EMAIL_FIELDS = frozenset(
    {"from", "to", "subject", "date", "message-id", "received", "return-path", "mime-version", "delivered-to",
     "reply-to", "cc", "x-mailer", "dkim-signature", "authentication-results"}
)  # fmt: skip
_HEADER_LINE = re.compile(rb"^([!-9;-~]+):[ \t]?")  # a field name: printable ASCII but the colon
_FOLDED = re.compile(rb"^[ \t]+\S")


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    allowed: bool


def sniff(head: bytes, *, complete: bool = True) -> Sniffed:
    """The type of a file from its first bytes (``SNIFF_BYTES`` of them; ``complete``: the whole file)."""
    kind = filetype.guess(head) if head else None
    if kind is not None:
        mime = str(kind.mime)
        return Sniffed(mime, mime in ALLOWED_TYPES)
    if _looks_like_email(head):
        return Sniffed(EMAIL, True)
    if _looks_like_text(head, complete):
        return Sniffed(TEXT, True)
    return Sniffed("application/octet-stream", False)


def _looks_like_email(head: bytes) -> bool:
    """At least two header lines before the first blank line, one of them a field every e-mail has."""
    lines = head.split(b"\n", 60)[:60]
    fields: list[str] = []
    for raw in lines:
        line = raw.rstrip(b"\r")
        if not line:
            break
        match = _HEADER_LINE.match(line)
        if match:
            fields.append(match.group(1).decode("ascii").lower())
        elif not (_FOLDED.match(line) and fields):
            return False
    return len(fields) >= 2 and any(f in _EMAIL_FIELDS for f in fields)


def _looks_like_text(head: bytes, complete: bool) -> bool:
    if not head:
        return True  # an empty file is an empty text
    decoded = _decode(head, complete)
    if decoded is None:
        return False
    return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v\x1a" for ch in decoded)


def _decode(head: bytes, complete: bool) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark (Windows Notepad)
        return head[: len(head) - len(head) % 2].decode("utf-16", errors="replace")
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(head) - 3:  # the head ends inside a multi-byte character
            return head[: exc.start].decode("utf-8-sig", errors="strict")
        return None


def ascii_name(filename: str) -> str:
    """The name without diacritics (đ → d), for the clients that do not read ``filename*``: ``Báo cáo.pdf`` →
    ``Bao cao.pdf``."""
    value = filename.replace("đ", "d").replace("Đ", "D")
    value = "".join(ch for ch in unicodedata.normalize("NFD", value) if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9._ ()-]+", "_", value).strip() or "tep-dinh-kem"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="Bao cao.pdf"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o.pdf`` (RFC 6266, RFC 5987): the
    original name for every browser that reads ``filename*``, an ASCII one for the rest."""
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_name(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def clean_filename(name: str | None) -> str:
    """The name as the user's machine gave it, without a path, control characters or surrounding spaces; NFC."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:200]
    return name
