"""The worker's mailbox step: read the unseen messages over IMAP (imap-tools) and take each one once.

For each unseen message: its headers first (Message-ID, size); one already taken is only marked seen. One within
``CRISISDESK_IMAP_MAX_MESSAGE_MB`` is downloaded whole; a larger one is taken from its headers alone (the note
says so). Each is taken in its own transaction (``service.take``); a concurrent worker that took it first makes
ours roll back. Then the message is flagged ``\\Seen`` on the server. A message that cannot be parsed at all is
still taken (its raw text, decoded leniently) so that it is not retried forever.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from email import message_from_bytes, policy
from urllib.parse import unquote, urlparse

from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage, MailMessageFlags
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.errors import Conflict
from app.files.storage import Storage, storage_from_settings
from app.mailbox import rules, service
from app.mailbox.attachments import InboundFile
from app.settings import Settings

log = logging.getLogger("crisisdesk.mailbox")
MB = 1024 * 1024


def connect(settings: Settings) -> BaseMailBox:
    assert settings.imap_url is not None
    url = urlparse(settings.imap_url)
    host = url.hostname or "127.0.0.1"
    user = settings.imap_user or (unquote(url.username) if url.username else "")
    password = settings.imap_password.get_secret_value() if settings.imap_password else unquote(url.password or "")
    box: BaseMailBox
    if url.scheme == "imaps":
        box = MailBox(host, url.port or 993)
    elif settings.imap_starttls:
        box = MailBoxStartTls(host, url.port or 143)
    else:
        box = MailBoxUnencrypted(host, url.port or 143)
    box.login(user, password, initial_folder=settings.imap_folder)
    return box


def _headers(msg: MailMessage) -> dict[str, str]:
    headers: Mapping[str, tuple[str, ...]] = msg.headers
    return {k.lower(): (v[0] if v else "") for k, v in headers.items()}


def _message_id(msg: MailMessage) -> str:
    value = _headers(msg).get("message-id", "").strip()
    if value:
        return value[:500]
    digest = hashlib.sha256(f"{msg.from_}|{msg.date_str}|{msg.subject}|{msg.size_rfc822}".encode()).hexdigest()
    return f"<{digest[:40]}@no-message-id.crisisdesk>"


def inbound_from(msg: MailMessage, *, whole: bool) -> service.Inbound:
    """What the service needs of a message; lenient with broken MIME."""
    note = ""
    files: list[InboundFile] = []
    try:
        text = rules.body_text(msg.text, msg.html) if whole else ""
        if whole:
            files = [InboundFile(a.filename, a.payload) for a in msg.attachments if a.payload is not None]
    except Exception as exc:  # a malformed MIME structure: fall back to the raw text
        log.info("message %s: MIME not understood (%s); taking its raw text", _message_id(msg), exc)
        text, files = _raw_text(msg.obj), []
        note = "Cấu trúc MIME của thư không đọc được; nội dung dưới đây là văn bản thô."
    if not whole:
        note = (f"Thư có dung lượng {msg.size_rfc822 // MB} MB, vượt giới hạn đọc của hộp thư; "
                "chỉ phần tiêu đề được ghi nhận.")  # fmt: skip
    return service.Inbound(message_id=_message_id(msg), sender=rules.address_of(msg.from_),
                           sender_name=(msg.from_values.name if msg.from_values else "") or "",
                           subject=(msg.subject or "").strip(), text=text, files=files, size=msg.size_rfc822,
                           headers=_headers(msg), note=note)  # fmt: skip


def _raw_text(obj: object) -> str:
    try:
        raw = obj.as_bytes() if hasattr(obj, "as_bytes") else b""
        parsed = message_from_bytes(raw, policy=policy.compat32)
        payload = parsed.get_payload(decode=False)
        return rules.body_text(payload if isinstance(payload, str) else "", "")[:20000]
    except Exception:
        return ""


def poll(engine: Engine, settings: Settings, *, clock: Callable[[], datetime], should_stop: Callable[[], bool],
         box: BaseMailBox | None = None) -> int:  # fmt: skip
    """Take every unseen message once; returns how many this call took."""
    taken = 0
    own = box is None
    mailbox = box or connect(settings)
    max_whole = settings.imap_max_message_mb * MB
    storage = storage_from_settings(settings)
    try:
        heads = list(mailbox.fetch(AND(seen=False), mark_seen=False, headers_only=True, bulk=False))
        for head in heads:
            if should_stop():
                break
            message_id = _message_id(head)
            with Session(engine, expire_on_commit=False) as session:
                done = service.already_taken(session, message_id)
            if not done:
                whole = head.size_rfc822 <= max_whole
                msg = head
                if whole:
                    fetched = list(mailbox.fetch(AND(uid=head.uid), mark_seen=False, bulk=False))
                    if not fetched:
                        continue
                    msg = fetched[0]
                taken += _take(engine, settings, storage, inbound_from(msg, whole=whole), clock)
            if head.uid:
                mailbox.flag(head.uid, MailMessageFlags.SEEN, True)
    finally:
        if own:
            mailbox.logout()
    return taken


def _take(engine: Engine, settings: Settings, storage: Storage, inbound: service.Inbound,
          clock: Callable[[], datetime]) -> int:  # fmt: skip
    try:
        with Session(engine, expire_on_commit=False) as session:
            service.take(session, message=inbound, now=clock(), storage=storage,
                         max_attachment_bytes=settings.max_upload_mb * MB)  # fmt: skip
            session.commit()
        return 1
    except (Conflict, IntegrityError):
        return 0  # another worker took it first
