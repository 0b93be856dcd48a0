"""What waits for me (product §11.2): computed by queries at each request, never stored.

Each kind asks one question of the database, within the cases the actor may see (``visible_cases``):

* ``to_route`` — press office: every ``new`` case (since it was received);
* ``to_accept`` — unit head: a case ``assigned`` to a unit the actor heads (since it was routed);
* ``to_draft`` — an assignee: a case ``in_progress`` assigned to the actor with no answer drafted (no main
  statement open: draft, submitted, returned or approved);
* ``to_submit`` — unit head: a statement in ``draft`` on a case the actor's unit leads (since its last change);
* ``to_approve`` — a submitted statement on a case for which the actor holds spokesperson authority now: the
  director, the standing spokesperson, or a person authorised in writing for that case (the items of the approval
  queue, ``statements.queries.approval_rows``, that the actor may decide: ``spokespersons.service.authorities_of``);
* ``returned`` — the drafter (who created it or wrote its current version): a statement returned with a comment;
* ``to_publish`` — press office: an approved statement (since its approval);
* ``mentioned`` — a note that names ``@you``, until its notification is read.

``due_at`` is the clock that applies: for ``to_approve`` the approval clock if one runs, otherwise the case's
nearest running clock (``Case.next_due_at``). Items come nearest deadline first, then oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, func, union
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, Role
from app.cases.models import Case, CaseAssignee
from app.cases.scope import visibility_clause, visible
from app.cases.workflow import CaseStatus
from app.notifications.models import Notification, NotificationKind, QueueItem, QueueKind, QueuePage
from app.statements.models import QueueItem as ApprovalItem
from app.statements.models import Statement, StatementApproval, StatementVersion
from app.statements.queries import approval_rows
from app.statements.rules import MAIN_KINDS, StatementStatus

LIMIT = 200
FAR = datetime.max.replace(tzinfo=UTC)
# What an item shows of its case: each kind reads these columns, not whole cases (their summaries and search text).
CASE_COLUMNS = (col(Case.reference), col(Case.title), col(Case.next_due_at), col(Case.received_at),
                col(Case.status_changed_at))  # fmt: skip


def _item(kind: QueueKind, case: Any, since: datetime, statement_id: int | None = None,
          due_at: datetime | None = None) -> QueueItem:  # fmt: skip
    """``case``: a row with the ``CASE_COLUMNS`` (or a ``Case``)."""
    return QueueItem(kind=kind, case_reference=case.reference, case_title=case.title, statement_id=statement_id,
                     since=since, due_at=due_at if due_at is not None else case.next_due_at)  # fmt: skip


def _cases(actor: Actor, *conditions: Any) -> Any:
    """The ``CASE_COLUMNS`` of the visible cases that meet ``conditions``."""
    return sa_select(*CASE_COLUMNS).where(visible(actor), *conditions)


def _to_route(actor: Actor) -> Any:
    query = _cases(actor, Case.status == CaseStatus.NEW).order_by(col(Case.received_at), col(Case.id))
    return query.limit(LIMIT)


def _to_accept(actor: Actor) -> Any:
    units = actor.unit_ids(Permission.CASE_WORK) & _headed(actor)
    if not units:
        return None
    return _cases(actor, Case.status == CaseStatus.ASSIGNED, col(Case.lead_unit_id).in_(sorted(units))).limit(LIMIT)


def _headed(actor: Actor) -> frozenset[int]:
    return frozenset(g.unit_id for g in actor.grants if g.role == Role.UNIT_HEAD and g.unit_id is not None)


def _open_main() -> object:
    return exists().where(
        col(Statement.case_id) == col(Case.id),
        col(Statement.kind).in_(MAIN_KINDS),
        col(Statement.status) != StatementStatus.PUBLISHED,
    )


def _to_draft(actor: Actor) -> Any:
    mine = exists().where(col(CaseAssignee.case_id) == col(Case.id), col(CaseAssignee.user_id) == actor.user_id)
    return _cases(actor, Case.status == CaseStatus.IN_PROGRESS, mine, ~_open_main()).limit(LIMIT)  # type: ignore[operator]


def _statements(actor: Actor, *conditions: Any) -> Any:
    """Statements with the ``CASE_COLUMNS`` of their case: rows of ``(id, updated_at, reference, ...)``."""
    return (
        sa_select(col(Statement.id), col(Statement.updated_at), *CASE_COLUMNS)
        .join(Case, col(Case.id) == col(Statement.case_id))
        .where(visible(actor), *conditions)
        .order_by(col(Statement.updated_at), col(Statement.id))
        .limit(LIMIT)
    )


def _to_submit(actor: Actor) -> Any:
    units = actor.unit_ids(Permission.STATEMENT_SUBMIT)
    if not units:
        return None
    return _statements(actor, Statement.status == StatementStatus.DRAFT, col(Case.lead_unit_id).in_(sorted(units)))


def _to_approve(session: Session, actor: Actor, now: datetime,
                submitted: Sequence[ApprovalItem] | None) -> list[QueueItem]:  # fmt: skip
    rows = submitted if submitted is not None else approval_rows(session, actor=actor, now=now, limit=LIMIT) or []
    return [
        QueueItem(
            kind=QueueKind.TO_APPROVE,
            case_reference=s.case_reference,
            case_title=s.case_title,
            statement_id=s.statement_id,
            since=s.submitted_at or now,
            due_at=s.approval_due_at if s.approval_due_at is not None else s.case_due_at,
        )
        for s in rows
        if s.may_decide
    ]


def _returned(actor: Actor) -> Any:
    """The returned statements the actor created or whose current version they wrote, on the cases they see.

    Each part gives its first ``LIMIT`` ids in the queue's order, among the cases the actor sees (the first of
    both are among them): the statements by creator from ``ix_statement_created_by_status``, the versions by author
    from ``ix_statement_version_author_id``; their rows are then read by primary key. As one ``OR`` with an
    ``EXISTS`` it probed the versions of every returned statement (1,959 at a million cases) for someone who has
    none (the director: 9,131 buffers, 8.7 ms; now 12 buffers, 0.3 ms). Limited before being narrowed to what the
    actor sees, a head who created 1,959 returned statements, 66 on cases they see, would have seen 5."""
    returned = col(Statement.status) == StatementStatus.RETURNED
    scope = visibility_clause(actor)  # None: every case (no join needed to narrow)

    def first(query: Any) -> Any:
        query = query.where(returned)
        if scope is not None:
            query = query.join(Case, col(Case.id) == col(Statement.case_id)).where(scope)
        return sa_select(query.order_by(col(Statement.updated_at), col(Statement.id)).limit(LIMIT).subquery().c.id)

    created = sa_select(col(Statement.id)).where(col(Statement.created_by_id) == actor.user_id)
    wrote_current = (
        sa_select(col(Statement.id))
        .join(
            StatementVersion,
            and_(
                col(StatementVersion.statement_id) == col(Statement.id),
                col(StatementVersion.number) == col(Statement.current_version),
            ),
        )
        .where(col(StatementVersion.author_id) == actor.user_id)
    )
    mine = union(first(created), first(wrote_current)).subquery()
    return (
        sa_select(col(Statement.id), col(Statement.updated_at), *CASE_COLUMNS)
        .select_from(mine)
        .join(Statement, col(Statement.id) == mine.c.id)
        .join(Case, col(Case.id) == col(Statement.case_id))
        .order_by(col(Statement.updated_at), col(Statement.id))
        .limit(LIMIT)
    )


def _to_publish(actor: Actor) -> Any:
    return _statements(actor, Statement.status == StatementStatus.APPROVED)


def _approved_at(session: Session, rows: Sequence[Any]) -> dict[int, datetime]:
    """When each of the approved statements ``rows`` was approved (its latest approval still standing)."""
    approved: dict[int, datetime] = {}
    ids = [r.id for r in rows]
    if ids:
        for statement_id, at in session.exec(
            select(StatementApproval.statement_id, StatementApproval.approved_at).where(
                col(StatementApproval.statement_id).in_(ids), col(StatementApproval.voided_at).is_(None)
            )
        ).all():
            approved[statement_id] = max(at, approved.get(statement_id, at))
    return approved


def _mentioned(actor: Actor) -> Any:
    return (
        sa_select(col(Notification.id), col(Notification.created_at), *CASE_COLUMNS)
        .join(Case, col(Case.id) == col(Notification.case_id))
        .where(
            and_(
                col(Notification.user_id) == actor.user_id,
                col(Notification.kind) == NotificationKind.MENTIONED,
                col(Notification.read_at).is_(None),
                visible(actor),
            )
        )
        .order_by(col(Notification.created_at))
        .limit(LIMIT)
    )


def _kinds(actor: Actor) -> list[tuple[QueueKind, Any]]:
    """The statement of each kind that applies to ``actor``, in the queue's reading order, each giving the kind's
    first ``LIMIT`` rows (``to_approve`` is read with the approval queue: ``_to_approve``)."""
    kinds: list[tuple[QueueKind, Any]] = []
    if actor.has_role(Role.PRESS_OFFICER):
        kinds += [(QueueKind.TO_ROUTE, _to_route(actor)), (QueueKind.TO_PUBLISH, _to_publish(actor))]
    if _headed(actor):
        kinds += [(QueueKind.TO_ACCEPT, _to_accept(actor)), (QueueKind.TO_SUBMIT, _to_submit(actor))]
    kinds += [(QueueKind.TO_DRAFT, _to_draft(actor)), (QueueKind.RETURNED, _returned(actor)),
              (QueueKind.MENTIONED, _mentioned(actor))]  # fmt: skip
    return [(kind, statement) for kind, statement in kinds if statement is not None]


def _items(session: Session, kind: QueueKind, rows: Sequence[Any]) -> list[QueueItem]:
    """The queue's items of ``kind`` from the rows of its statement (``_kinds``)."""
    if kind == QueueKind.TO_ROUTE:
        return [_item(kind, r, r.received_at) for r in rows]
    if kind in (QueueKind.TO_ACCEPT, QueueKind.TO_DRAFT):
        return [_item(kind, r, r.status_changed_at) for r in rows]
    if kind in (QueueKind.TO_SUBMIT, QueueKind.RETURNED):
        return [_item(kind, r, r.updated_at, r.id) for r in rows]
    if kind == QueueKind.TO_PUBLISH:
        approved = _approved_at(session, rows)
        return [_item(kind, r, approved.get(r.id, r.updated_at), r.id) for r in rows]
    items = []
    for row in rows:  # mentioned
        item = _item(kind, row, row.created_at)
        item.notification_id = row.id
        items.append(item)
    return items


def my_queue(session: Session, *, actor: Actor, now: datetime,
             submitted: Sequence[ApprovalItem] | None = None) -> QueuePage:  # fmt: skip
    """Everything that waits for ``actor`` now, nearest deadline first, then the oldest. ``submitted``: the approval
    queue's rows when the caller has read them already (``statements.queries.approval_rows``, ``LIMIT`` of them;
    an empty list for someone who may approve nothing)."""
    items: list[QueueItem] = []
    for kind, statement in _kinds(actor):
        items += _items(session, kind, session.execute(statement).all())
    items += _to_approve(session, actor, now, submitted)
    items.sort(key=lambda i: (i.due_at or FAR, i.since, i.case_reference, i.statement_id or 0))
    counts = dict.fromkeys(QueueKind, 0)
    for item in items:
        counts[item.kind] += 1
    return QueuePage(items=items, counts={k: n for k, n in counts.items() if n})


def queue_count(session: Session, *, actor: Actor, now: datetime,
                submitted: Sequence[ApprovalItem] | None = None) -> int:  # fmt: skip
    """How many things wait for the actor (the header's badge on every staff page): ``len(my_queue(…).items)``,
    without reading them — one statement adds up what each kind's statement gives (at most ``LIMIT``), and the
    approval rows, already read with the header (``submitted``), are counted. Building the press office's 550
    items on every page took more CPU than the rest of a case list page."""
    counts = [
        sa_select(func.count()).select_from(statement.order_by(None).subquery()).scalar_subquery()
        for _kind, statement in _kinds(actor)
    ]
    total = session.execute(sa_select(sum(counts[1:], counts[0]))).scalar_one()  # ``_kinds`` has three at least
    return int(total) + len(_to_approve(session, actor, now, submitted))
