"""Use cases of the mailbox: take one message (a note on the case it names, if its sender may write there; else a
new case, acknowledged by e-mail), list what was taken, and the press outlets' domains.

``take`` runs in one transaction with the row that records the message's Message-ID (unique): the case, the note,
the attachments, the acknowledgement and that row commit together or not at all, and a second worker taking the
same message fails on the unique row and rolls back. So each message is taken exactly once, across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, can, require
from app.auth.service import load_actor
from app.cases import service as cases
from app.cases.events import record_event
from app.cases.models import Case
from app.cases.scope import scope_of
from app.cases.vocabulary import CaseEventKind, SourceKind
from app.errors import Conflict, NotFound
from app.files.storage import Storage
from app.i18n import _
from app.inquiries.models import Inquiry
from app.mailbox import rules
from app.mailbox.attachments import InboundFile, Kept, Refused, keep_attachments
from app.mailbox.models import (
    MailboxMessage,
    MailboxMessageRead,
    MailOutcome,
    PressOutlet,
    PressOutletIn,
    PressOutletRead,
)
from app.org.models import User
from app.outmail import service as outmail


@dataclass
class Inbound:
    """A message as read from the mailbox."""

    message_id: str
    sender: str  # the address, lower case
    sender_name: str
    subject: str
    text: str
    files: list[InboundFile] = field(default_factory=list)
    size: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    note: str = ""  # what the reader could not take (a message too large, a part it could not decode)


def already_taken(session: Session, message_id: str) -> bool:
    return session.exec(select(MailboxMessage.id).where(MailboxMessage.message_id == message_id)).first() is not None


def _writer(session: Session, case: Case, sender: str) -> Actor | None | bool:
    """Who may write into ``case`` from ``sender``: a staff member (their Actor) who may add notes to it, or the
    original reporter (True); otherwise None."""
    if not sender:
        return None
    for user in session.exec(select(User).where(col(User.email).is_not(None), User.active == True)).all():  # noqa: E712
        if (user.email or "").strip().lower() == sender:
            actor = load_actor(session, user)
            if can(actor, Permission.CASE_NOTE, scope_of(session, case)):
                return actor
    contacts = [case.reporter_contact or ""]
    contacts += list(session.exec(select(Inquiry.contact).where(Inquiry.case_id == case.id)).all())
    if any(rules.address_of(c) == sender or c.strip().lower() == sender for c in contacts):
        return True
    return None


def _outlets(session: Session) -> dict[str, str]:
    return {o.domain: o.name for o in session.exec(select(PressOutlet)).all()}


def _describe(kept: list[Kept], refused: list[Refused]) -> str:
    lines = [f"- {k.filename} ({k.content_type}, {k.size} B, sha256 {k.sha256[:12]}…)" for k in kept]
    for r in refused:
        why = _("quá dung lượng cho phép") if r.reason == "size" else _("loại tệp không được chấp nhận")
        lines.append(f"- {r.filename}: " + _("không lưu ({why})", why=why).localize("vi"))
    return "\n".join(lines)


def take(session: Session, *, message: Inbound, now: datetime, storage: Storage, max_attachment_bytes: int
         ) -> MailboxMessage:  # fmt: skip
    """Take one message (see the module's docstring). Raises ``Conflict`` if it was taken already."""
    if already_taken(session, message.message_id):
        raise Conflict(_("Thư {id} đã được xử lý.", id=message.message_id))
    row = MailboxMessage(message_id=message.message_id[:500], sender=message.sender[:254],
                         subject=message.subject[:500], size=message.size, outcome=MailOutcome.IGNORED,
                         taken_at=now)  # fmt: skip
    session.add(row)
    session.flush()  # the unique Message-ID: a second taker stops here (or at its commit)
    assert row.id is not None
    if rules.is_automatic(message.headers):
        row.detail = "automatic message (Auto-Submitted / Precedence)"
        session.add(row)
        session.flush()
        return row

    reference = rules.reference_in(message.subject)
    target = session.exec(select(Case).where(Case.reference == reference)).first() if reference else None
    writer = _writer(session, target, message.sender) if target is not None else None
    if target is not None and writer is not None:
        assert target.id is not None
        actor_id = writer.user_id if isinstance(writer, Actor) else None
        kept, refused = keep_attachments(session, case=target, files=message.files, sender=message.sender,
                                         actor_id=actor_id, storage=storage, max_bytes=max_attachment_bytes,
                                         now=now)  # fmt: skip
        text = _note_text(message, kept, refused)
        record_event(session, case=target, actor_id=actor_id, now=now, kind=CaseEventKind.NOTE, note=text,
                           data=_event_data(message, kept, refused, by_reporter=writer is True))  # fmt: skip
        row.outcome, row.case_id = MailOutcome.NOTE_ADDED, target.id
        session.add(row)
        session.flush()
        return row

    outlet = rules.outlet_for(rules.domain_of(message.sender), _outlets(session))
    kind = SourceKind.PRESS_INQUIRY if outlet else SourceKind.PUBLIC_FEEDBACK
    title = (message.subject or "").strip() or _("Thư gửi hộp thư của Sở").localize("vi")
    extra: dict[str, Any] = {"via": "mailbox", "message_id": message.message_id}
    if reference:
        extra["cited_reference"] = reference  # a reference the sender may not write to: a new case instead
    case = cases.open_case_from_inquiry(session, title=title[:300], summary=message.text[:20000] or title,
                                        outlet=outlet or "", reporter_name=message.sender_name or message.sender,
                                        reporter_contact=message.sender, now=now, extra=extra,
                                        source_kind=kind)  # fmt: skip
    assert case.id is not None
    kept, refused = keep_attachments(session, case=case, files=message.files, sender=message.sender, actor_id=None,
                                     storage=storage, max_bytes=max_attachment_bytes, now=now)  # fmt: skip
    if kept or refused or message.note:
        record_event(session, case=case, actor_id=None, now=now, kind=CaseEventKind.NOTE,
                           note=_note_text(message, kept, refused),
                           data=_event_data(message, kept, refused, by_reporter=True))  # fmt: skip
    row.outcome, row.case_id = MailOutcome.CASE_OPENED, case.id
    if reference:
        row.detail = f"cited {reference} without the right to write to it"
    session.add(row)
    session.flush()
    _acknowledge(session, message=message, case=case, now=now)
    return row


def _note_text(message: Inbound, kept: list[Kept], refused: list[Refused]) -> str:
    head = _("Thư của {sender}: {subject}", sender=message.sender, subject=message.subject).localize("vi")
    parts = [head, message.text]
    if message.note:
        parts.append(message.note)
    if kept or refused:
        parts.append(_("Tệp đính kèm:").localize("vi") + "\n" + _describe(kept, refused))
    return "\n\n".join(p for p in parts if p)[:20000]


def _event_data(message: Inbound, kept: list[Kept], refused: list[Refused], *, by_reporter: bool) -> dict[str, Any]:
    return {"via": "mailbox", "message_id": message.message_id, "sender": message.sender, "by_reporter": by_reporter,
            "attachments": [{"id": k.id, "filename": k.filename, "content_type": k.content_type, "size": k.size,
                             "sha256": k.sha256} for k in kept],
            "refused": [{"filename": r.filename, "size": r.size, "reason": r.reason} for r in refused]}  # fmt: skip


def _acknowledge(session: Session, *, message: Inbound, case: Case, now: datetime) -> None:
    if not message.sender or "@" not in message.sender:
        return
    subject = _("[{reference}] Sở đã nhận thư của bạn", reference=case.reference).localize("vi")
    body = _(
        "Sở Giáo dục và Đào tạo đã nhận thư của bạn ngày {date} và ghi nhận với mã {reference}.\n\nKhi gửi thêm "
        "thông tin về nội dung này, xin giữ mã [{reference}] trong tiêu đề thư.\n\nĐây là thư trả lời tự động.",
        date=now.strftime("%d/%m/%Y"),
        reference=case.reference,
    ).localize("vi")
    headers = {"Auto-Submitted": "auto-replied"}
    if message.message_id.startswith("<"):
        headers["In-Reply-To"] = message.message_id
        headers["References"] = message.message_id
    outmail.enqueue(session, key=f"mailbox-ack:{message.message_id}"[:200], purpose="mailbox_ack", to=message.sender,
                    subject=subject, body=body, headers=headers, now=now)  # fmt: skip


# --- reading and the outlets' registry --------------------------------------------------------------------------


def list_messages(session: Session, *, actor: Actor, limit: int = 100) -> list[MailboxMessageRead]:
    require(actor, Permission.WEBHOOKS_MANAGE)
    rows = session.exec(
        select(MailboxMessage, Case.reference)
        .join(Case, col(Case.id) == col(MailboxMessage.case_id), isouter=True)
        .order_by(col(MailboxMessage.id).desc())
        .limit(max(1, min(limit, 500)))
    ).all()
    return [
        MailboxMessageRead(
            id=m.id or 0,
            message_id=m.message_id,
            subject=m.subject,
            outcome=m.outcome,
            case_reference=ref,
            detail=m.detail,
            taken_at=m.taken_at,
        )  # fmt: skip
        for m, ref in rows
    ]


def list_outlets(session: Session, *, actor: Actor) -> list[PressOutletRead]:
    require(actor, Permission.WEBHOOKS_MANAGE)
    rows = session.exec(select(PressOutlet).order_by(col(PressOutlet.domain))).all()
    return [PressOutletRead(id=o.id or 0, name=o.name, domain=o.domain) for o in rows]


def add_outlet(session: Session, *, actor: Actor | None, data: PressOutletIn, now: datetime) -> PressOutletRead:
    if actor is not None:
        require(actor, Permission.WEBHOOKS_MANAGE)
    domain = data.domain.strip().lower()
    if session.exec(select(PressOutlet.id).where(PressOutlet.domain == domain)).first() is not None:
        raise Conflict(_("Tên miền {domain} đã có trong danh sách.", domain=domain))
    outlet = PressOutlet(name=data.name.strip(), domain=domain, created_at=now)
    session.add(outlet)
    session.flush()
    return PressOutletRead(id=outlet.id or 0, name=outlet.name, domain=outlet.domain)


def delete_outlet(session: Session, *, actor: Actor, outlet_id: int) -> None:
    require(actor, Permission.WEBHOOKS_MANAGE)
    outlet = session.get(PressOutlet, outlet_id)
    if outlet is None:
        raise NotFound(_("Không tìm thấy cơ quan báo chí {id}.", id=outlet_id))
    session.delete(outlet)
    session.flush()
