"""Crisis mode's use cases: declare, change and stand down a crisis; the duty roster; pages and their
acknowledgement; the escalation the worker runs; the war room's and the after-action review's read models.

Every action on a case is a line of its history (``record_event``): ``crisis`` (declared, level_changed,
stood_down, lessons) and ``page`` (sent, unanswered, acked). The clock engine listens to the ``crisis`` lines and
runs the crisis clocks of the level (internal targets whose start event is ``crisis_declared``).

Exactly once, however many workers run: a page is a row unique by (crisis, ladder, step), inserted with
``ON CONFLICT DO NOTHING`` in the same transaction as its case event and its e-mail (a notification row whose
``dedupe_key`` is unique too). The worker takes the pages whose acknowledgement is overdue with ``FOR UPDATE SKIP
LOCKED`` (PostgreSQL; SQLite has one writer at a time) and marks each escalated in the transaction that pages the
next step, so a worker that dies mid-way leaves either nothing done or everything done; the e-mails then go
through the outbox's leases (``app/notifications``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.auth.permissions import Actor, Permission, Role, can, require
from app.cases.models import Case, CaseRead, EventRead
from app.cases.service import case_read, get_case, list_events, record_event, scope_of, visibility_clause
from app.cases.vocabulary import Severity
from app.cases.workflow import CaseStatus
from app.clocks.models import ClockRead, ClockState
from app.clocks.schedule import Stage
from app.clocks.service import list_clocks
from app.crisis import rules
from app.crisis.models import (
    AfterActionRead,
    Crisis,
    CrisisIn,
    CrisisPage,
    CrisisRead,
    DutyShift,
    GapRead,
    Milestone,
    PageRead,
    RosterIn,
    RosterRead,
    ShiftRead,
    UserBrief,
    YearCrisis,
)
from app.crisis.rules import DUTY_ROLE_LABELS, LEVEL_LABELS, DutyRole, Ladder
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.i18n import Message, _, text
from app.notices.models import Notice
from app.notifications.models import EmailStatus, Notification
from app.org.models import RoleAssignment, User
from app.settings import Settings
from app.statements.models import Statement, StatementCreate, StatementSummary
from app.statements.rules import StatementKind, StatementStatus
from app.timeutil import local_midnight, to_local

# The roles a person must hold to be on duty in a duty role.
DUTY_ELIGIBLE: dict[DutyRole, frozenset[Role]] = {
    DutyRole.SPOKESPERSON: frozenset({Role.SPOKESPERSON, Role.DIRECTOR}),
    DutyRole.PRESS_OFFICER: frozenset({Role.PRESS_OFFICER}),
    DutyRole.DEPUTY_DIRECTOR: frozenset({Role.SPOKESPERSON, Role.DIRECTOR}),
}


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


def _users(session: Session, ids: set[int | None]) -> dict[int, User]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted))).all() if u.id is not None}


def _brief(user: User | None) -> UserBrief | None:
    return UserBrief(username=user.username, full_name=user.full_name) if user else None


# --- crises -------------------------------------------------------------------------------------------------


def active_crisis(session: Session, case: Case) -> Crisis | None:
    return session.exec(select(Crisis).where(Crisis.case_id == case.id, col(Crisis.stood_down_at).is_(None))).first()


def latest_crisis(session: Session, case: Case) -> Crisis | None:
    return session.exec(
        select(Crisis).where(Crisis.case_id == case.id).order_by(col(Crisis.declared_at).desc(), col(Crisis.id).desc())
    ).first()


def crisis_read(session: Session, crisis: Crisis, case: Case, locale: str) -> CrisisRead:
    assert crisis.id is not None
    users = _users(session, {crisis.declared_by, crisis.stood_down_by})
    return CrisisRead(
        id=crisis.id, case_reference=case.reference, level=crisis.level,
        level_label=text(LEVEL_LABELS[crisis.level], locale), reason=crisis.reason,
        active=crisis.stood_down_at is None, declared_at=to_local(crisis.declared_at),
        declared_by=_brief(users.get(crisis.declared_by or 0)),
        level_changed_at=to_local(crisis.level_changed_at) if crisis.level_changed_at else None,
        stood_down_at=to_local(crisis.stood_down_at) if crisis.stood_down_at else None,
        stood_down_by=_brief(users.get(crisis.stood_down_by or 0)), stand_down_reason=crisis.stand_down_reason,
        previous_severity=crisis.previous_severity,
    )  # fmt: skip


def _set_severity(session: Session, case: Case, severity: Severity, *, actor: Actor, now: datetime) -> None:
    """The case's severity follows its crisis, through the same history line as an edit (the clock engine
    starts or stops the targets of the severity)."""
    if case.severity == severity:
        return
    old = case.severity
    case.severity = severity
    case.updated_at = now
    session.add(case)
    session.flush()
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="updated",
                 data={"changes": {"severity": [old.value, severity.value]}})  # fmt: skip


def declare_crisis(session: Session, *, actor: Actor, reference: str, data: CrisisIn, now: datetime,
                   paging: Paging, locale: str) -> tuple[CrisisRead, bool]:  # fmt: skip
    """Declare a crisis on the case (severity ``crisis``, the crisis clocks start, the people on duty are paged),
    or change the level of the one in progress. Returns the crisis and whether it is new."""
    case = get_case(session, actor=actor, reference=reference)
    require(actor, Permission.CRISIS_DECLARE, scope_of(session, case))
    # One declaration at a time per case (PostgreSQL row lock; SQLite writers are serialised already).
    session.exec(select(Case.id).where(col(Case.id) == case.id).with_for_update())
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("Vụ việc {reference} đã đóng: mở lại vụ việc trước khi công bố khủng hoảng.",
                         reference=case.reference))  # fmt: skip
    crisis = active_crisis(session, case)
    if crisis is not None:
        if crisis.level == data.level:
            raise Conflict(_("Vụ việc {reference} đang ở tình trạng khủng hoảng cấp {level}.",
                             reference=case.reference, level=data.level))  # fmt: skip
        old = crisis.level
        crisis.level = data.level
        crisis.level_changed_at = now
        session.add(crisis)
        session.flush()
        record_event(session, case=case, actor_id=actor.user_id, now=now, kind="crisis", action="level_changed",
                     note=data.reason, data={"crisis_id": crisis.id, "level": data.level, "old_level": old,
                                             "declared_at": crisis.declared_at.isoformat()})  # fmt: skip
        return crisis_read(session, crisis, case, locale), False
    assert case.id is not None
    crisis = Crisis(case_id=case.id, level=data.level, reason=data.reason, previous_severity=case.severity,
                    declared_at=now, declared_by=actor.user_id)  # fmt: skip
    try:
        with session.begin_nested():
            session.add(crisis)
            session.flush()
    except IntegrityError:
        raise Conflict(_("Vụ việc {reference} vừa được công bố khủng hoảng.", reference=case.reference)) from None
    _set_severity(session, case, Severity.CRISIS, actor=actor, now=now)
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="crisis", action="declared",
                 note=data.reason, data={"crisis_id": crisis.id, "level": data.level,
                                         "declared_at": now.isoformat()})  # fmt: skip
    _start_ladders(session, crisis, case, now=now, paging=paging)
    return crisis_read(session, crisis, case, locale), True


def stand_down(session: Session, *, actor: Actor, reference: str, reason: str, now: datetime,
               locale: str) -> CrisisRead:  # fmt: skip
    """End the crisis: its clocks stop (missed when already late), unanswered pages are closed, the case goes
    back to the severity it had (``hot`` if it was already a crisis)."""
    case = get_case(session, actor=actor, reference=reference)
    require(actor, Permission.CRISIS_DECLARE, scope_of(session, case))
    session.exec(select(Case.id).where(col(Case.id) == case.id).with_for_update())
    crisis = active_crisis(session, case)
    if crisis is None:
        last = latest_crisis(session, case)
        if last is not None:
            raise Conflict(_("Tình trạng khủng hoảng của vụ việc {reference} đã kết thúc lúc {at}.",
                             reference=case.reference, at=to_local(last.stood_down_at or now).strftime(
                                 "%H:%M %d/%m/%Y")))  # fmt: skip
        raise Conflict(_("Vụ việc {reference} không ở tình trạng khủng hoảng.", reference=case.reference))
    done = session.execute(
        update(Crisis)
        .where(col(Crisis.id) == crisis.id, col(Crisis.stood_down_at).is_(None))
        .values(stood_down_at=now, stood_down_by=actor.user_id, stand_down_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise Conflict(_("Tình trạng khủng hoảng của vụ việc {reference} vừa được kết thúc.",
                         reference=case.reference))  # fmt: skip
    session.refresh(crisis)
    session.execute(
        update(CrisisPage)
        .where(col(CrisisPage.crisis_id) == crisis.id, col(CrisisPage.acked_at).is_(None),
               col(CrisisPage.closed_at).is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="crisis", action="stood_down",
                 note=reason, data={"crisis_id": crisis.id, "level": crisis.level})  # fmt: skip
    back = crisis.previous_severity if crisis.previous_severity != Severity.CRISIS else Severity.HOT
    _set_severity(session, case, back, actor=actor, now=now)
    return crisis_read(session, crisis, case, locale)


def get_crisis(session: Session, *, actor: Actor, reference: str, locale: str) -> CrisisRead:
    case = get_case(session, actor=actor, reference=reference)
    crisis = latest_crisis(session, case)
    if crisis is None:
        raise NotFound(_("Vụ việc {reference} chưa từng ở tình trạng khủng hoảng.", reference=case.reference))
    return crisis_read(session, crisis, case, locale)


# --- the roster -----------------------------------------------------------------------------------------------


def _shifts(session: Session, at: datetime) -> list[rules.Shift]:
    rows = session.exec(select(DutyShift).where(DutyShift.starts_at <= at, DutyShift.ends_at > at)).all()
    return [rules.Shift(r.role, r.user_id, r.starts_at, r.ends_at, r.position) for r in rows]


def _roster_read(session: Session, rows: Sequence[DutyShift], now: datetime, locale: str) -> RosterRead:
    users = _users(session, {r.user_id for r in rows})
    shifts = [rules.Shift(r.role, r.user_id, r.starts_at, r.ends_at, r.position) for r in rows]
    items = []
    for r in rows:
        assert r.id is not None
        user = users[r.user_id]
        items.append(ShiftRead(id=r.id, role=r.role, role_label=text(DUTY_ROLE_LABELS[r.role], locale),
                               user=user.username, full_name=user.full_name, starts_at=to_local(r.starts_at),
                               ends_at=to_local(r.ends_at), position=r.position,
                               on_duty_now=r.starts_at <= now < r.ends_at))  # fmt: skip
    gaps = [GapRead(role=g.role, role_label=text(DUTY_ROLE_LABELS[g.role], locale), starts_at=to_local(g.starts_at),
                    ends_at=to_local(g.ends_at)) for g in rules.roster_gaps(shifts)]  # fmt: skip
    on_duty: dict[str, list[UserBrief]] = {}
    for role in DutyRole:
        on_duty[role.value] = [b for uid in rules.on_duty(shifts, role, now) if (b := _brief(users.get(uid)))]
    return RosterRead(items=items, gaps=gaps, on_duty=on_duty)


def _current_rows(session: Session, now: datetime) -> Sequence[DutyShift]:
    return session.exec(
        select(DutyShift)
        .where(DutyShift.ends_at > now)
        .order_by(col(DutyShift.role), col(DutyShift.position), col(DutyShift.starts_at), col(DutyShift.id))
    ).all()


def get_roster(session: Session, *, actor: Actor, now: datetime, locale: str) -> RosterRead:
    """The shifts that have not ended yet, the gaps between them, and who is on duty now."""
    require(actor, Permission.CASE_VIEW)
    return _roster_read(session, _current_rows(session, now), now, locale)


def put_roster(session: Session, *, actor: Actor, data: RosterIn, now: datetime, locale: str) -> RosterRead:
    """Replace the shifts that have not ended yet (past shifts stay: they say who was on duty then). Refused,
    with nothing saved, when a shift ends before it starts, names someone who may not hold the duty, or overlaps
    another of the same role and position."""
    require(actor, Permission.ROSTER_MANAGE)
    names = {item.user for item in data.items}
    users = {u.username: u for u in session.exec(select(User).where(col(User.username).in_(names))).all()}
    roles: dict[int, set[Role]] = defaultdict(set)
    ids = [u.id for u in users.values() if u.id is not None]
    for user_id, role in session.exec(
        select(RoleAssignment.user_id, RoleAssignment.role).where(col(RoleAssignment.user_id).in_(ids))
    ).all():
        roles[user_id].add(Role(role))
    shifts: list[rules.Shift] = []
    for i, item in enumerate(data.items):
        where = f"items[{i}]"
        user = users.get(item.user)
        if user is None or not user.active or user.id is None:
            raise ValidationFailed(_("Ca trực số {n}: không có người dùng đang hoạt động «{user}».", n=i + 1,
                                     user=item.user), field=f"{where}.user")  # fmt: skip
        if not roles[user.id] & DUTY_ELIGIBLE[item.role]:
            raise ValidationFailed(_("Ca trực số {n}: {name} không có vai trò phù hợp để trực «{role}».", n=i + 1,
                                     name=user.full_name, role=DUTY_ROLE_LABELS[item.role]),
                                   field=f"{where}.user")  # fmt: skip
        if item.ends_at <= item.starts_at:
            raise ValidationFailed(_("Ca trực số {n}: giờ kết thúc phải sau giờ bắt đầu.", n=i + 1),
                                   field=f"{where}.ends_at")  # fmt: skip
        if item.ends_at <= now:
            raise ValidationFailed(_("Ca trực số {n} đã kết thúc: lịch trực chỉ sửa các ca chưa kết thúc.", n=i + 1),
                                   field=f"{where}.ends_at")  # fmt: skip
        shifts.append(rules.Shift(item.role, user.id, item.starts_at, item.ends_at, item.position))
    past = session.exec(select(DutyShift).where(DutyShift.ends_at <= now, DutyShift.ends_at > now - timedelta(days=2)))
    kept = [rules.Shift(r.role, r.user_id, r.starts_at, r.ends_at, r.position) for r in past.all()]
    clashes = rules.overlaps(shifts + kept)
    if clashes:
        c = clashes[0]
        other = _("ca số {n}", n=c.other + 1) if c.other < len(shifts) else _("một ca đã kết thúc")
        raise ValidationFailed(_("Ca trực số {n} trùng thời gian với {other} ({role}, thứ tự {position}).",
                                 n=c.index + 1, other=other, role=DUTY_ROLE_LABELS[c.role], position=c.position),
                               field=f"items[{c.index}]")  # fmt: skip
    session.execute(delete(DutyShift).where(col(DutyShift.ends_at) > now))
    for s in shifts:
        session.add(DutyShift(role=s.role, user_id=s.user_id, starts_at=s.starts_at, ends_at=s.ends_at,
                              position=s.position, created_at=now))  # fmt: skip
    session.flush()
    return _roster_read(session, _current_rows(session, now), now, locale)


# --- pages ----------------------------------------------------------------------------------------------------


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
    record_event(session, case=case, actor_id=None, now=now, kind="page", action="sent",
                 data={"page_id": page_id, "crisis_id": crisis.id, "ladder": ladder.value, "step": step,
                       "username": user.username, "full_name": user.full_name, "duty_role": duty_role,
                       "gap": gap})  # fmt: skip
    title, body, link = _page_message(case, crisis, page_id, user, paging, escalated_from)
    email = user.email if paging.email and user.email else None
    session.execute(
        _insert(session)(Notification.__table__)  # type: ignore[attr-defined]
        .values(user_id=user_id, case_id=case.id, clock_id=None, stage=Stage.PAGE.value,
                dedupe_key=f"page:{page_id}:user:{user_id}", title=title, body=body, link=link, created_at=now,
                email_to=email, email_status=(EmailStatus.PENDING if email else EmailStatus.NONE).value,
                email_attempts=0, email_next_attempt_at=now if email else None)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )  # fmt: skip
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


def _start_ladders(session: Session, crisis: Crisis, case: Case, *, now: datetime, paging: Paging) -> None:
    """Page the first person of each ladder (the spokesperson and the press officer on duty); a role with
    nobody on duty at all goes straight to the director."""
    shifts = _shifts(session, now)
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
    shifts = _shifts(session, now)
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
        record_event(session, case=case, actor_id=None, now=now, kind="page", action="unanswered",
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
    users = _users(session, {p.user_id for p in rows})
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
        record_event(session, case=case, actor_id=user_id, now=now, kind="page", action="acked",
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


# --- the war room -------------------------------------------------------------------------------------------


@dataclass
class WarRoom:
    case: CaseRead
    crisis: CrisisRead | None
    clocks: list[ClockRead]
    pages: list[PageRead]
    on_duty: dict[str, list[UserBrief]]
    statements: list[StatementSummary]
    events: list[EventRead]
    may_declare: bool
    may_draft: bool
    my_waiting_pages: list[PageRead] = field(default_factory=list)
    last_event_id: int = 0


def war_room(session: Session, *, actor: Actor, reference: str, now: datetime, locale: str) -> WarRoom:
    from app.statements import service as statements

    case = get_case(session, actor=actor, reference=reference)
    scope = scope_of(session, case)
    crisis = latest_crisis(session, case)
    pages: list[PageRead] = []
    if crisis is not None:
        rows = session.exec(
            select(CrisisPage).where(CrisisPage.crisis_id == crisis.id).order_by(col(CrisisPage.sent_at),
                                                                                    col(CrisisPage.id))
        ).all()  # fmt: skip
        pages = page_reads(session, rows)
    shifts = _shifts(session, now)
    users = _users(session, {s.user_id for s in shifts})
    on_duty = {role.value: [b for uid in rules.on_duty(shifts, role, now) if (b := _brief(users.get(uid)))]
               for role in DutyRole}  # fmt: skip
    events = list_events(session, case=case)
    return WarRoom(
        case=case_read(session, actor=actor, case=case, now=now),
        crisis=crisis_read(session, crisis, case, locale) if crisis else None,
        clocks=list_clocks(session, actor=actor, reference=case.reference, now=now, locale=locale),
        pages=pages,
        on_duty=on_duty,
        statements=statements.statement_summaries(session, case=case,
                                                  statements=statements.list_statements(session, actor=actor,
                                                                                        case=case)),
        events=events,
        may_declare=can(actor, Permission.CRISIS_DECLARE, scope) and case.status != CaseStatus.CLOSED,
        may_draft=can(actor, Permission.STATEMENT_DRAFT, scope),
        my_waiting_pages=[p for p in pages if p.user == actor.username and p.acked_at is None and not p.closed_at],
        last_event_id=events[-1].id if events else 0,
    )  # fmt: skip


HOLDING_TEXT = (
    "{org} đã nắm được thông tin về vụ việc «{title}» (tiếp nhận lúc {received}). {org} đang phối hợp với các đơn "
    "vị liên quan khẩn trương xác minh, làm rõ sự việc và sẽ thông tin chính thức đến cơ quan báo chí và dư luận "
    "ngay khi có kết quả. Đề nghị các cơ quan báo chí, người dân sử dụng thông tin chính thức do {org} cung cấp."
)


def draft_holding_statement(session: Session, *, actor: Actor, reference: str, now: datetime,
                            org_name: str) -> Statement:  # fmt: skip
    """The holding statement one click away: an ``initial_information`` draft filled for this case (the answer
    templates of issue 12 will replace the built-in text). An open draft of that kind is returned as it is."""
    from app.statements import service as statements

    case = get_case(session, actor=actor, reference=reference)
    existing = session.exec(
        select(Statement).where(Statement.case_id == case.id, Statement.kind == StatementKind.INITIAL_INFORMATION,
                                col(Statement.status).in_([StatementStatus.DRAFT, StatementStatus.RETURNED]))
    ).first()  # fmt: skip
    if existing is not None:
        require(actor, Permission.STATEMENT_DRAFT, scope_of(session, case))
        return existing
    body = HOLDING_TEXT.format(org=org_name, title=case.title,
                               received=to_local(case.received_at).strftime("%H:%M ngày %d/%m/%Y"))  # fmt: skip
    data = StatementCreate(kind=StatementKind.INITIAL_INFORMATION, text=body,
                           note=str(_("Thông tin ban đầu soạn từ phòng tác chiến khủng hoảng.")))  # fmt: skip
    return statements.create_statement(session, actor=actor, case=case, data=data, now=now)


# --- the after-action review ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    declared_at: datetime
    first_ack: datetime | None
    holding_drafted: datetime | None
    holding_statement: datetime | None
    first_notice: datetime | None
    clocks_met: int
    clocks_missed: int


def _figures(session: Session, case: Case, crisis: Crisis, now: datetime) -> Figures:
    first_ack = session.exec(select(func.min(CrisisPage.acked_at)).where(CrisisPage.crisis_id == crisis.id)).one()
    drafted = session.exec(
        select(func.min(Statement.created_at)).where(Statement.case_id == case.id,
                                                     Statement.kind == StatementKind.INITIAL_INFORMATION)
    ).one()  # fmt: skip
    holding = session.exec(
        select(func.min(Notice.published_at)).where(Notice.case_id == case.id,
                                                   Notice.kind == StatementKind.INITIAL_INFORMATION,
                                                   col(Notice.published_at) <= now)
    ).one()  # fmt: skip
    notice = session.exec(
        select(func.min(Notice.published_at)).where(Notice.case_id == case.id, col(Notice.published_at) <= now)
    ).one()
    from app.clocks.models import Clock

    states = session.exec(select(Clock.state, Clock.due_at).where(Clock.case_id == case.id)).all()
    met = sum(1 for s, _d in states if s == ClockState.MET_ON_TIME)
    missed = sum(1 for s, d in states if s in (ClockState.MISSED, ClockState.MET_LATE)
                 or (s in (ClockState.RUNNING, ClockState.PAUSED) and d is not None and _utc(d) < now))  # fmt: skip
    return Figures(crisis.declared_at, _opt_utc(first_ack), _opt_utc(drafted), _opt_utc(holding), _opt_utc(notice),
                   met, missed)  # fmt: skip


def _utc(value: datetime | str) -> datetime:
    """``min()`` loses the column type on SQLite: re-attach UTC as ``UTCDateTime`` does."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _opt_utc(value: datetime | str | None) -> datetime | None:
    return None if value is None else _utc(value)


MILESTONES: list[tuple[str, Message]] = [
    ("declared", _("Công bố khủng hoảng")),
    ("first_ack", _("Báo động đầu tiên được xác nhận")),
    ("holding_drafted", _("Dự thảo thông tin ban đầu")),
    ("holding_statement", _("Công bố thông tin ban đầu")),
    ("first_notice", _("Thông cáo đầu tiên")),
]


def after_action(session: Session, *, actor: Actor, reference: str, now: datetime, locale: str) -> AfterActionRead:
    """The review of the case's latest crisis: each milestone's time from receipt and from declaration, the
    clocks met and missed, the pages and acknowledgements, the lessons, the timeline."""
    case = get_case(session, actor=actor, reference=reference)
    crisis = latest_crisis(session, case)
    if crisis is None:
        raise NotFound(_("Vụ việc {reference} chưa từng ở tình trạng khủng hoảng.", reference=case.reference))
    fig = _figures(session, case, crisis, now)
    times: dict[str, datetime | None] = {
        "declared": fig.declared_at, "first_ack": fig.first_ack, "holding_drafted": fig.holding_drafted,
        "holding_statement": fig.holding_statement, "first_notice": fig.first_notice,
    }  # fmt: skip
    milestones = [
        Milestone(key=key, label=text(label, locale), at=to_local(at) if (at := times[key]) else None,
                  seconds_from_receipt=rules.seconds_between(case.received_at, times[key]),
                  seconds_from_declaration=rules.seconds_between(crisis.declared_at, times[key]))
        for key, label in MILESTONES
    ]  # fmt: skip
    clocks = list_clocks(session, actor=actor, reference=case.reference, now=now, locale=locale)
    from app.crisis.models import ClockOutcome

    outcomes = [
        ClockOutcome(name=c.name, basis=c.basis, state=c.state.value, state_label=c.state_label, due_at=c.due_at,
                     met_at=c.met_at,
                     met=True if c.state == ClockState.MET_ON_TIME else False
                     if c.state in (ClockState.MISSED, ClockState.MET_LATE) or c.overdue else None)
        for c in clocks
    ]  # fmt: skip
    rows = session.exec(
        select(CrisisPage).where(CrisisPage.crisis_id == crisis.id).order_by(col(CrisisPage.sent_at),
                                                                                col(CrisisPage.id))
    ).all()  # fmt: skip
    users = _users(session, {crisis.lessons_by})
    del users
    return AfterActionRead(
        case_reference=case.reference, case_title=case.title, received_at=to_local(case.received_at),
        crisis=crisis_read(session, crisis, case, locale), over=crisis.stood_down_at is not None,
        milestones=milestones, clocks=clocks, clocks_met=fig.clocks_met, clocks_missed=fig.clocks_missed,
        clock_outcomes=outcomes, pages=page_reads(session, rows), lessons=crisis.lessons,
        lessons_at=to_local(crisis.lessons_at) if crisis.lessons_at else None,
        timeline=list_events(session, case=case),
    )  # fmt: skip


def set_lessons(session: Session, *, actor: Actor, reference: str, lessons: str, now: datetime) -> None:
    """The office's lessons (free text) on the case's latest crisis; a history line says who wrote them."""
    case = get_case(session, actor=actor, reference=reference)
    require(actor, Permission.CRISIS_DECLARE, scope_of(session, case))
    crisis = latest_crisis(session, case)
    if crisis is None:
        raise NotFound(_("Vụ việc {reference} chưa từng ở tình trạng khủng hoảng.", reference=case.reference))
    crisis.lessons = lessons.strip() or None
    crisis.lessons_at = now
    crisis.lessons_by = actor.user_id
    session.add(crisis)
    session.flush()
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="crisis", action="lessons",
                 data={"crisis_id": crisis.id})  # fmt: skip


def year_crises(session: Session, *, actor: Actor, year: int, now: datetime) -> list[YearCrisis]:
    """The crises declared in a (local) calendar year on the cases the actor may see, newest first, with the
    review's figures."""
    from datetime import date

    since, until = local_midnight(date(year, 1, 1)), local_midnight(date(year + 1, 1, 1))
    query = (
        select(Crisis, Case)
        .join(Case, col(Case.id) == Crisis.case_id)
        .where(col(Crisis.declared_at) >= since, col(Crisis.declared_at) < until)
    )
    visible = visibility_clause(actor)
    if visible is not None:
        query = query.where(visible)
    out = []
    for crisis, case in session.exec(query.order_by(col(Crisis.declared_at).desc(), col(Crisis.id).desc())).all():
        fig = _figures(session, case, crisis, now)
        out.append(YearCrisis(
            case_reference=case.reference, case_title=case.title, level=crisis.level,
            declared_at=to_local(crisis.declared_at),
            stood_down_at=to_local(crisis.stood_down_at) if crisis.stood_down_at else None,
            to_declaration=rules.seconds_between(case.received_at, crisis.declared_at),
            to_first_ack=rules.seconds_between(case.received_at, fig.first_ack),
            to_holding_statement=rules.seconds_between(case.received_at, fig.holding_statement),
            to_first_notice=rules.seconds_between(case.received_at, fig.first_notice),
            clocks_met=fig.clocks_met, clocks_missed=fig.clocks_missed,
        ))  # fmt: skip
    return out
