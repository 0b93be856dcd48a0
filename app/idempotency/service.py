"""Idempotency keys (the IETF draft "The Idempotency-Key HTTP Header Field", as Stripe uses it).

A client that sends ``Idempotency-Key: <unique string>`` with a creating POST and retries after a time-out gets the
first answer again instead of creating a second case, inquiry, statement or notice. How:

1. ``claim`` inserts the key (principal, key) *first*, in the request's own transaction, inside a SAVEPOINT. A
   concurrent request with the same key waits on the unique index until the first one ends (PostgreSQL; SQLite's
   writers queue anyway): if the first committed, the insert fails and the stored answer is replayed; if it
   rolled back, the second one goes ahead as if it were the first.
2. The route creates its object, then ``record`` stores the status and the JSON body in the same row, in the same
   transaction: the object and the remembered answer are saved together or not at all.
3. A key sent again with a different request (method, path or body) is refused (422): it is a client bug.

Keys are kept for ``KEEP`` (24 hours); the worker purges older ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, ValidationFailed
from app.i18n import _
from app.idempotency.models import IdempotencyRecord

KEEP = timedelta(hours=24)
HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _find(session: Session, principal: str, key: str) -> IdempotencyRecord | None:
    query = select(IdempotencyRecord).where(IdempotencyRecord.principal == principal, IdempotencyRecord.key == key)
    return session.exec(query.execution_options(populate_existing=True)).first()


def _replay(row: IdempotencyRecord, method: str, path: str, print_: str) -> Replay:
    if (row.method, row.path, row.fingerprint) != (method, path, print_):
        raise ValidationFailed(
            _("Khoá Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng một khoá mới."), field=HEADER
        )
    if row.status_code is None or row.response_body is None:  # not reachable: a running request's row is invisible
        raise Conflict(_("Yêu cầu với khoá Idempotency-Key này đang được xử lý; hãy thử lại sau."), retry_after=1)
    return Replay(row.status_code, row.response_body)


def claim(
    session: Session, *, principal: str, key: str, method: str, path: str, print_: str, now: datetime
) -> IdempotencyRecord | Replay:
    """The new record to fill with the answer, or the answer already given for this key."""
    found = _find(session, principal, key)
    if found is not None:
        return _replay(found, method, path, print_)
    row = IdempotencyRecord(principal=principal, key=key, method=method, path=path, fingerprint=print_, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # A request with the same key committed while we waited on the unique index: give its answer.
        found = _find(session, principal, key)
        if found is None:
            raise
        return _replay(found, method, path, print_)
    return row


def record(session: Session, row: IdempotencyRecord, *, status_code: int, body: str) -> None:
    row.status_code = status_code
    row.response_body = body
    session.add(row)
    session.flush()


def purge(session: Session, *, now: datetime) -> int:
    """Forget the keys older than ``KEEP``."""
    result = session.execute(
        delete(IdempotencyRecord)
        .where(col(IdempotencyRecord.created_at) < now - KEEP)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
