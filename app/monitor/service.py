"""Use cases of press monitoring: sources and terms (the press office keeps them), the items the fetcher stores,
an item turned into a case and the story shown on that case. The digest and the emerging issues: ``digest.py``.

The fetcher (``app/monitor/fetcher.py``) calls ``due_sources``, ``load_matcher``, ``load_cluster_index``,
``store_items`` and ``record_poll``; each call runs in its own short transaction, never across a download.
An item is unique by its normalised URL and by its feed GUID (unique constraints; ``INSERT … ON CONFLICT DO
NOTHING``), so two monitor processes, or a restart, never store it twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, can, require
from app.cases.events import record_event
from app.cases.models import Case, CaseCreate
from app.cases.service import open_case
from app.cases.vocabulary import CaseEventKind, Topic
from app.cases.vocabulary import SourceKind as CaseSourceKind
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.monitor import rules
from app.monitor.models import (
    ClusterItem,
    ItemRead,
    MonitorCluster,
    MonitorItem,
    MonitorSource,
    SourceCreate,
    SourceKind,
    SourceRead,
    SourceUpdate,
    TermCreate,
    TermRead,
    WatchTerm,
)
from app.org.models import Unit
from app.org.service import unit_by_code
from app.text import search_terms

CLUSTER_DAYS = 3  # an item is compared with the items of the last three days
SOCIAL_HOSTS = ("facebook.com", "fb.com", "zalo.me", "tiktok.com", "youtube.com", "x.com", "twitter.com")


def insert_for(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


# --- sources ------------------------------------------------------------------------------------------------


def source_read(source: MonitorSource) -> SourceRead:
    assert source.id is not None
    return SourceRead(
        id=source.id, name=source.name, url=source.url, kind=source.kind, outlet=source.outlet,
        poll_minutes=source.poll_minutes, enabled=source.enabled, last_polled_at=source.last_polled_at,
        last_success_at=source.last_success_at, last_error=source.last_error, failures=source.failures,
        healthy=rules.is_healthy(source.failures), next_poll_at=source.next_poll_at, items_total=source.items_total,
    )  # fmt: skip


def list_sources(session: Session, *, actor: Actor) -> list[SourceRead]:
    require(actor, Permission.MONITOR_VIEW)
    rows = session.exec(select(MonitorSource).order_by(col(MonitorSource.outlet), col(MonitorSource.id))).all()
    return [source_read(s) for s in rows]


def get_source(session: Session, *, actor: Actor, source_id: int) -> SourceRead:
    require(actor, Permission.MONITOR_VIEW)
    source = session.get(MonitorSource, source_id)
    if source is None:
        raise NotFound(_("Không tìm thấy nguồn tin {id}.", id=source_id))
    return source_read(source)


def _url_taken(session: Session, url: str, exclude: int | None = None) -> None:
    query = select(MonitorSource.id).where(MonitorSource.url == url)
    if exclude is not None:
        query = query.where(col(MonitorSource.id) != exclude)
    if session.exec(query).first() is not None:
        raise Conflict(_("Nguồn tin với địa chỉ này đã có."))


def create_source(session: Session, *, actor: Actor, data: SourceCreate, now: datetime) -> SourceRead:
    require(actor, Permission.MONITOR_MANAGE)
    _url_taken(session, data.url)
    source = MonitorSource(**data.model_dump(), created_at=now, next_poll_at=now)
    session.add(source)
    session.flush()
    return source_read(source)


def update_source(session: Session, *, actor: Actor, source_id: int, data: SourceUpdate, now: datetime) -> SourceRead:
    require(actor, Permission.MONITOR_MANAGE)
    source = session.get(MonitorSource, source_id)
    if source is None:
        raise NotFound(_("Không tìm thấy nguồn tin {id}.", id=source_id))
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "url" in changes:
        _url_taken(session, changes["url"], exclude=source_id)
        if changes["url"] != source.url:
            source.etag, source.last_modified = None, None
    if changes.get("enabled") and not source.enabled:
        # Switched on again: poll it now and forget the old failures.
        source.failures, source.next_poll_at = 0, now
    source.sqlmodel_update(changes)
    session.add(source)
    session.flush()
    return source_read(source)


# --- terms --------------------------------------------------------------------------------------------------


def _term_reads(session: Session, terms: Sequence[WatchTerm]) -> list[TermRead]:
    unit_ids = {t.unit_id for t in terms if t.unit_id}
    codes = dict(session.exec(select(Unit.id, Unit.code).where(col(Unit.id).in_(unit_ids))).all()) if unit_ids else {}
    out = []
    for t in terms:
        assert t.id is not None
        out.append(TermRead(id=t.id, term=t.term, topic=t.topic, unit=codes.get(t.unit_id) if t.unit_id else None))
    return out


def list_terms(session: Session, *, actor: Actor) -> list[TermRead]:
    require(actor, Permission.MONITOR_VIEW)
    return _term_reads(session, session.exec(select(WatchTerm).order_by(col(WatchTerm.folded))).all())


def create_term(session: Session, *, actor: Actor, data: TermCreate, now: datetime) -> TermRead:
    require(actor, Permission.MONITOR_MANAGE)
    term = " ".join(data.term.split())
    folded = " ".join(rules.words(term))
    if len(folded) < 2:
        raise ValidationFailed(_("Từ khóa cần có ít nhất hai chữ cái hoặc chữ số."), field="term")
    if session.exec(select(WatchTerm.id).where(WatchTerm.folded == folded)).first() is not None:
        raise Conflict(_("Từ khóa «{term}» đã có (không phân biệt dấu và chữ hoa).", term=term))
    unit = unit_by_code(session, data.unit, field="unit") if data.unit else None
    row = WatchTerm(term=term, folded=folded, topic=data.topic, unit_id=unit.id if unit else None, created_at=now)
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the same term added at the same moment by someone else
        raise Conflict(_("Từ khóa «{term}» đã có (không phân biệt dấu và chữ hoa).", term=term)) from exc
    return _term_reads(session, [row])[0]


def delete_term(session: Session, *, actor: Actor, term_id: int) -> None:
    require(actor, Permission.MONITOR_MANAGE)
    row = session.get(WatchTerm, term_id)
    if row is None:
        raise NotFound(_("Không tìm thấy từ khóa {id}.", id=term_id))
    session.delete(row)
    session.flush()


# --- what the fetcher uses ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollTarget:
    id: int
    url: str
    kind: SourceKind
    outlet: str
    poll_minutes: int
    failures: int
    etag: str | None
    last_modified: str | None


def due_sources(session: Session, *, now: datetime, limit: int = 10_000) -> list[PollTarget]:
    """The enabled sources whose next poll is due, the longest waiting first."""
    rows = session.exec(
        select(MonitorSource)
        .where(col(MonitorSource.enabled).is_(True),
               or_(col(MonitorSource.next_poll_at).is_(None), col(MonitorSource.next_poll_at) <= now))
        .order_by(col(MonitorSource.next_poll_at), col(MonitorSource.id))
        .limit(limit)
    ).all()  # fmt: skip
    return [PollTarget(s.id or 0, s.url, s.kind, s.outlet, s.poll_minutes, s.failures, s.etag, s.last_modified)
            for s in rows]  # fmt: skip


def make_all_due(session: Session, *, now: datetime) -> None:
    session.execute(update(MonitorSource).where(col(MonitorSource.enabled).is_(True)).values(next_poll_at=now)
                    .execution_options(synchronize_session=False))  # fmt: skip


def claim_source(session: Session, *, source_id: int, now: datetime, lease: timedelta) -> bool:
    """Move a due source's next poll past the lease, so that a second monitor process does not poll it at the
    same time (guarded UPDATE: only one process sees its row change)."""
    result = session.execute(
        update(MonitorSource)
        .where(col(MonitorSource.id) == source_id,
               or_(col(MonitorSource.next_poll_at).is_(None), col(MonitorSource.next_poll_at) <= now))
        .values(next_poll_at=now + lease)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return bool(result.rowcount)  # type: ignore[attr-defined]


def record_poll(session: Session, *, source_id: int, now: datetime, error: str | None, etag: str | None = None,
                last_modified: str | None = None, new_items: int = 0) -> None:  # fmt: skip
    """The outcome of a poll: on success the validators for the next conditional GET; on failure the error, one
    more failure in a row and a later next poll (``rules.next_poll_delay``)."""
    source = session.get(MonitorSource, source_id)
    if source is None:
        return
    source.last_polled_at = now
    if error is None:
        source.last_error, source.failures, source.last_success_at = None, 0, now
        source.etag = etag[:300] if etag else source.etag
        source.last_modified = last_modified[:100] if last_modified else source.last_modified
        source.items_total += new_items
    else:
        source.last_error = error[:500]
        source.failures += 1
    source.next_poll_at = now + rules.next_poll_delay(source.poll_minutes, source.failures)
    session.add(source)
    session.flush()


def load_matcher(session: Session) -> rules.Matcher:
    terms = session.exec(select(WatchTerm)).all()
    return rules.Matcher(rules.TermSpec(t.id or 0, t.term, t.topic.value if t.topic else None, t.unit_id)
                         for t in terms)  # fmt: skip


def load_cluster_index(session: Session, *, now: datetime, days: int = CLUSTER_DAYS) -> rules.ClusterIndex:
    index = rules.ClusterIndex()
    for item_id, cluster_id, tokens in session.exec(
        select(MonitorItem.id, MonitorItem.cluster_id, MonitorItem.tokens)
        .where(col(MonitorItem.seen_at) >= now - timedelta(days=days), col(MonitorItem.cluster_id).is_not(None))
        .order_by(col(MonitorItem.id))
    ).all():
        assert item_id is not None and cluster_id is not None
        index.add(item_id, cluster_id, tokens)
    return index


def store_items(session: Session, *, source_id: int, outlet: str, entries: Sequence[rules.Entry],
                matcher: rules.Matcher, index: rules.ClusterIndex, now: datetime) -> list[int]:  # fmt: skip
    """Store the entries not seen before (by normalised URL or GUID), each matched and put in its cluster.
    Returns the ids of the new items."""
    insert = insert_for(session)
    table = MonitorItem.__table__  # type: ignore[attr-defined]
    new_ids: list[int] = []
    for entry in entries:
        url = rules.normalise_url(entry.url)
        match = matcher.match(entry.title, entry.text)
        features = rules.cluster_features(entry.title, entry.text)
        values = {
            "source_id": source_id, "outlet": outlet, "url": entry.url[:2000], "url_key": rules.key_of(url),
            "guid_key": rules.key_of(entry.guid) if entry.guid else None, "title": entry.title[:500],
            "excerpt": rules.excerpt(entry.text), "published_at": entry.published_at, "seen_at": now,
            "matched_terms": match.terms, "matched": bool(match.terms),
            "topic": match.topic, "unit_id": match.unit_id, "tokens": features,
            "search_text": " ".join(rules.words(f"{outlet} {entry.title} {entry.text[:2000]}")),
        }  # fmt: skip
        row = session.execute(insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)).first()
        if row is None:
            continue  # seen before
        item_id = int(row[0])
        cluster_id, _score = index.best(features)
        if cluster_id is None:
            topic = Topic(match.topic) if match.topic else None
            cluster = MonitorCluster(title=entry.title[:500], topic=topic, first_seen_at=now, last_seen_at=now)
            session.add(cluster)
            session.flush()
            assert cluster.id is not None
            cluster_id = cluster.id
        else:
            session.execute(
                update(MonitorCluster)
                .where(col(MonitorCluster.id) == cluster_id)
                .values(item_count=col(MonitorCluster.item_count) + 1, last_seen_at=now,
                        topic=func.coalesce(col(MonitorCluster.topic), match.topic))
                .execution_options(synchronize_session=False)
            )  # fmt: skip
        session.execute(
            update(MonitorItem).where(col(MonitorItem.id) == item_id).values(cluster_id=cluster_id)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        index.add(item_id, cluster_id, features)
        new_ids.append(item_id)
    session.flush()
    return new_ids


# --- items --------------------------------------------------------------------------------------------------


def _item_reads(session: Session, items: Sequence[MonitorItem]) -> list[ItemRead]:
    unit_ids = {i.unit_id for i in items if i.unit_id}
    case_ids = {i.case_id for i in items if i.case_id}
    cluster_ids = {i.cluster_id for i in items if i.cluster_id}
    codes = dict(session.exec(select(Unit.id, Unit.code).where(col(Unit.id).in_(unit_ids))).all()) if unit_ids else {}
    refs: dict[int | None, str] = {}
    if case_ids or cluster_ids:
        refs.update(session.exec(select(Case.id, Case.reference).where(col(Case.id).in_(case_ids))).all())
        cluster_cases = dict(session.exec(select(MonitorCluster.id, MonitorCluster.case_id)
                                          .where(col(MonitorCluster.id).in_(cluster_ids))).all())  # fmt: skip
        more = {c for c in cluster_cases.values() if c and c not in refs}
        if more:
            refs.update(session.exec(select(Case.id, Case.reference).where(col(Case.id).in_(more))).all())
    else:
        cluster_cases = {}
    out = []
    for i in items:
        assert i.id is not None
        case_id = i.case_id or cluster_cases.get(i.cluster_id)
        out.append(ItemRead(
            id=i.id, source=i.source_id, outlet=i.outlet, url=i.url, title=i.title, published_at=i.published_at,
            seen_at=i.seen_at, excerpt=i.excerpt, matched_terms=list(i.matched_terms), topic=i.topic,
            unit=codes.get(i.unit_id) if i.unit_id else None, cluster_id=i.cluster_id,
            case_reference=refs.get(case_id) if case_id else None,
        ))  # fmt: skip
    return out


def list_items(session: Session, *, actor: Actor, since: datetime | None = None, matched: bool | None = None,
               topic: Topic | None = None, q: str | None = None, cluster_id: int | None = None,
               source_id: int | None = None, cursor: int | None = None,
               limit: int = 50) -> tuple[list[ItemRead], str | None]:  # fmt: skip
    """Items newest first (by id: the order they were seen); ``next_cursor`` continues after the last one."""
    require(actor, Permission.MONITOR_VIEW)
    query = select(MonitorItem)
    if since is not None:
        query = query.where(col(MonitorItem.seen_at) >= since)
    if matched is not None:
        query = query.where(col(MonitorItem.matched).is_(matched))
    if topic is not None:
        query = query.where(MonitorItem.topic == topic)
    if cluster_id is not None:
        query = query.where(MonitorItem.cluster_id == cluster_id)
    if source_id is not None:
        query = query.where(MonitorItem.source_id == source_id)
    for term in search_terms(q or ""):
        query = query.where(col(MonitorItem.search_text).like(f"%{term}%", escape="\\"))
    if cursor is not None:
        query = query.where(col(MonitorItem.id) < cursor)
    rows = list(session.exec(query.order_by(col(MonitorItem.id).desc()).limit(limit + 1)).all())
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return _item_reads(session, rows[:limit]), next_cursor


def get_item(session: Session, *, actor: Actor, item_id: int) -> ItemRead:
    require(actor, Permission.MONITOR_VIEW)
    item = session.get(MonitorItem, item_id)
    if item is None:
        raise NotFound(_("Không tìm thấy tin {id}.", id=item_id))
    return _item_reads(session, [item])[0]


def _case_source_kind(url: str) -> CaseSourceKind:
    host = (urlsplit(url).hostname or "").lower()
    social = any(host == h or host.endswith("." + h) for h in SOCIAL_HOSTS)
    return CaseSourceKind.SOCIAL_MEDIA if social else CaseSourceKind.PRESS_ARTICLE


def open_case_from_item(session: Session, *, actor: Actor, item_id: int, now: datetime) -> Case:
    """The item becomes a ``new`` case (source kind ``press_article``, or ``social_media`` for a social network's
    address) with its outlet, URL, title and published time, through the cases service's intake; the item and its
    cluster are linked to the case, and the case's history records it. An item, or a story, already turned into a
    case answers 409 naming that case."""
    require(actor, Permission.MONITOR_VIEW)
    item = session.get(MonitorItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(_("Không tìm thấy tin {id}.", id=item_id))
    cluster = session.get(MonitorCluster, item.cluster_id, with_for_update=True) if item.cluster_id else None
    existing = item.case_id or (cluster.case_id if cluster else None)
    if existing is not None:
        reference = session.exec(select(Case.reference).where(Case.id == existing)).first()
        raise Conflict(_("Tin này đã thành vụ việc {reference}.", reference=reference or "?"))
    outlets = _cluster_outlets(session, item.cluster_id) if item.cluster_id else [item.outlet]
    summary = _("Tin báo chí theo dõi được: {outlet}, {url}.", outlet=item.outlet, url=item.url)
    if item.excerpt:
        summary = f"{summary}\n\n{item.excerpt}"  # type: ignore[assignment]
    data = CaseCreate(
        title=" ".join(item.title.split())[:300] or item.url[:300], source_kind=_case_source_kind(item.url),
        topic=item.topic or Topic.OTHER, summary=str(summary), outlet=item.outlet[:200],
        source_url=item.url if item.url.startswith(("http://", "https://")) else None,
        source_published_at=item.published_at, received_at=min(item.seen_at, now),
    )  # fmt: skip
    case = open_case(session, actor=actor, data=data, now=now)
    assert case.id is not None
    # Guarded writes: a second click at the same moment finds the link taken and fails with 409 as a whole.
    done = session.execute(
        update(MonitorItem).where(col(MonitorItem.id) == item_id, col(MonitorItem.case_id).is_(None))
        .values(case_id=case.id).execution_options(synchronize_session=False)
    )  # fmt: skip
    if not done.rowcount:  # type: ignore[attr-defined]
        raise Conflict(_("Tin này vừa được chuyển thành vụ việc."))
    if cluster is not None:
        done = session.execute(
            update(MonitorCluster).where(col(MonitorCluster.id) == cluster.id, col(MonitorCluster.case_id).is_(None))
            .values(case_id=case.id).execution_options(synchronize_session=False)
        )  # fmt: skip
        if not done.rowcount:  # type: ignore[attr-defined]
            raise Conflict(_("Tin này vừa được chuyển thành vụ việc."))
    session.expire(item)
    link = {"item_id": item_id, "cluster_id": item.cluster_id, "url": item.url, "outlets": outlets}
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.MONITOR_ITEM_LINKED,
                 note=item.title, data=link)  # fmt: skip
    return case


def _cluster_outlets(session: Session, cluster_id: int | None) -> list[str]:
    rows = session.exec(select(MonitorItem.outlet).where(MonitorItem.cluster_id == cluster_id)
                        .order_by(col(MonitorItem.id))).all()  # fmt: skip
    return list(dict.fromkeys(rows))


@dataclass(frozen=True)
class CaseCoverage:
    """The story a case was opened from: every item of its cluster, and how many outlets carried it after."""

    cluster_id: int
    items: list[ClusterItem]
    later_outlets: list[str]


def case_coverage(session: Session, *, actor: Actor, case: Case) -> CaseCoverage | None:
    """For the case page: the story the case was opened from (None when it was not, or the actor may not read
    the monitoring)."""
    if not can(actor, Permission.MONITOR_VIEW):
        return None
    cluster = session.exec(select(MonitorCluster).where(MonitorCluster.case_id == case.id)).first()
    if cluster is None or cluster.id is None:
        return None
    rows = session.exec(select(MonitorItem).where(MonitorItem.cluster_id == cluster.id)
                        .order_by(col(MonitorItem.seen_at), col(MonitorItem.id))).all()  # fmt: skip
    items = [ClusterItem(id=i.id or 0, outlet=i.outlet, url=i.url, title=i.title, published_at=i.published_at)
             for i in rows]  # fmt: skip
    before = {i.outlet for i in rows if i.seen_at <= case.created_at}
    later = [o for o in dict.fromkeys(i.outlet for i in rows if i.seen_at > case.created_at) if o not in before]
    return CaseCoverage(cluster.id, items, later)
