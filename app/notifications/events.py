"""Notifications made by what happens on a case: the one entry point is ``on_case_event``, a listener of the case
events (``cases.events.listen``, registered in ``app/notifications/__init__.py``).

Every act on a case is a line of its history (``cases.events.record_event``); the lines below are the causes of
product §11.2, each turned into notifications in the same transaction as its cause (a rolled-back act notifies
nobody):

================================  ===================  ==========================================================
case event                        notification kind    who receives it
================================  ===================  ==========================================================
transition ``assign``/``reassign``  ``routed``          the handlers and unit heads of the unit it is routed to
(or ``created`` routed at intake)
people named in ``assignees``      ``assigned``         each newly assigned person (a transition or a field change)
``statement_submitted``            ``submitted``        everyone who holds spokesperson authority for the case now
``statement_approved``             ``approved``         the press office (who publishes)
``statement_returned``             ``returned``         its drafter (author of it or of its current text), + comment
``notice_published``               ``published``        everyone who worked the case (acted on it, or is assigned)
``note`` with ``@username``        ``mentioned``        each named active user who can see the case
================================  ===================  ==========================================================

Nobody is notified of their own act. The clocks' reminders and escalations are made by the worker
(``service.process_reminders``) with the same row shape (kind ``clock``). E-mail follows each recipient's choice
(``deliveries.email_fields``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.auth.permissions import Permission, Role, can
from app.auth.service import load_actor
from app.cases.models import Case, CaseAssignee, CaseEvent
from app.cases.scope import scope_of
from app.cases.vocabulary import CaseEventKind as E
from app.cases.workflow import Action
from app.i18n import Message, _, text
from app.notifications.deliveries import add_notifications
from app.notifications.models import NotificationKind
from app.org.models import RoleAssignment, Unit, User
from app.spokespersons.models import SpokespersonAppointment, SpokespersonAuthorisation
from app.spokespersons.service import authority_for
from app.statements.models import Statement, StatementVersion

K = NotificationKind
MENTION = re.compile(r"(?<![\w.@])@([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9]{2,})", re.IGNORECASE)
ROUTING = frozenset({Action.ASSIGN.value, Action.REASSIGN.value})
TITLE_MAX = 300

Texts = Callable[[str], tuple[str, str]]  # locale -> (title, body)


def mentioned_usernames(note: str | None) -> list[str]:
    """The ``@username`` of a note, in order, each once (lower case; an e-mail address is not a mention)."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(note or ""):
        seen.setdefault(match.group(1).lower(), None)
    return list(seen)


def on_case_event(session: Session, *, case: Case, event: CaseEvent) -> None:
    """Notify whoever the event concerns (see the module's table); nothing for the other kinds of event."""
    kind = event.kind
    data: dict[str, Any] = event.data or {}
    if kind == E.TRANSITION:
        if event.action in ROUTING:
            _routed(session, case, event)
        if "assignees" in data:
            _assigned(session, case, event, data["assignees"])
    elif kind == E.CREATED and data.get("lead_unit"):  # routed at intake, in one step
        _routed(session, case, event)
    elif kind == E.UPDATED and "assignees" in (data.get("changes") or {}):
        _assigned(session, case, event, data["changes"]["assignees"])
    elif kind in CAUSES:
        CAUSES[kind](session, case, event)


# --- the causes ---------------------------------------------------------------------------------------------


def _send(session: Session, case: Case, event: CaseEvent, kind: NotificationKind, users: Iterable[User],
          texts: Texts, *, link: str | None = None) -> None:  # fmt: skip
    assert event.id is not None and case.id is not None
    recipients = {u.id: u for u in users if u.id is not None and u.id != event.actor_id and u.active}
    add_notifications(
        session,
        kind=kind,
        users=list(recipients.values()),
        case_id=case.id,
        now=event.at,
        dedupe=lambda user: f"{kind.value}:event:{event.id}:user:{user.id}",
        texts=texts,
        link=link or f"/staff/cases/{case.reference}",
    )


def _line(case: Case) -> Message:
    return _("Vụ việc {reference}: {title}", reference=case.reference, title=case.title)


def _texts(title: Message, *lines: Message | str | None) -> Texts:
    def render(locale: str) -> tuple[str, str]:
        body = "\n".join(text(line, locale) for line in lines if line)
        return text(title, locale)[:TITLE_MAX], body

    return render


def _actor_name(session: Session, event: CaseEvent) -> str:
    user = session.get(User, event.actor_id) if event.actor_id else None
    return user.full_name if user else "CrisisDesk"


def _unit_people(session: Session, unit_id: int, roles: Iterable[Role]) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
            .where(RoleAssignment.unit_id == unit_id, col(RoleAssignment.role).in_(list(roles)))
            .order_by(col(User.id))
        ).unique()
    )


def _with_role(session: Session, role: Role) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
            .where(RoleAssignment.role == role)
            .order_by(col(User.id))
        ).unique()
    )


def _routed(session: Session, case: Case, event: CaseEvent) -> None:
    if case.lead_unit_id is None:
        return
    unit = session.get(Unit, case.lead_unit_id)
    assert unit is not None
    people = _unit_people(session, case.lead_unit_id, (Role.UNIT_HEAD, Role.HANDLER))
    title = _("Vụ việc {reference} được chuyển cho {unit}", reference=case.reference, unit=unit.name)
    _send(session, case, event, K.ROUTED, people, _texts(title, _line(case), event.note))


def _previous_assignees(session: Session, case: Case, event: CaseEvent) -> set[str]:
    """Who was assigned before ``event``: the last earlier line of the history that set the assignees."""
    earlier = session.exec(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, col(CaseEvent.id) < event.id)
        .order_by(col(CaseEvent.id).desc())
    )
    for row in earlier:
        data = row.data or {}
        if "assignees" in data:
            return set(data["assignees"])
        if "assignees" in (data.get("changes") or {}):
            return set(data["changes"]["assignees"])
        if row.kind == E.TRANSITION and row.action == Action.REASSIGN.value:
            return set()  # a reassignment clears the assignees
    return set()


def _assigned(session: Session, case: Case, event: CaseEvent, usernames: list[str]) -> None:
    new = set(usernames) - _previous_assignees(session, case, event)
    if not new:
        return
    users = session.exec(select(User).where(col(User.username).in_(sorted(new))).order_by(col(User.id))).all()
    title = _("Bạn được giao xử lý vụ việc {reference}", reference=case.reference)
    by = _("Người giao: {name}", name=_actor_name(session, event))
    _send(session, case, event, K.ASSIGNED, users, _texts(title, _line(case), by))


def _statement(session: Session, event: CaseEvent) -> Statement | None:
    statement_id = (event.data or {}).get("statement_id")
    return session.get(Statement, statement_id) if statement_id else None


def _statement_link(statement: Statement | None, case: Case) -> str:
    return f"/staff/statements/{statement.id}" if statement else f"/staff/cases/{case.reference}"


def may_approve(session: Session, *, case: Case, at: datetime) -> list[User]:
    """Everyone who holds spokesperson authority for ``case`` at ``at`` (``spokespersons.service.authority_for``):
    the director, the standing spokesperson in office, and those authorised in writing for this case."""
    candidates: set[int] = {u.id for u in _with_role(session, Role.DIRECTOR) if u.id is not None}
    candidates |= set(session.exec(select(SpokespersonAppointment.user_id)).all())
    candidates |= set(
        session.exec(
            select(SpokespersonAuthorisation.user_id).where(SpokespersonAuthorisation.case_id == case.id)
        ).all()
    )
    users = session.exec(
        select(User).where(col(User.id).in_(sorted(candidates)), col(User.active).is_(True)).order_by(col(User.id))
    ).all()
    return [u for u in users if authority_for(session, actor=load_actor(session, u), case=case, at=at) is not None]


def _submitted(session: Session, case: Case, event: CaseEvent) -> None:
    statement = _statement(session, event)
    title = _("Nội dung phát ngôn của vụ việc {reference} chờ bạn duyệt", reference=case.reference)
    by = _("Người trình: {name}", name=_actor_name(session, event))
    _send(session, case, event, K.SUBMITTED, may_approve(session, case=case, at=event.at),
          _texts(title, _line(case), by, event.note), link=_statement_link(statement, case))  # fmt: skip


def _approved(session: Session, case: Case, event: CaseEvent) -> None:
    statement = _statement(session, event)
    title = _("Nội dung phát ngôn của vụ việc {reference} đã được duyệt, chờ công bố", reference=case.reference)
    by = _("Người duyệt: {name}", name=_actor_name(session, event))
    _send(session, case, event, K.APPROVED, _with_role(session, Role.PRESS_OFFICER),
          _texts(title, _line(case), by, event.note), link=_statement_link(statement, case))  # fmt: skip


def _returned(session: Session, case: Case, event: CaseEvent) -> None:
    statement = _statement(session, event)
    if statement is None:
        return
    drafters = {statement.created_by_id}
    author = session.exec(
        select(StatementVersion.author_id).where(
            StatementVersion.statement_id == statement.id, StatementVersion.number == statement.current_version
        )
    ).first()
    if author is not None:
        drafters.add(author)
    users = session.exec(select(User).where(col(User.id).in_(sorted(drafters))).order_by(col(User.id))).all()
    comment = event.note or ""
    title = _("Nội dung phát ngôn của vụ việc {reference} bị trả lại: {comment}", reference=case.reference,
              comment=comment)  # fmt: skip
    by = _("Người trả lại: {name}", name=_actor_name(session, event))
    _send(session, case, event, K.RETURNED, users, _texts(title, _line(case), by, comment),
          link=_statement_link(statement, case))  # fmt: skip


def _published(session: Session, case: Case, event: CaseEvent) -> None:
    worked: set[int] = {
        i for i in session.exec(select(CaseEvent.actor_id).where(CaseEvent.case_id == case.id).distinct()) if i
    }
    worked |= set(session.exec(select(CaseAssignee.user_id).where(CaseAssignee.case_id == case.id)).all())
    users = session.exec(select(User).where(col(User.id).in_(sorted(worked))).order_by(col(User.id))).all()
    number = (event.data or {}).get("notice_number", "")
    title = _("Đã công bố {number} trả lời vụ việc {reference}", number=number, reference=case.reference)
    _send(session, case, event, K.PUBLISHED, users, _texts(title, _line(case)))


def _mentioned(session: Session, case: Case, event: CaseEvent) -> None:
    names = mentioned_usernames(event.note)
    if not names:
        return
    users = session.exec(
        select(User).where(col(User.username).in_(names), col(User.active).is_(True)).order_by(col(User.id))
    ).all()
    scope = scope_of(session, case)
    readers = [u for u in users if can(load_actor(session, u), Permission.CASE_VIEW, scope)]
    title = _("{name} nhắc đến bạn trong vụ việc {reference}", name=_actor_name(session, event),
              reference=case.reference)  # fmt: skip
    _send(session, case, event, K.MENTIONED, readers, _texts(title, _line(case), event.note),
          link=f"/staff/cases/{case.reference}#event-{event.id}")  # fmt: skip


CAUSES: dict[E, Callable[[Session, Case, CaseEvent], None]] = {
    E.STATEMENT_SUBMITTED: _submitted,
    E.STATEMENT_APPROVED: _approved,
    E.STATEMENT_RETURNED: _returned,
    E.NOTICE_PUBLISHED: _published,
    E.NOTE: _mentioned,
}
