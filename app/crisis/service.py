"""Crisis mode's writes: declare, change and stand down a crisis; the duty roster; the holding statement one
click away; the after-action review's lessons. Pages are ``paging.py``; the war room and the review ``queries.py``.

Every action on a case is a line of its history (``record_event``): ``crisis`` (declared, level_changed,
stood_down, lessons) and ``page`` (sent, unanswered, acked). The clock engine listens to the ``crisis`` lines and
runs the crisis clocks of the level (internal targets whose start event is ``crisis_declared``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, Role, can, require
from app.cases.events import record_event
from app.cases.models import Case, NoteIn
from app.cases.scope import get_case, scope_of
from app.cases.service import add_note
from app.cases.vocabulary import CaseEventKind, Severity
from app.cases.workflow import CaseStatus
from app.crisis import rules
from app.crisis.models import (
    Crisis,
    CrisisIn,
    CrisisPage,
    CrisisRead,
    DutyShift,
    GapRead,
    RosterIn,
    RosterRead,
    ShiftIn,
    ShiftRead,
    UserBrief,
)
from app.crisis.paging import Paging, brief, start_ladders, users_by_id
from app.crisis.rules import DUTY_ROLE_LABELS, LEVEL_LABELS, DutyRole
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _, text
from app.org.models import RoleAssignment, User
from app.statements import service as statements
from app.statements.models import Statement, StatementCreate
from app.statements.rules import StatementKind, StatementStatus
from app.timeutil import to_local
from app.webhooks.service import emit_case_crisis

# The roles a person must hold to be on duty in a duty role.
DUTY_ELIGIBLE: dict[DutyRole, frozenset[Role]] = {
    DutyRole.SPOKESPERSON: frozenset({Role.SPOKESPERSON, Role.DIRECTOR}),
    DutyRole.PRESS_OFFICER: frozenset({Role.PRESS_OFFICER}),
    DutyRole.DEPUTY_DIRECTOR: frozenset({Role.SPOKESPERSON, Role.DIRECTOR}),
}


# --- crises -------------------------------------------------------------------------------------------------


def active_crisis(session: Session, case: Case) -> Crisis | None:
    return session.exec(select(Crisis).where(Crisis.case_id == case.id, col(Crisis.stood_down_at).is_(None))).first()


def latest_crisis(session: Session, case: Case) -> Crisis | None:
    return session.exec(
        select(Crisis).where(Crisis.case_id == case.id).order_by(col(Crisis.declared_at).desc(), col(Crisis.id).desc())
    ).first()


def crisis_read(session: Session, crisis: Crisis, case: Case, locale: str) -> CrisisRead:
    assert crisis.id is not None
    users = users_by_id(session, {crisis.declared_by, crisis.stood_down_by})
    return CrisisRead(
        id=crisis.id, case_reference=case.reference, level=crisis.level,
        level_label=text(LEVEL_LABELS[crisis.level], locale), reason=crisis.reason,
        active=crisis.stood_down_at is None, declared_at=to_local(crisis.declared_at),
        declared_by=brief(users.get(crisis.declared_by or 0)),
        level_changed_at=to_local(crisis.level_changed_at) if crisis.level_changed_at else None,
        stood_down_at=to_local(crisis.stood_down_at) if crisis.stood_down_at else None,
        stood_down_by=brief(users.get(crisis.stood_down_by or 0)), stand_down_reason=crisis.stand_down_reason,
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
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.UPDATED,
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
        record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.CRISIS,
                     action="level_changed", note=data.reason,
                     data={"crisis_id": crisis.id, "level": data.level, "old_level": old,
                           "declared_at": crisis.declared_at.isoformat()})  # fmt: skip
        emit_case_crisis(session, case_reference=case.reference, level=data.level, reason=data.reason,
                         title=case.title, now=now)  # fmt: skip
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
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.CRISIS, action="declared",
                 note=data.reason, data={"crisis_id": crisis.id, "level": data.level,
                                         "declared_at": now.isoformat()})  # fmt: skip
    emit_case_crisis(session, case_reference=case.reference, level=data.level, reason=data.reason, title=case.title,
                     now=now)  # fmt: skip
    start_ladders(session, crisis, case, now=now, paging=paging)
    return crisis_read(session, crisis, case, locale), True


def stand_down(session: Session, *, actor: Actor, reference: str, reason: str, now: datetime,
               locale: str) -> CrisisRead:  # fmt: skip
    """End the crisis: its clocks stop (missed when already late), unanswered pages are closed, the case goes
    back to the severity it had (``hot`` if it was already a crisis)."""
    if not reason.strip():
        raise ValidationFailed(_("Cần ghi rõ lý do kết thúc tình trạng khủng hoảng."), field="reason")
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
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.CRISIS, action="stood_down",
                 note=reason, data={"crisis_id": crisis.id, "level": crisis.level})  # fmt: skip
    back = crisis.previous_severity if crisis.previous_severity != Severity.CRISIS else Severity.HOT
    _set_severity(session, case, back, actor=actor, now=now)
    emit_case_crisis(session, case_reference=case.reference, level=crisis.level, reason=reason, title=case.title,
                     now=now, standing_down=True)  # fmt: skip
    return crisis_read(session, crisis, case, locale)


def get_crisis(session: Session, *, actor: Actor, reference: str, locale: str) -> CrisisRead:
    case = get_case(session, actor=actor, reference=reference)
    crisis = latest_crisis(session, case)
    if crisis is None:
        raise NotFound(_("Vụ việc {reference} chưa từng ở tình trạng khủng hoảng.", reference=case.reference))
    return crisis_read(session, crisis, case, locale)


# --- the roster -----------------------------------------------------------------------------------------------


def _roster_read(session: Session, rows: Sequence[DutyShift], now: datetime, locale: str) -> RosterRead:
    users = users_by_id(session, {r.user_id for r in rows})
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
        on_duty[role.value] = [b for uid in rules.on_duty(shifts, role, now) if (b := brief(users.get(uid)))]
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
    read = _roster_read(session, _current_rows(session, now), now, locale)
    read.may_edit = can(actor, Permission.ROSTER_MANAGE)
    return read


def _current_items(session: Session, now: datetime) -> list[tuple[int, ShiftIn]]:
    rows = _current_rows(session, now)
    users = users_by_id(session, {r.user_id for r in rows})
    return [(r.id or 0, ShiftIn(role=r.role, user=users[r.user_id].username, starts_at=r.starts_at,
                                ends_at=r.ends_at, position=r.position)) for r in rows]  # fmt: skip


def add_shift(session: Session, *, actor: Actor, shift: ShiftIn, now: datetime, locale: str) -> RosterRead:
    """One more shift (the admin page): the roster's checks apply to the whole."""
    items = [s for _id, s in _current_items(session, now)] + [shift]
    return put_roster(session, actor=actor, data=RosterIn(items=items), now=now, locale=locale)


def remove_shift(session: Session, *, actor: Actor, shift_id: int, now: datetime, locale: str) -> RosterRead:
    current = _current_items(session, now)
    if shift_id not in {i for i, _s in current}:
        raise NotFound(_("Không tìm thấy ca trực số {id}.", id=shift_id))
    items = [s for i, s in current if i != shift_id]
    return put_roster(session, actor=actor, data=RosterIn(items=items), now=now, locale=locale)


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


HOLDING_TEXT = (
    "{org} đã nắm được thông tin về vụ việc «{title}» (tiếp nhận lúc {received}). {org} đang phối hợp với các đơn "
    "vị liên quan khẩn trương xác minh, làm rõ sự việc và sẽ thông tin chính thức đến cơ quan báo chí và dư luận "
    "ngay khi có kết quả. Đề nghị các cơ quan báo chí, người dân sử dụng thông tin chính thức do {org} cung cấp."
)


def draft_holding_statement(session: Session, *, actor: Actor, reference: str, now: datetime,
                            org_name: str) -> Statement:  # fmt: skip
    """The holding statement one click away: an ``initial_information`` draft filled for this case (the answer
    templates of issue 12 will replace the built-in text). An open draft of that kind is returned as it is."""
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
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.CRISIS, action="lessons",
                 data={"crisis_id": crisis.id})  # fmt: skip


def add_war_room_note(session: Session, *, actor: Actor, reference: str, text: str, now: datetime) -> None:
    """A note from the war room: the case's own internal note (a ``note`` line of its history)."""
    body = NoteIn.model_validate({"text": text})
    add_note(session, actor=actor, case=get_case(session, actor=actor, reference=reference), text=body.text, now=now)
