"""The one place where the mailbox keeps a message's attachments on a case: as the case's own attachments
(``app/files``, product §11.1), under the documents rules.

Each file is judged like an upload: the type from its bytes (``app.files.rules.sniff``, never from its name), the
size against ``CRISISDESK_MAX_UPLOAD_MB``; a kept one goes to the storage under its SHA-256 with its original
(cleaned) file name, gets its ``attachment`` row and an ``attachment_added`` event on the case, so it is listed on
the case page and by ``GET /api/v1/cases/{ref}/attachments`` like any other. A refused one is returned, and the
caller writes it into the note on the case (never dropped silently); the message is taken all the same. A file
sent by the reporter has no uploader (``created_by_id`` is empty); one sent by a staff member is theirs.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.cases.events import record_event
from app.cases.models import Case
from app.cases.vocabulary import CaseEventKind
from app.files import rules
from app.files.models import Attachment
from app.files.storage import Storage, key_for
from app.i18n import _


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


def keep_attachments(session: Session, *, case: Case, files: list[InboundFile], sender: str, actor_id: int | None,
                     storage: Storage, max_bytes: int, now: datetime) -> tuple[list[Kept], list[Refused]]:  # fmt: skip
    assert case.id is not None
    kept: list[Kept] = []
    refused: list[Refused] = []
    for f in files:
        name = rules.clean_filename(f.filename) or "tep-dinh-kem"
        size = len(f.data)
        if size > max_bytes:
            refused.append(Refused(name, size, "size"))
            continue
        sniffed = rules.sniff(f.data[: rules.SNIFF_BYTES], complete=size <= rules.SNIFF_BYTES)
        if not sniffed.allowed:
            refused.append(Refused(name, size, "type"))
            continue
        sha256 = hashlib.sha256(f.data).hexdigest()
        key = key_for(sha256)
        storage.put(key, io.BytesIO(f.data), size)
        description = _("Gửi kèm thư của {sender}", sender=sender).localize("vi")
        row = Attachment(case_id=case.id, filename=name, content_type=sniffed.content_type, size=size,
                         sha256=sha256, storage_key=key, description=description, created_at=now,
                         created_by_id=actor_id)  # fmt: skip
        session.add(row)
        session.flush()
        assert row.id is not None
        record_event(session, case=case, actor_id=actor_id, now=now, kind=CaseEventKind.ATTACHMENT_ADDED,
                     note=description, data={"attachment_id": row.id, "filename": name, "content_type":
                     row.content_type, "size": size, "sha256": sha256, "via": "mailbox"})  # fmt: skip
        kept.append(Kept(row.id, row.filename, row.content_type, row.size, row.sha256))
    return kept, refused
