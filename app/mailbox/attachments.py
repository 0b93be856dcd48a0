"""The one place where the mailbox keeps a message's attachments on a case.

Until the documents on cases (product §11.1) provide their storage, the files are kept in ``mailbox_attachment``
under the same rules (type from the bytes, size limit); when they land, only ``keep_attachments`` changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.mailbox import rules
from app.mailbox.models import MailboxAttachment


@dataclass(frozen=True)
class InboundFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Kept:
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Refused:
    filename: str
    size: int
    reason: str  # "type" or "size"


def keep_attachments(session: Session, *, case_id: int, message_pk: int, files: list[InboundFile], max_bytes: int,
                     now: datetime) -> tuple[list[Kept], list[Refused]]:  # fmt: skip
    kept: list[Kept] = []
    refused: list[Refused] = []
    for f in files:
        name = (f.filename or "tep-dinh-kem").replace("/", "_").replace("\\", "_")[:255]
        if len(f.data) > max_bytes:
            refused.append(Refused(name, len(f.data), "size"))
            continue
        content_type = rules.sniff_type(f.data)
        if content_type is None:
            refused.append(Refused(name, len(f.data), "type"))
            continue
        row = MailboxAttachment(message_pk=message_pk, case_id=case_id, filename=name, content_type=content_type,
                                size=len(f.data), sha256=hashlib.sha256(f.data).hexdigest(), content=f.data,
                                created_at=now)  # fmt: skip
        session.add(row)
        session.flush()
        assert row.id is not None
        kept.append(Kept(row.id, row.filename, row.content_type, row.size, row.sha256))
    return kept, refused
