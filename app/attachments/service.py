"""Use cases of attachments: upload one to a case (or to one of its statements), list, read, download, remove;
and the anonymous download of a published notice's public attachment.

Who: whoever may write a note on the case attaches to it (handlers and heads of its units, the press office, the
spokesperson, the director); whoever may draft its statements attaches to a statement, until the statement is
published. The uploader, or whoever may edit the case, removes one. Whoever may see the case reads and downloads
its attachments; for anyone else the attachment does not exist (404), like the case.

An upload is read once, in chunks, from the spooled request body: the first 64 KiB judge the type
(``rules.sniff``), every byte goes through SHA-256 and the size count (413 past ``CRISISDESK_MAX_UPLOAD_MB``), then
the bytes go to the storage under their digest and the row and the case event are written in the request's
transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import IO

from sqlmodel import Session, col, select

from app.attachments.models import AttachmentPanel, AttachmentRead
from app.auth.permissions import Actor, Permission, can, require
from app.cases.events import record_event
from app.cases.models import Case, UserRef
from app.cases.scope import scope_of, visibility_clause
from app.cases.vocabulary import CaseEventKind
from app.errors import Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from app.files import rules
from app.files.models import Attachment
from app.files.storage import Storage, key_for
from app.i18n import _
from app.notices.models import Notice
from app.org.models import User
from app.statements.models import Statement
from app.statements.rules import StatementStatus

ADDED = CaseEventKind.ATTACHMENT_ADDED
REMOVED = CaseEventKind.ATTACHMENT_REMOVED


def _measure(source: IO[bytes], max_bytes: int) -> tuple[bytes, int, str]:
    """The head (for the type), the size and the SHA-256 of ``source``, read once in chunks; rewound after."""
    source.seek(0)
    digest = hashlib.sha256()
    head = source.read(rules.SNIFF_BYTES)
    digest.update(head)
    size = len(head)
    while chunk := source.read(1024 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(
                _("Tệp lớn hơn giới hạn {mb} MB.", mb=max_bytes // (1024 * 1024)), limit_bytes=max_bytes
            )
        digest.update(chunk)
    if size > max_bytes:
        raise PayloadTooLarge(_("Tệp lớn hơn giới hạn {mb} MB.", mb=max_bytes // (1024 * 1024)), limit_bytes=max_bytes)
    source.seek(0)
    return head, size, digest.hexdigest()


def upload(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    source: IO[bytes],
    filename: str | None,
    description: str | None,
    public: bool,
    statement: Statement | None,
    storage: Storage,
    max_bytes: int,
    now: datetime,
) -> Attachment:
    scope = scope_of(session, case)
    if statement is not None:
        require(actor, Permission.STATEMENT_DRAFT, scope)
        _check_statement_open(statement, case)
    else:
        require(actor, Permission.CASE_NOTE, scope)
        if public:
            raise ValidationFailed(
                _("Chỉ tệp đính kèm nội dung phát ngôn mới được công bố cùng thông cáo."), field="public"
            )
    name = rules.clean_filename(filename)
    if not name:
        raise ValidationFailed(_("Tệp cần có tên."), field="file")
    head, size, sha256 = _measure(source, max_bytes)
    sniffed = rules.sniff(head, complete=size <= len(head))
    if not sniffed.allowed:
        raise UnsupportedMediaType(
            _(
                "Không nhận loại tệp này ({type}). Được phép: PDF, ảnh, tài liệu Office và OpenDocument, "
                "văn bản thuần, thư điện tử (.eml).",
                type=sniffed.content_type,
            ),
            content_type=sniffed.content_type,
        )
    key = key_for(sha256)
    storage.put(key, source, size)
    assert case.id is not None
    attachment = Attachment(
        case_id=case.id,
        statement_id=statement.id if statement else None,
        filename=name,
        content_type=sniffed.content_type,
        size=size,
        sha256=sha256,
        storage_key=key,
        description=description or None,
        public=public,
        created_at=now,
        created_by_id=actor.user_id,
    )
    session.add(attachment)
    session.flush()
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=ADDED, note=description or None,
                 data=_event_data(attachment))  # fmt: skip
    return attachment


def _check_statement_open(statement: Statement, case: Case) -> None:
    if statement.case_id != case.id:
        raise NotFound(_("Không tìm thấy nội dung phát ngôn {id}.", id=statement.id))
    if statement.status == StatementStatus.PUBLISHED:
        raise Conflict(_("Nội dung phát ngôn đã công bố: tệp đính kèm của nó không đổi được nữa."),
                       status=statement.status.value)  # fmt: skip


def _event_data(attachment: Attachment) -> dict[str, object]:
    data: dict[str, object] = {
        "attachment_id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }
    if attachment.statement_id is not None:
        data["statement_id"] = attachment.statement_id
        data["public"] = attachment.public
    return data


def get_attachment(session: Session, *, actor: Actor, attachment_id: int) -> tuple[Attachment, Case]:
    """An attachment of a case the actor may see (404 otherwise, and for a removed one)."""
    query = (
        select(Attachment, Case)
        .join(Case, col(Case.id) == Attachment.case_id)
        .where(col(Attachment.id) == attachment_id, col(Attachment.removed_at).is_(None))
    )
    clause = visibility_clause(actor)
    row = session.exec(query if clause is None else query.where(clause)).first()
    if row is None:
        raise NotFound(_("Không tìm thấy tệp đính kèm {id}.", id=attachment_id))
    return row


def list_attachments(session: Session, *, case: Case, statement_id: int | None = None) -> list[Attachment]:
    """The case's attachments (or one statement's), oldest first, removed ones left out."""
    query = select(Attachment).where(Attachment.case_id == case.id, col(Attachment.removed_at).is_(None))
    if statement_id is not None:
        query = query.where(Attachment.statement_id == statement_id)
    return list(session.exec(query.order_by(col(Attachment.created_at), col(Attachment.id))).all())


def attachment_reads(session: Session, *, case: Case, attachments: Sequence[Attachment]) -> list[AttachmentRead]:
    ids = {a.created_by_id for a in attachments if a.created_by_id is not None}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids))).all()} if ids else {}
    reads = []
    for a in attachments:
        assert a.id is not None
        user = users.get(a.created_by_id)
        reads.append(
            AttachmentRead(
                id=a.id,
                case_reference=case.reference,
                statement_id=a.statement_id,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
                description=a.description,
                public=a.public,
                created_at=a.created_at,
                created_by=UserRef(username=user.username, full_name=user.full_name) if user else None,
                url=f"/api/v1/attachments/{a.id}/content",
            )
        )
    return reads


def may_remove(session: Session, *, actor: Actor, attachment: Attachment, case: Case) -> bool:
    if attachment.created_by_id == actor.user_id:
        return can(actor, Permission.CASE_VIEW, scope_of(session, case))
    return can(actor, Permission.CASE_EDIT, scope_of(session, case))


def remove(session: Session, *, actor: Actor, attachment: Attachment, case: Case, now: datetime) -> None:
    """Take an attachment off the case (the row stays, marked; the timeline records who and when)."""
    if not may_remove(session, actor=actor, attachment=attachment, case=case):
        require(actor, Permission.CASE_EDIT, scope_of(session, case))
    if attachment.statement_id is not None:
        statement = session.get(Statement, attachment.statement_id)
        assert statement is not None
        _check_statement_open(statement, case)
    attachment.removed_at = now
    attachment.removed_by_id = actor.user_id
    session.add(attachment)
    session.flush()
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=REMOVED, data=_event_data(attachment))


def public_attachment(session: Session, *, attachment_id: int, now: datetime) -> Attachment:
    """A public attachment of a statement whose notice is published at ``now``; for anything else, 404."""
    row = session.exec(
        select(Attachment)
        .join(Notice, col(Notice.statement_id) == Attachment.statement_id)
        .where(
            col(Attachment.id) == attachment_id,
            col(Attachment.public).is_(True),
            col(Attachment.removed_at).is_(None),
            col(Notice.published_at) <= now,
        )
    ).first()
    if row is None:
        raise NotFound(_("Không tìm thấy tệp {id}.", id=attachment_id))
    return row


def panel(session: Session, *, actor: Actor, case: Case, statement: Statement | None = None) -> AttachmentPanel:
    """The attachments of the case (or of one statement) for the staff pages, with what the reader may do."""
    scope = scope_of(session, case)
    rows = list_attachments(session, case=case, statement_id=statement.id if statement else None)
    if statement is None:
        may_attach = can(actor, Permission.CASE_NOTE, scope)
    else:
        may_attach = can(actor, Permission.STATEMENT_DRAFT, scope) and statement.status != StatementStatus.PUBLISHED
    published = set()
    statement_ids = {a.statement_id for a in rows if a.statement_id is not None}
    if statement_ids:
        published = set(
            session.exec(
                select(Statement.id).where(
                    col(Statement.id).in_(statement_ids), Statement.status == StatementStatus.PUBLISHED
                )
            ).all()
        )
    removable = [
        a.id
        for a in rows
        if a.id is not None
        and a.statement_id not in published
        and may_remove(session, actor=actor, attachment=a, case=case)
    ]
    return AttachmentPanel(items=attachment_reads(session, case=case, attachments=rows), may_attach=may_attach,
                           removable=removable)  # fmt: skip
