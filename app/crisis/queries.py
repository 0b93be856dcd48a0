"""Crisis mode's read models: the war room of a case, the after-action review, the year's crises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from app.auth.permissions import Actor, Permission, can
from app.cases.events import list_events
from app.cases.models import Case, CaseRead, EventRead
from app.cases.reads import case_read
from app.cases.scope import get_case, scope_of, visibility_clause
from app.cases.workflow import CaseStatus
from app.clocks.models import Clock, ClockRead, ClockState
from app.clocks.queries import list_clocks
from app.crisis import rules
from app.crisis.models import (
    AfterActionRead,
    ClockOutcome,
    Crisis,
    CrisisPage,
    CrisisRead,
    Milestone,
    PageRead,
    UserBrief,
    YearCrisis,
)
from app.crisis.paging import brief, page_reads, shifts_at, users_by_id
from app.crisis.rules import DutyRole
from app.crisis.service import crisis_read, latest_crisis
from app.errors import NotFound
from app.i18n import Message, _, text
from app.notices.models import Notice
from app.org.models import Unit
from app.org.service import list_units
from app.statements import queries as statements
from app.statements.models import Statement, StatementSummary
from app.statements.rules import StatementKind
from app.timeutil import local_midnight, to_local


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
    units_by_code: dict[str, Unit] = field(default_factory=dict)
    last_event_id: int = 0


def war_room(session: Session, *, actor: Actor, reference: str, now: datetime, locale: str) -> WarRoom:
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
    shifts = shifts_at(session, now)
    users = users_by_id(session, {s.user_id for s in shifts})
    on_duty = {role.value: [b for uid in rules.on_duty(shifts, role, now) if (b := brief(users.get(uid)))]
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
        units_by_code={u.code: u for u in list_units(session)},
    )  # fmt: skip


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
    return _figures_of(session, [(crisis, case)], now)[crisis.id or 0]


def _figures_of(session: Session, pairs: list[tuple[Crisis, Case]], now: datetime) -> dict[int, Figures]:
    """The review's figures of several crises (the director's home lists the year's), in five queries whatever
    their number: the first acknowledgement of each crisis's pages; the first holding statement drafted, the first
    holding notice and the first notice of each case; the states of each case's clocks."""
    crisis_ids = [crisis.id for crisis, _case in pairs]
    case_ids = [case.id for _crisis, case in pairs]
    if not pairs:
        return {}
    first_ack = _first_by(session, CrisisPage.crisis_id, CrisisPage.acked_at, col(CrisisPage.crisis_id).in_(crisis_ids))
    of_cases, holding_kind = col(Notice.case_id).in_(case_ids), Notice.kind == StatementKind.INITIAL_INFORMATION
    drafted = _first_by(session, Statement.case_id, Statement.created_at, col(Statement.case_id).in_(case_ids),
                        Statement.kind == StatementKind.INITIAL_INFORMATION)  # fmt: skip
    published = col(Notice.published_at) <= now
    holding = _first_by(session, Notice.case_id, Notice.published_at, of_cases, holding_kind, published)
    notice = _first_by(session, Notice.case_id, Notice.published_at, of_cases, published)
    states: dict[int, list[tuple[str, datetime | None]]] = {i: [] for i in case_ids if i is not None}
    for case_id, state, due_at in session.exec(
        select(Clock.case_id, Clock.state, Clock.due_at).where(col(Clock.case_id).in_(case_ids))
    ).all():
        states[case_id].append((state, due_at))
    figures = {}
    for crisis, case in pairs:
        assert crisis.id is not None and case.id is not None
        clocks = states[case.id]
        met = sum(1 for s, _d in clocks if s == ClockState.MET_ON_TIME)
        missed = sum(1 for s, d in clocks if s in (ClockState.MISSED, ClockState.MET_LATE)
                     or (s in (ClockState.RUNNING, ClockState.PAUSED) and d is not None and _utc(d) < now))  # fmt: skip
        figures[crisis.id] = Figures(crisis.declared_at, _opt_utc(first_ack.get(crisis.id)),
                                     _opt_utc(drafted.get(case.id)), _opt_utc(holding.get(case.id)),
                                     _opt_utc(notice.get(case.id)), met, missed)  # fmt: skip
    return figures


def _first_by(session: Session, key: Any, value: Any, *where: Any) -> dict[int, Any]:
    """The least ``value`` of the rows meeting ``where``, by ``key``."""
    return dict(session.exec(select(key, func.min(value)).where(*where).group_by(key)).all())


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
    users = users_by_id(session, {crisis.lessons_by})
    del users
    return AfterActionRead(
        case_reference=case.reference, case_title=case.title, received_at=to_local(case.received_at),
        crisis=crisis_read(session, crisis, case, locale), over=crisis.stood_down_at is not None,
        milestones=milestones, clocks=clocks, clocks_met=fig.clocks_met, clocks_missed=fig.clocks_missed,
        clock_outcomes=outcomes, pages=page_reads(session, rows), lessons=crisis.lessons,
        lessons_at=to_local(crisis.lessons_at) if crisis.lessons_at else None,
        timeline=list_events(session, case=case),
        may_write_lessons=can(actor, Permission.CRISIS_DECLARE, scope_of(session, case)),
    )  # fmt: skip


def year_crises(session: Session, *, actor: Actor, year: int, now: datetime) -> list[YearCrisis]:
    """The crises declared in a (local) calendar year on the cases the actor may see, newest first, with the
    review's figures."""
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
    rows = list(session.exec(query.order_by(col(Crisis.declared_at).desc(), col(Crisis.id).desc())).all())
    figures = _figures_of(session, [(crisis, case) for crisis, case in rows], now)
    for crisis, case in rows:
        fig = figures[crisis.id or 0]
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
