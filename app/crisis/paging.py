"""Pages: who is paged when a crisis is declared, the escalation the worker runs, the acknowledgement.

Exactly once, however many workers run: a page is a row unique by (crisis, ladder, step), inserted with
``ON CONFLICT DO NOTHING`` in the same transaction as its case event and its e-mail (a notification row whose
``dedupe_key`` is unique too). The worker takes the pages whose acknowledgement is overdue with ``FOR UPDATE SKIP
LOCKED`` (PostgreSQL; SQLite has one writer at a time) and marks each escalated in the transaction that pages the
next step, so a worker that dies mid-way leaves either nothing done or everything done; the e-mails then go
through the outbox's leases (``app/notifications``). The ladders themselves are ``rules.ladder``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, Role, can
from app.cases.events import record_event
from app.cases.models import Case
from app.cases.scope import get_case, scope_of, visibility_clause
from app.cases.vocabulary import CaseEventKind
from app.clocks.schedule import Stage
from app.crisis import rules
from app.crisis.models import Crisis, CrisisPage, DutyShift, PageRead, UserBrief
from app.crisis.rules import LEVEL_LABELS, DutyRole, Ladder
from app.errors import NotFound, PermissionDenied
from app.i18n import _, text
from app.notifications.models import EmailStatus, Notification, NotificationKind
from app.org.models import RoleAssignment, User
from app.settings import Settings
from app.timeutil import to_local
from app.webhooks.service import emit_page_sent


@dataclass(frozen=True)
class Paging:
    """What sending a page needs from the settings."""

    ack_window: timedelta
    base_url: str
    secret: str
    email: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> Paging:
        return cls(timedelta(minutes=settings.page_ack_minutes), settings.public_base_url.rstrip("/"),
                   settings.secret_key.get_secret_value(), bool(settings.smtp_host))  # fmt: skip


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def users_by_id(session: Session, ids: set[int | None]) -> dict[int, User]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted))).all() if u.id is not None}


def brief(user: User | None) -> UserBrief | None:
    return UserBrief(username=user.username, full_name=user.full_name) if user else None


def shifts_at(session: Session, at: datetime) -> list[rules.Shift]:
    rows = session.exec(select(DutyShift).where(DutyShift.starts_at <= at, DutyShift.ends_at > at)).all()
    return [rules.Shift(r.role, r.user_id, r.starts_at, r.ends_at, r.position) for r in rows]


def _directors(session: Session) -> list[int]:
    rows = session.exec(
        select(User.id)
        .join(RoleAssignment, col(RoleAssignment.user_id) == User.id)
        .where(RoleAssignment.role == Role.DIRECTOR, col(User.active).is_(True))
        .order_by(col(User.id))
    ).all()
    return list(dict.fromkeys(i for i in rows if i is not None))


def ack_link(paging: Paging, page_id: int, user_id: int) -> str:
    return f"{paging.base_url}/staff/pages/{page_id}/ack?sig={rules.ack_signature(paging.secret, page_id, user_id)}"


def _page_message(case: Case, crisis: Crisis, page_id: int, user: User, paging: Paging,
                  escalated_from: str | None) -> tuple[str, str, str]:  # fmt: skip
    locale = user.locale
    room = f"{paging.base_url}/staff/cases/{case.reference}/war-room"
    title = text(_("Báo động khủng hoảng cấp {level}: {reference} — {title}", level=crisis.level,
                   reference=case.reference, title=case.title), locale)  # fmt: skip
    minutes = int(paging.ack_window.total_seconds() // 60) or 1
    lines = [
        text(_("Vụ việc {reference} được công bố khủng hoảng: {level}.", reference=case.reference,
               level=LEVEL_LABELS[crisis.level]), locale),
        text(_("Lý do: {reason}", reason=crisis.reason), locale),
    ]  # fmt: skip
    if escalated_from:
        lines.append(text(_("Chuyển đến bạn vì {name} chưa xác nhận.", name=escalated_from), locale))
    lines += [
        "",
        text(_("Xác nhận đã nhận (một lần bấm): {link}", link=ack_link(paging, page_id, user.id or 0)), locale),
        text(_("Nếu không xác nhận trong {n} phút, người tiếp theo trong lịch trực sẽ được báo.", n=minutes), locale),
        text(_("Phòng tác chiến: {link}", link=room), locale),
    ]  # fmt: skip
    return title[:300], "\n".join(lines), room


def _send_page(session: Session, crisis: Crisis, case: Case, *, ladder: Ladder, step: int, user_id: int,
               duty_role: str | None, gap: bool, now: datetime, paging: Paging,
               escalated_from: str | None = None) -> int | None:  # fmt: skip
    """Page one person: the page row (once per crisis, ladder and step), its history line and its e-mail and
    in-app notification. Returns the page's id, or None when that step was already paged (another worker)."""
    insert = _insert(session)
    values = {"crisis_id": crisis.id, "case_id": case.id, "ladder": ladder.value, "step": step, "user_id": user_id,
              "duty_role": duty_role, "gap": gap, "sent_at": now, "ack_due_at": now + paging.ack_window}  # fmt: skip
    table = CrisisPage.__table__  # type: ignore[attr-defined]
    stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=["crisis_id", "ladder", "step"])
    page_id = session.execute(stmt.returning(table.c.id)).scalar()
    if page_id is None:
        return None
    user = session.get(User, user_id)
    assert user is not None
    record_event(session, case=case, actor_id=None, now=now, kind=CaseEventKind.PAGE, action="sent",
                 data={"page_id": page_id, "crisis_id": crisis.id, "ladder": ladder.value, "step": step,
                       "username": user.username, "full_name": user.full_name, "duty_role": duty_role,
                       "gap": gap})  # fmt: skip
    title, body, link = _page_message(case, crisis, page_id, user, paging, escalated_from)
    email = user.email if paging.email and user.email else None
    session.execute(
        _insert(session)(Notification.__table__)  # type: ignore[attr-defined]
        .values(user_id=user_id, case_id=case.id, clock_id=None, kind=NotificationKind.PAGE.value,
                stage=Stage.PAGE.value, dedupe_key=f"page:{page_id}:user:{user_id}", title=title, body=body,
                link=link, created_at=now,
                email_to=email, email_status=(EmailStatus.PENDING if email else EmailStatus.NONE).value,
                email_attempts=0, email_next_attempt_at=now if email else None)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )  # fmt: skip
    # The outbound channels (webhooks: SMS or Zalo OA relays) carry the page too, in the same transaction.
    emit_page_sent(session, page_id=int(page_id), case_reference=case.reference, user=user.username, message=title,
                   now=now)  # fmt: skip
    return int(page_id)


def _paged_on(session: Session, crisis: Crisis, ladder: Ladder) -> list[tuple[int, int]]:
    """(step, user id) of the pages of a ladder so far."""
    rows = session.exec(
        select(CrisisPage.step, CrisisPage.user_id)
        .where(CrisisPage.crisis_id == crisis.id, CrisisPage.ladder == ladder)
        .order_by(col(CrisisPage.step))
    ).all()
    return [(int(s), int(u)) for s, u in rows]


def _page_director(session: Session, crisis: Crisis, case: Case, *, now: datetime, paging: Paging, gap: bool,
                   escalated_from: str | None = None) -> int | None:  # fmt: skip
    done = _paged_on(session, crisis, Ladder.DIRECTOR)
    nxt = rules.next_person(_directors(session), [u for _s, u in done])
    if nxt is None:
        return None
    step = done[-1][0] + 1 if done else 0
    return _send_page(session, crisis, case, ladder=Ladder.DIRECTOR, step=step, user_id=nxt, duty_role=None,
                      gap=gap, now=now, paging=paging, escalated_from=escalated_from)  # fmt: skip


def _duty_of(shifts: Sequence[rules.Shift], role: DutyRole, user_id: int, at: datetime) -> str:
    if user_id in rules.on_duty(shifts, role, at):
        return role.value
    return DutyRole.DEPUTY_DIRECTOR.value


def start_ladders(session: Session, crisis: Crisis, case: Case, *, now: datetime, paging: Paging) -> None:
    """Page the first person of each ladder (the spokesperson and the press officer on duty); a role with
    nobody on duty at all goes straight to the director."""
    shifts = shifts_at(session, now)
    directors = _directors(session)
    for ladder, role in rules.START_LADDERS.items():
        people = rules.ladder(shifts, role, now, directors)
        gap = not any(s.role == role and s.position == 1 and s.covers(now) for s in shifts)
        if people:
            _send_page(session, crisis, case, ladder=ladder, step=0, user_id=people[0],
                       duty_role=_duty_of(shifts, role, people[0], now), gap=gap, now=now, paging=paging)  # fmt: skip
        else:
            _page_director(session, crisis, case, now=now, paging=paging, gap=True)


def escalate_pages(session: Session, *, now: datetime, paging: Paging, limit: int) -> int:
    """The worker's step: every page unanswered past its window goes to the next person of its ladder (or the
    director); returns how many pages were handled. Rows are locked (SKIP LOCKED) so workers share the work."""
    pages = session.exec(
        select(CrisisPage)
        .join(Crisis, col(Crisis.id) == CrisisPage.crisis_id)
        .where(
            col(CrisisPage.acked_at).is_(None),
            col(CrisisPage.escalated_at).is_(None),
            col(CrisisPage.closed_at).is_(None),
            col(CrisisPage.ack_due_at) <= now,
            col(Crisis.stood_down_at).is_(None),
        )
        .order_by(col(CrisisPage.ack_due_at), col(CrisisPage.id))
        .limit(limit)
        .with_for_update(skip_locked=True, of=CrisisPage)
    ).all()
    if not pages:
        return 0
    shifts = shifts_at(session, now)
    directors = _directors(session)
    for page in pages:
        crisis = session.get(Crisis, page.crisis_id)
        case = session.get(Case, page.case_id)
        user = session.get(User, page.user_id)
        assert crisis is not None and case is not None and user is not None
        page.escalated_at = now
        session.add(page)
        session.flush()
        answered = session.exec(
            select(CrisisPage.id).where(CrisisPage.crisis_id == crisis.id, CrisisPage.ladder == page.ladder,
                                        col(CrisisPage.acked_at).is_not(None))
        ).first()  # fmt: skip
        if answered is not None:  # someone on this ladder answered: it stops here
            continue
        record_event(session, case=case, actor_id=None, now=now, kind=CaseEventKind.PAGE, action="unanswered",
                     data={"page_id": page.id, "crisis_id": crisis.id, "ladder": page.ladder.value, "step": page.step,
                           "username": user.username, "full_name": user.full_name})  # fmt: skip
        if page.ladder == Ladder.DIRECTOR:
            _page_director(session, crisis, case, now=now, paging=paging, gap=False, escalated_from=user.full_name)
            continue
        role = rules.START_LADDERS[page.ladder]
        people = rules.ladder(shifts, role, now, directors)
        nxt = rules.next_person(people, [u for _s, u in _paged_on(session, crisis, page.ladder)])
        if nxt is None:
            _page_director(session, crisis, case, now=now, paging=paging, gap=False, escalated_from=user.full_name)
        else:
            _send_page(session, crisis, case, ladder=page.ladder, step=page.step + 1, user_id=nxt,
                       duty_role=_duty_of(shifts, role, nxt, now), gap=False, now=now, paging=paging,
                       escalated_from=user.full_name)  # fmt: skip
    session.flush()
    return len(pages)


def _page_state(p: CrisisPage) -> str:
    if p.acked_at is not None:
        return "acknowledged"
    if p.closed_at is not None:
        return "closed"
    if p.escalated_at is not None:
        return "escalated"
    return "waiting"


def page_reads(session: Session, rows: Sequence[CrisisPage]) -> list[PageRead]:
    users = users_by_id(session, {p.user_id for p in rows})
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_({p.case_id for p in rows}))).all()}
    crises = {c.id: c for c in session.exec(select(Crisis).where(col(Crisis.id).in_({p.crisis_id for p in rows})))}
    out = []
    for p in rows:
        assert p.id is not None
        case, user, crisis = cases[p.case_id], users[p.user_id], crises[p.crisis_id]
        out.append(PageRead(
            id=p.id, case_reference=case.reference, case_title=case.title, crisis_id=p.crisis_id,
            crisis_level=crisis.level, ladder=p.ladder, step=p.step, user=user.username, full_name=user.full_name,
            duty_role=p.duty_role, gap=p.gap, sent_at=to_local(p.sent_at), ack_due_at=to_local(p.ack_due_at),
            acked_at=to_local(p.acked_at) if p.acked_at else None, acked_via=p.acked_via,
            escalated_at=to_local(p.escalated_at) if p.escalated_at else None,
            closed_at=to_local(p.closed_at) if p.closed_at else None, state=_page_state(p),
        ))  # fmt: skip
    return out


def list_pages(session: Session, *, actor: Actor, reference: str | None = None, mine: bool = False,
               waiting: bool = False, limit: int = 100) -> list[PageRead]:  # fmt: skip
    """Pages, newest first: of one case (``reference``), the caller's own (``mine``), or of every case the
    caller may see; ``waiting``: only those still waiting for an acknowledgement."""
    query = select(CrisisPage).join(Case, col(Case.id) == CrisisPage.case_id)
    if reference is not None:
        case = get_case(session, actor=actor, reference=reference)
        query = query.where(CrisisPage.case_id == case.id)
    if mine:
        query = query.where(CrisisPage.user_id == actor.user_id)
    else:
        visible = visibility_clause(actor)
        if visible is not None:
            query = query.where(visible | (col(CrisisPage.user_id) == actor.user_id))
    if waiting:
        query = query.where(col(CrisisPage.acked_at).is_(None), col(CrisisPage.escalated_at).is_(None),
                            col(CrisisPage.closed_at).is_(None))  # fmt: skip
    rows = session.exec(query.order_by(col(CrisisPage.sent_at).desc(), col(CrisisPage.id).desc()).limit(limit)).all()
    return page_reads(session, rows)


def _ack(session: Session, page: CrisisPage, *, user_id: int, now: datetime, via: str) -> PageRead:
    done = session.execute(
        update(CrisisPage)
        .where(col(CrisisPage.id) == page.id, col(CrisisPage.acked_at).is_(None))
        .values(acked_at=now, acked_via=via)
        .execution_options(synchronize_session=False)
    )
    session.refresh(page)
    if done.rowcount:  # type: ignore[attr-defined]
        case = session.get(Case, page.case_id)
        assert case is not None
        record_event(session, case=case, actor_id=user_id, now=now, kind=CaseEventKind.PAGE, action="acked",
                     data={"page_id": page.id, "crisis_id": page.crisis_id, "ladder": page.ladder.value,
                           "step": page.step, "via": via,
                           "seconds": int((now - page.sent_at).total_seconds())})  # fmt: skip
    return page_reads(session, [page])[0]


def ack_page(session: Session, *, actor: Actor, page_id: int, now: datetime, via: str = "api") -> PageRead:
    """The paged person acknowledges (a second acknowledgement changes nothing). Anyone else: 403, or 404 when
    they may not see the case."""
    page = session.get(CrisisPage, page_id)
    if page is None:
        raise NotFound(_("Không tìm thấy báo động số {id}.", id=page_id))
    if page.user_id != actor.user_id:
        case = session.get(Case, page.case_id)
        assert case is not None
        if not can(actor, Permission.CASE_VIEW, scope_of(session, case)):
            raise NotFound(_("Không tìm thấy báo động số {id}.", id=page_id))
        raise PermissionDenied(_("Chỉ người nhận báo động mới xác nhận được báo động này."))
    return _ack(session, page, user_id=actor.user_id, now=now, via=via)


def page_for_link(session: Session, *, page_id: int, signature: str, secret: str) -> PageRead:
    """The page a signed link points to (404 for a wrong signature: nothing is said about the page)."""
    page = session.get(CrisisPage, page_id)
    if page is None or not rules.ack_signature_valid(secret, page_id, page.user_id, signature):
        raise NotFound(_("Liên kết xác nhận không hợp lệ."))
    return page_reads(session, [page])[0]


def ack_by_link(session: Session, *, page_id: int, signature: str, secret: str, now: datetime) -> PageRead:
    """The one-click acknowledgement from the e-mail: the signature stands for the paged person."""
    page = session.get(CrisisPage, page_id)
    if page is None or not rules.ack_signature_valid(secret, page_id, page.user_id, signature):
        raise NotFound(_("Liên kết xác nhận không hợp lệ."))
    return _ack(session, page, user_id=page.user_id, now=now, via="link")


def worker_step(settings: Settings) -> Callable[..., int]:
    """``escalate_pages`` with the settings' paging, as ``crisisdesk worker`` runs it on every pass."""
    return partial(escalate_pages, paging=Paging.from_settings(settings))
