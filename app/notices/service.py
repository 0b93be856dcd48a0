"""Use cases of notices: issue one (from the statement service, when an approved statement is published), and read
them: the staff's view, and the public's (only what is published at ``now``: never drafts, notes or assignees).

``list_published`` and ``get_published`` are what the public side (pages, JSON API, feed) calls.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Integer, literal, tuple_
from sqlmodel import Session, col, select

from app import public_version
from app.auth.permissions import Actor
from app.cases.models import Case, UserRef
from app.cases.scope import visible_cases
from app.cases.vocabulary import Topic
from app.counters import next_value
from app.db import UTCDateTime
from app.errors import NotFound, ValidationFailed
from app.files.models import Attachment, AttachmentPublic
from app.i18n import _
from app.notices import rules
from app.notices.models import (
    Notice,
    NoticePublic,
    NoticeRead,
    NoticeRef,
    PressItem,
    RefusalPublic,
    SpokespersonOnNotice,
)
from app.notices.rules import NoticeType
from app.org.models import User
from app.spokespersons.rules import Capacity
from app.statements.rules import RefusalGround, StatementKind
from app.subscriptions import service as subscriptions
from app.text import fold, search_terms
from app.webhooks import service as webhooks
from app.webhooks.events import WebhookEventKind
from app.webhooks.share import SharedNotice, ShareTexts, render

# --- issuing ------------------------------------------------------------------------------------------------


def issue_notice(
    session: Session,
    *,
    statement_id: int,
    kind: StatementKind,
    version_id: int,
    approval_id: int,
    title: str,
    text: str,
    text_sha256: str,
    case: Case,
    spokesperson_name: str,
    spokesperson_title: str,
    spokesperson_capacity: Capacity,
    authorisation_id: int | None,
    refusal_ground: RefusalGround | None,
    refusal_basis: str | None,
    refusal_reason: str | None,
    corrects: Notice | None,
    withdraws: bool,
    published_at: datetime,
    issued_by_id: int,
    issuer: str,
    now: datetime,
) -> Notice:
    """Number and write the notice. The number comes from the yearly counter of its type inside the caller's
    transaction: concurrent publications queue on the counter row, and a rolled-back one gives its number back."""
    assert case.id is not None
    notice_type = rules.NOTICE_TYPE_BY_KIND[kind]
    year = rules.notice_year(published_at)
    seq = next_value(session, scope=rules.counter_scope(notice_type), year=year)
    number = rules.format_number(seq, notice_type, issuer)
    notice = Notice(
        statement_id=statement_id,
        case_id=case.id,
        version_id=version_id,
        approval_id=approval_id,
        notice_type=notice_type,
        year=year,
        seq=seq,
        number=number,
        slug=rules.format_slug(year, notice_type, seq),
        kind=kind,
        title=title,
        text=text,
        text_sha256=text_sha256,
        published_at=published_at,
        issued_at=now,
        issued_by_id=issued_by_id,
        spokesperson_name=spokesperson_name,
        spokesperson_title=spokesperson_title,
        spokesperson_capacity=spokesperson_capacity,
        authorisation_id=authorisation_id,
        case_reference=case.reference,
        topic=case.topic,
        outlet=case.outlet,
        source_url=case.source_url,
        source_published_at=case.source_published_at,
        refusal_ground=refusal_ground,
        refusal_basis=refusal_basis,
        refusal_reason=refusal_reason,
        corrects_id=corrects.id if corrects else None,
        withdraws=withdraws,
        search_text=fold(" ".join(p for p in (number, title, text, case.outlet or "", case.reference) if p)),
    )
    session.add(notice)
    session.flush()
    public_version.bump(session)  # the public side's caches learn of it (at its minute, for an embargo)
    announce(session, notice=notice, corrects=corrects, now=now)
    return notice


def shared_notice(notice: Notice, corrects: Notice | None) -> SharedNotice:
    """What the outbound channels carry of a notice (only what its public page shows)."""
    return SharedNotice(number=notice.number, slug=notice.slug, kind=notice.kind.value, title=notice.title,
                        text=notice.text, published_at=notice.published_at, spokesperson_name=notice.spokesperson_name,
                        spokesperson_title=notice.spokesperson_title, case_reference=notice.case_reference,
                        topic=notice.topic.value, corrects_number=corrects.number if corrects else None,
                        withdraws=notice.withdraws)  # fmt: skip


def share_preview(read: NoticeRead, base_url: str) -> ShareTexts:
    """The share-ready texts of a notice (portal HTML, Fanpage post, Zalo OA message), as its webhooks carry them."""
    shared = SharedNotice(number=read.number, slug=read.slug, kind=read.kind.value, title=read.title, text=read.text,
                          published_at=read.published_at, spokesperson_name=read.spokesperson.name,
                          spokesperson_title=read.spokesperson.title, case_reference=read.case_reference,
                          topic=read.topic.value, corrects_number=read.corrects.number if read.corrects else None,
                          withdraws=read.withdraws)  # fmt: skip
    return render(shared, base_url)


def announce(session: Session, *, notice: Notice, corrects: Notice | None, now: datetime) -> None:
    """In the notice's transaction: the webhook event (``notice.published`` / ``corrected`` / ``withdrawn``) and the
    subscribers' mail, both released at the publication time (an embargo holds them)."""
    if notice.withdraws:
        kind = WebhookEventKind.NOTICE_WITHDRAWN
    elif corrects is not None:
        kind = WebhookEventKind.NOTICE_CORRECTED
    else:
        kind = WebhookEventKind.NOTICE_PUBLISHED
    shared = shared_notice(notice, corrects)
    webhooks.emit(session, kind=kind, payload={"notice": shared.model_dump(mode="json")},
                  ordering_key=f"case:{notice.case_reference}", now=now, available_at=notice.published_at)  # fmt: skip
    subscriptions.queue_notice(session, notice=shared, now=now)


def notice_of_statement(session: Session, statement_id: int) -> Notice | None:
    return session.exec(select(Notice).where(Notice.statement_id == statement_id)).first()


def notices_of_statements(session: Session, statement_ids: Sequence[int]) -> dict[int, Notice]:
    if not statement_ids:
        return {}
    rows = session.exec(select(Notice).where(col(Notice.statement_id).in_(statement_ids))).all()
    return {n.statement_id: n for n in rows}


def find_notice(
    session: Session, key: str, *, case_id: int | None = None, now: datetime | None = None
) -> Notice | None:
    """A notice by slug or number; with ``now``, only one published by then; with ``case_id``, only that case's.
    A bare number names the newest year's notice of that number."""
    parsed = rules.parse_key(key)
    if parsed is None:
        return None
    query = select(Notice).where(Notice.notice_type == parsed.notice_type, Notice.seq == parsed.seq)
    if parsed.year is not None:
        query = query.where(Notice.year == parsed.year)
    else:
        query = query.where(col(Notice.number) == key.strip())
    if case_id is not None:
        query = query.where(Notice.case_id == case_id)
    if now is not None:
        query = query.where(col(Notice.published_at) <= now)
    return session.exec(query.order_by(col(Notice.year).desc())).first()


def withdrawn_by(session: Session, notice: Notice) -> Notice | None:
    """The notice (issued, even if scheduled) that withdraws ``notice``, if any."""
    return session.exec(select(Notice).where(Notice.corrects_id == notice.id, col(Notice.withdraws).is_(True))).first()


# --- reading ------------------------------------------------------------------------------------------------


def notice_ref(notice: Notice) -> NoticeRef:
    return NoticeRef(number=notice.number, slug=notice.slug, kind=notice.kind, published_at=notice.published_at)


def public_attachments(session: Session, notices: Sequence[Notice]) -> dict[int, list[AttachmentPublic]]:
    """The public attachments of the notices' statements, by statement id, oldest first."""
    statement_ids = {n.statement_id for n in notices}
    if not statement_ids:
        return {}
    rows = session.exec(
        select(Attachment)
        .where(col(Attachment.statement_id).in_(statement_ids), col(Attachment.public).is_(True))
        .where(col(Attachment.removed_at).is_(None))
        .order_by(col(Attachment.created_at), col(Attachment.id))
    ).all()
    found: dict[int, list[AttachmentPublic]] = defaultdict(list)
    for a in rows:
        assert a.statement_id is not None
        found[a.statement_id].append(
            AttachmentPublic(
                filename=a.filename,
                url=f"/api/public/v1/attachments/{a.id}/content",
                size=a.size,
                sha256=a.sha256,
                content_type=a.content_type,
            )  # fmt: skip
        )
    return found


def _public(
    notice: Notice, family: Sequence[Notice], attachments: dict[int, list[AttachmentPublic]] | None = None
) -> NoticePublic:
    """The public form of ``notice``; ``family`` holds the notices of its case that the reader may see."""
    by_id = {n.id: n for n in family}
    later = [n for n in family if n.corrects_id == notice.id]
    withdrawal = next((n for n in sorted(later, key=lambda n: n.published_at) if n.withdraws), None)
    # The chain: follow corrects_id up to the first notice, then everything that hangs below it.
    root = notice
    seen = {notice.id}
    while root.corrects_id is not None and root.corrects_id in by_id and root.corrects_id not in seen:
        seen.add(root.corrects_id)
        root = by_id[root.corrects_id]
    chain: list[Notice] = []
    frontier = [root]
    while frontier:
        current = frontier.pop()
        if any(c.id == current.id for c in chain):
            continue
        chain.append(current)
        frontier.extend(n for n in family if n.corrects_id == current.id)
    chain.sort(key=lambda n: (n.published_at, n.id or 0))
    corrected = by_id.get(notice.corrects_id) if notice.corrects_id else None
    refusal = None
    if notice.refusal_ground is not None:
        refusal = RefusalPublic(
            ground=notice.refusal_ground, basis=notice.refusal_basis or "", reason=notice.refusal_reason or ""
        )
    answers = None
    if notice.outlet or notice.source_url:
        answers = PressItem(outlet=notice.outlet, url=notice.source_url, published_at=notice.source_published_at)
    return NoticePublic(
        number=notice.number,
        slug=notice.slug,
        notice_type=notice.notice_type,
        year=notice.year,
        kind=notice.kind,
        title=notice.title,
        text=notice.text,
        text_sha256=notice.text_sha256,
        published_at=notice.published_at,
        spokesperson=SpokespersonOnNotice(
            name=notice.spokesperson_name, title=notice.spokesperson_title, capacity=notice.spokesperson_capacity
        ),
        case_reference=notice.case_reference,
        topic=notice.topic,
        answers=answers,
        refusal=refusal,
        corrects=notice_ref(corrected) if corrected else None,
        withdraws=notice.withdraws,
        withdrawn=withdrawal is not None,
        withdrawn_by=notice_ref(withdrawal) if withdrawal else None,
        corrected_by=[notice_ref(n) for n in sorted(later, key=lambda n: (n.published_at, n.id or 0))],
        history=[notice_ref(n) for n in chain],
        attachments=(attachments or {}).get(notice.statement_id, []),
    )


def _families(session: Session, notices: Sequence[Notice], now: datetime | None) -> dict[int, list[Notice]]:
    case_ids = {n.case_id for n in notices}
    if not case_ids:
        return {}
    query = select(Notice).where(col(Notice.case_id).in_(case_ids))
    if now is not None:
        query = query.where(col(Notice.published_at) <= now)
    families: dict[int, list[Notice]] = defaultdict(list)
    for n in session.exec(query).all():
        families[n.case_id].append(n)
    return families


def public_reads(session: Session, notices: Sequence[Notice], now: datetime) -> list[NoticePublic]:
    families = _families(session, notices, now)
    attachments = public_attachments(session, notices)
    return [_public(n, families[n.case_id], attachments) for n in notices]


def notice_read(session: Session, notice: Notice, *, now: datetime) -> NoticeRead:
    """The staff's view of a notice (scheduled ones included, and the links to them)."""
    family = _families(session, [notice], None)[notice.case_id]
    issuer = session.get(User, notice.issued_by_id)
    assert notice.id is not None
    return NoticeRead(
        **_public(notice, family, public_attachments(session, [notice])).model_dump(),
        statement_id=notice.statement_id,
        approval_id=notice.approval_id,
        issued_at=notice.issued_at,
        issued_by=UserRef(username=issuer.username, full_name=issuer.full_name) if issuer else None,
        scheduled=notice.published_at > now,
    )


def get_notice(session: Session, *, actor: Actor, key: str, now: datetime) -> NoticeRead:
    """A notice for the staff, by slug or number, scheduled ones included; limited to cases the actor may see."""
    notice = find_notice(session, key)
    visible = (
        session.exec(visible_cases(actor).where(col(Case.id) == notice.case_id)).first() if notice is not None else None
    )
    if notice is None or visible is None:
        raise NotFound(_("Không tìm thấy thông cáo {key}.", key=key))
    return notice_read(session, notice, now=now)


# --- the public side ----------------------------------------------------------------------------------------


class NoticeFilters(BaseModel):
    topic: list[Topic] = []
    kind: list[StatementKind] = []
    notice_type: list[NoticeType] = []
    since: datetime | None = None  # published at or after
    until: datetime | None = None  # published before
    outlet: str | None = None
    q: str | None = None


def _encode_cursor(notice: Notice) -> str:
    raw = json.dumps([notice.published_at.isoformat(), notice.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, ident = json.loads(raw)
        value = datetime.fromisoformat(at)
        if value.tzinfo is None or not isinstance(ident, int):
            raise ValueError
        return value, ident
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise ValidationFailed(_("Con trỏ phân trang không hợp lệ."), field="cursor") from exc


def list_published(
    session: Session, now: datetime, filters: NoticeFilters | None = None, cursor: str | None = None, limit: int = 20
) -> tuple[list[NoticePublic], str | None]:
    """Published notices (``published_at <= now``), newest first, filtered, with cursor pagination."""
    filters = filters or NoticeFilters()
    query = select(Notice).where(col(Notice.published_at) <= now)
    if filters.topic:
        query = query.where(col(Notice.topic).in_(filters.topic))
    if filters.kind:
        query = query.where(col(Notice.kind).in_(filters.kind))
    if filters.notice_type:
        query = query.where(col(Notice.notice_type).in_(filters.notice_type))
    if filters.since:
        query = query.where(col(Notice.published_at) >= filters.since)
    if filters.until:
        query = query.where(col(Notice.published_at) < filters.until)
    if filters.outlet:
        query = query.where(col(Notice.outlet) == filters.outlet)
    if filters.q:
        for term in search_terms(filters.q):
            query = query.where(col(Notice.search_text).like(f"%{term}%", escape="\\"))
    if cursor:
        at, ident = _decode_cursor(cursor)
        # A row comparison bounds the index (see cases.queries._keyset).
        key = tuple_(col(Notice.published_at), col(Notice.id))
        query = query.where(key < tuple_(literal(at, UTCDateTime()), literal(ident, Integer())))
    limit = max(1, min(limit, 200))
    rows = list(session.exec(query.order_by(col(Notice.published_at).desc(), col(Notice.id).desc()).limit(limit + 1)))
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return public_reads(session, rows[:limit], now), next_cursor


def get_published(session: Session, number_or_slug: str, now: datetime) -> NoticePublic:
    """One published notice by number (``12/TC-SGDĐT``: the newest year's) or slug (``2026-tc-12``); a notice not
    yet published at ``now`` (embargo) does not exist."""
    notice = find_notice(session, number_or_slug, now=now)
    if notice is None:
        raise NotFound(_("Không tìm thấy thông cáo {key}.", key=number_or_slug))
    return public_reads(session, [notice], now)[0]


def published_outlets(session: Session, now: datetime) -> list[str]:
    """The press outlets that published notices answer (for the public filter), in alphabetical order."""
    rows = session.exec(
        select(Notice.outlet).where(col(Notice.published_at) <= now, col(Notice.outlet).is_not(None)).distinct()
    ).all()
    return sorted((r for r in rows if r), key=fold)
