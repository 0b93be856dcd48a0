"""The morning digest (điểm tin báo chí), the emerging issues (the forecast) and the digest's e-mail: who
subscribes, one delivery per subscriber and day (unique), claimed with a guarded UPDATE so that two monitor
processes never send it twice. Methods: docs/monitoring.md."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.auth.service import load_actor
from app.cases.models import Case
from app.cases.scope import visible, visible_cases
from app.cases.vocabulary import Topic
from app.clocks.models import Clock, ClockState
from app.errors import ValidationFailed
from app.i18n import _
from app.monitor import rules
from app.monitor.models import (
    ClusterItem,
    DeliveryStatus,
    DigestCase,
    DigestCluster,
    DigestDelivery,
    DigestNotice,
    DigestRead,
    DigestSubscription,
    EmergingRead,
    MonitorCluster,
    MonitorItem,
)
from app.monitor.service import insert_for
from app.notices.models import Notice
from app.org.models import User
from app.timeutil import end_of_local_day, local_midnight

# --- emerging issues ----------------------------------------------------------------------------------------


def emerging(session: Session, *, actor: Actor | None, until: datetime, flagged_only: bool = False,
             terms: bool = True) -> list[EmergingRead]:  # fmt: skip
    """Per topic (and per watch term): mentions in the 24 hours and in the 7 days before ``until`` against their
    own baseline (``rules.emerging_score``), with the daily series of the last 14 days for the chart."""
    if actor is not None:
        require(actor, Permission.MONITOR_VIEW)
    days = 28
    rows = session.exec(
        select(MonitorItem.seen_at, MonitorItem.topic, MonitorItem.matched_terms)
        .where(col(MonitorItem.matched).is_(True), col(MonitorItem.seen_at) >= until - timedelta(days=days),
               col(MonitorItem.seen_at) <= until)
    ).all()  # fmt: skip
    by_topic: dict[Topic | str | None, list[int]] = defaultdict(lambda: [0] * days)
    by_term: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for seen_at, topic, matched_terms in rows:
        offset = int((until - seen_at) / timedelta(days=1))
        if 0 <= offset < days:
            by_topic[topic][offset] += 1
            if terms:
                for term in matched_terms:
                    by_term[term][offset] += 1
    out: list[EmergingRead] = []

    def judge(series: list[int], topic: Topic | None, term: str | None) -> None:
        day = rules.emerging_score(series[0], series[1 : 1 + rules.BASELINE_DAYS])
        week = rules.emerging_score(sum(series[:7]), series[7:], window_days=7)
        chart = list(reversed(series[:14]))
        for window, value in (("24h", day), ("7d", week)):
            if value.count and (value.flagged or not flagged_only):
                out.append(EmergingRead(topic=topic, term=term, count=value.count, baseline=value.baseline,
                                        score=value.score, window=window, series=chart))  # fmt: skip

    for topic, series in by_topic.items():
        if topic is not None:
            judge(series, Topic(topic), None)
    for term, series in by_term.items():
        judge(series, None, term)
    out.sort(key=lambda e: (-e.score, -e.count, e.window))
    if flagged_only:
        # Keep the flagged ones only (the digest's forecast).
        return [e for e in out if e.count >= rules.EMERGING_MIN_COUNT and e.score >= rules.EMERGING_SCORE]
    return out


# --- the digest ---------------------------------------------------------------------------------------------


def digest(session: Session, *, actor: Actor, day: date, digest_time: time) -> DigestRead:
    """The morning digest of ``day``: the 24 hours before its digest time (07:00)."""
    require(actor, Permission.MONITOR_VIEW)
    since, until = rules.digest_window(day, digest_time)
    cluster_ids = session.exec(
        select(MonitorItem.cluster_id)
        .where(col(MonitorItem.seen_at) >= since, col(MonitorItem.seen_at) < until, col(MonitorItem.matched).is_(True),
               col(MonitorItem.cluster_id).is_not(None))
        .distinct()
    ).all()  # fmt: skip
    clusters: list[DigestCluster] = []
    if cluster_ids:
        items_by_cluster: dict[int, list[MonitorItem]] = defaultdict(list)
        for item in session.exec(select(MonitorItem).where(col(MonitorItem.cluster_id).in_(cluster_ids),
                                                            col(MonitorItem.seen_at) < until)
                                 .order_by(col(MonitorItem.seen_at), col(MonitorItem.id))).all():  # fmt: skip
            assert item.cluster_id is not None
            items_by_cluster[item.cluster_id].append(item)
        rows = session.exec(select(MonitorCluster).where(col(MonitorCluster.id).in_(cluster_ids))).all()
        case_refs = dict(
            session.exec(
                select(Case.id, Case.reference).where(col(Case.id).in_({c.case_id for c in rows if c.case_id}))
            ).all()
        )
        for cluster in rows:
            assert cluster.id is not None
            members = items_by_cluster[cluster.id]
            clusters.append(DigestCluster(
                cluster_id=cluster.id, title=cluster.title, topic=cluster.topic,
                outlets=list(dict.fromkeys(i.outlet for i in members)), count=len(members),
                items=[ClusterItem(id=i.id or 0, outlet=i.outlet, url=i.url, title=i.title,
                                   published_at=i.published_at) for i in members],
                case_reference=case_refs.get(cluster.case_id) if cluster.case_id else None,
            ))  # fmt: skip
    order = {t: i for i, t in enumerate(Topic)}
    clusters.sort(key=lambda c: (order.get(c.topic, len(order)) if c.topic else len(order), -c.count, c.cluster_id))
    opened = session.exec(
        visible_cases(actor).where(col(Case.created_at) >= since, col(Case.created_at) < until)
        .order_by(col(Case.created_at))
    ).all()  # fmt: skip
    notices = session.exec(
        select(Notice).where(col(Notice.published_at) >= since, col(Notice.published_at) < until)
        .order_by(col(Notice.published_at))
    ).all()  # fmt: skip
    due = session.exec(
        select(Clock, Case).join(Case, col(Case.id) == Clock.case_id)
        .where(col(Clock.state) == ClockState.RUNNING, col(Clock.due_at) >= local_midnight(day),
               col(Clock.due_at) < end_of_local_day(day), visible(actor))
        .order_by(col(Clock.due_at))
    ).all()  # fmt: skip
    return DigestRead(
        date=day, since=since, until=until, clusters=clusters,
        cases_opened=[DigestCase(reference=c.reference, title=c.title, status=c.status.value, at=c.created_at)
                      for c in opened],
        notices_published=[DigestNotice(number=n.number, title=n.title, published_at=n.published_at) for n in notices],
        due_today=[DigestCase(reference=case.reference, title=f"{clock.name} — {case.title}", status=case.status.value,
                              at=clock.due_at) for clock, case in due],
        emerging=emerging(session, actor=None, until=until, flagged_only=True),
    )  # fmt: skip


# --- subscriptions and the e-mail ---------------------------------------------------------------------------


def is_subscribed(session: Session, *, actor: Actor) -> bool:
    return session.get(DigestSubscription, actor.user_id) is not None


def set_subscription(session: Session, *, actor: Actor, subscribed: bool, now: datetime) -> bool:
    require(actor, Permission.MONITOR_VIEW)
    row = session.get(DigestSubscription, actor.user_id)
    if subscribed and row is None:
        user = session.get(User, actor.user_id)
        if user is None or not user.email:
            raise ValidationFailed(_("Tài khoản chưa có địa chỉ e-mail để nhận điểm tin."), field="subscribed")
        session.add(DigestSubscription(user_id=actor.user_id, created_at=now))
    elif not subscribed and row is not None:
        session.delete(row)
    session.flush()
    return subscribed


def enqueue_digests(session: Session, *, day: date, now: datetime) -> int:
    """One delivery per subscriber for ``day`` (unique: a second process or a second pass adds none)."""
    insert = insert_for(session)
    table = DigestDelivery.__table__  # type: ignore[attr-defined]
    added = 0
    for user in session.exec(
        select(User).join(DigestSubscription, col(DigestSubscription.user_id) == User.id)
        .where(col(User.active).is_(True), col(User.email).is_not(None))
    ).all():  # fmt: skip
        result = session.execute(insert(table).values(
            user_id=user.id, day=day, email_to=user.email, status=DeliveryStatus.PENDING.value, attempts=0,
            next_attempt_at=now, created_at=now).on_conflict_do_nothing())  # fmt: skip
        added += int(result.rowcount or 0)  # type: ignore[attr-defined]
    session.flush()
    return added


def claim_deliveries(session: Session, *, now: datetime, lease: timedelta, limit: int = 50) -> list[int]:
    """Take pending deliveries one by one with a guarded UPDATE (only one process wins each)."""
    ready = or_(
        and_(col(DigestDelivery.status) == DeliveryStatus.PENDING, col(DigestDelivery.next_attempt_at) <= now),
        and_(col(DigestDelivery.status) == DeliveryStatus.SENDING, col(DigestDelivery.claimed_until) < now),
    )
    claimed = []
    for delivery_id in session.exec(select(DigestDelivery.id).where(ready).limit(limit)).all():
        result = session.execute(
            update(DigestDelivery).where(col(DigestDelivery.id) == delivery_id, ready)
            .values(status=DeliveryStatus.SENDING, claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        if result.rowcount:  # type: ignore[attr-defined]
            assert delivery_id is not None
            claimed.append(delivery_id)
    return claimed


def delivery(session: Session, *, delivery_id: int) -> tuple[DigestDelivery, Actor]:
    row = session.get(DigestDelivery, delivery_id)
    assert row is not None
    user = session.get(User, row.user_id)
    assert user is not None
    return row, load_actor(session, user)


def settle_delivery(session: Session, *, delivery_id: int, now: datetime, error: str | None,
                    max_attempts: int) -> None:  # fmt: skip
    row = session.get(DigestDelivery, delivery_id)
    if row is None:
        return
    row.claimed_until = None
    if error is None:
        row.status, row.sent_at, row.error = DeliveryStatus.SENT, now, None
    else:
        row.attempts += 1
        row.error = error[:500]
        if row.attempts >= max_attempts:
            row.status = DeliveryStatus.FAILED
        else:
            row.status = DeliveryStatus.PENDING
            row.next_attempt_at = now + min(timedelta(minutes=2 ** (row.attempts - 1)), timedelta(hours=2))
    session.add(row)
    session.flush()
