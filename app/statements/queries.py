"""Reading statements: loading (scoped to what the actor may see), versions compared, the read models of the case
page and the API, the drafting options and the approval queue of the staff pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, can
from app.cases.models import Case, UserRef
from app.cases.scope import Scope, scope_of, visible, visible_cases
from app.cases.workflow import CLOSED_STATUSES, TRANSITIONS
from app.clocks.models import Clock, ClockState
from app.errors import NotFound
from app.i18n import _
from app.notices import service as notices
from app.notices.models import Notice
from app.org.models import User
from app.rules.schema import StartEvent
from app.spokespersons import queries as spokesperson_queries
from app.spokespersons import service as spokespersons
from app.spokespersons.rules import CAPACITY_BASIS, Authority
from app.spokespersons.service import regime_for
from app.statements import diff, rules
from app.statements.models import (
    ApprovalRead,
    CommentRead,
    DiffRead,
    DiffRow,
    DiffSegment,
    DraftingOptions,
    QueueItem,
    RefusalRead,
    Statement,
    StatementApproval,
    StatementComment,
    StatementRead,
    StatementSummary,
    StatementVersion,
    VersionRead,
)
from app.statements.rules import MAIN_KINDS, StatementAction, StatementKind, StatementStatus

# --- loading ------------------------------------------------------------------------------------------------


def get_statement(session: Session, *, actor: Actor, statement_id: int) -> tuple[Statement, Case]:
    """The statement and its case, if the actor may see the case (404 otherwise, as for the case itself)."""
    statement = session.get(Statement, statement_id)
    case = (
        session.exec(visible_cases(actor).where(col(Case.id) == statement.case_id)).first()
        if statement is not None
        else None
    )
    if statement is None or case is None:
        raise NotFound(_("Không tìm thấy nội dung phát ngôn số {id}.", id=statement_id))
    return statement, case


def list_statements(session: Session, *, actor: Actor, case: Case) -> list[Statement]:
    """A case's statements, oldest first (``case`` comes from ``get_case``: the actor may see it)."""
    del actor
    return list(session.exec(select(Statement).where(Statement.case_id == case.id).order_by(col(Statement.id))).all())


def _versions(session: Session, statement: Statement) -> list[StatementVersion]:
    return list(
        session.exec(
            select(StatementVersion)
            .where(StatementVersion.statement_id == statement.id)
            .order_by(col(StatementVersion.number))
        ).all()
    )


def _version(session: Session, statement: Statement, number: int) -> StatementVersion | None:
    return session.exec(
        select(StatementVersion).where(StatementVersion.statement_id == statement.id, StatementVersion.number == number)
    ).first()


def latest_version(session: Session, statement: Statement) -> StatementVersion:
    version = _version(session, statement, statement.current_version)
    assert version is not None
    return version


def _approvals(session: Session, statement: Statement) -> list[StatementApproval]:
    return list(
        session.exec(
            select(StatementApproval)
            .where(StatementApproval.statement_id == statement.id)
            .order_by(col(StatementApproval.id))
        ).all()
    )


def _in_force(statement: Statement, approval: StatementApproval) -> bool:
    return approval.voided_at is None and approval.version_number == statement.current_version


def valid_approval(session: Session, statement: Statement) -> StatementApproval | None:
    """The approval in force: not voided, and of the current version."""
    for approval in reversed(_approvals(session, statement)):
        if _in_force(statement, approval):
            return approval
    return None


# --- comparing -----------------------------------------------------------------------------------------------


def compare_versions(
    session: Session, *, actor: Actor, statement: Statement, from_version: int | None, to_version: int | None
) -> DiffRead:
    """A unified diff and the side-by-side rows between two versions (default: the latest and the one before)."""
    del actor  # the statement was loaded for the actor
    to_number = to_version or statement.current_version
    from_number = from_version or max(to_number - 1, 1)
    old = _version(session, statement, from_number)
    new = _version(session, statement, to_number)
    if old is None or new is None:
        missing = from_number if old is None else to_number
        raise NotFound(_("Không có phiên bản {n}.", n=missing))
    result = diff.compare(old.text, new.text, from_label=f"v{from_number}", to_label=f"v{to_number}")
    assert statement.id is not None
    return DiffRead(
        statement_id=statement.id,
        from_version=from_number,
        to_version=to_number,
        unified=result.unified,
        rows=[
            DiffRow(
                kind=r.kind,
                left_no=r.left_no,
                left=r.left,
                right_no=r.right_no,
                right=r.right,
                left_segments=[DiffSegment(text=s.text, changed=s.changed) for s in r.left_segments],
                right_segments=[DiffSegment(text=s.text, changed=s.changed) for s in r.right_segments],
            )
            for r in result.rows
        ],
        added=result.added,
        removed=result.removed,
    )


# --- reading ------------------------------------------------------------------------------------------------


def _users(session: Session, ids: set[int | None]) -> dict[int, UserRef]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {u.id: UserRef(username=u.username, full_name=u.full_name) for u in rows if u.id is not None}


def allowed_actions(
    session: Session, *, actor: Actor, statement: Statement, case: Case, scope: Scope, now: datetime
) -> list[StatementAction]:
    """What the actor may do with the statement now (the same checks as the actions themselves)."""
    result: list[StatementAction] = []
    authority: Authority | None | bool = False  # loaded once, when needed
    if case.status in CLOSED_STATUSES:
        return result
    for action in rules.allowed_actions(statement.status):
        case_action = rules.case_action(statement.kind, statement.status, action)
        if case_action is not None and (case.status, case_action) not in TRANSITIONS:
            continue
        if action == StatementAction.ADD_VERSION:
            ok = can(actor, Permission.STATEMENT_DRAFT, scope)
        elif action == StatementAction.SUBMIT:
            ok = can(actor, Permission.STATEMENT_SUBMIT, scope)
        elif action == StatementAction.PUBLISH:
            ok = can(actor, Permission.NOTICE_PUBLISH, scope)
        else:
            if authority is False:
                authority = spokespersons.authority_for(session, actor=actor, case=case, at=now)
            ok = authority is not None
        if ok:
            result.append(action)
    return result


def statement_summaries(session: Session, *, case: Case, statements: Sequence[Statement]) -> list[StatementSummary]:
    return summaries_of(session, [(statement, case) for statement in statements])


def summaries_of(session: Session, pairs: Sequence[tuple[Statement, Case]]) -> list[StatementSummary]:
    """The summaries of statements (with their cases), in four queries whatever their number: the notices, the
    authors, the latest versions, the approvals."""
    ids = [s.id for s, _case in pairs if s.id is not None]
    issued = notices.notices_of_statements(session, ids)
    users = _users(session, {s.created_by_id for s, _case in pairs})
    current = {s.id: s.current_version for s, _case in pairs}
    latest: dict[int, StatementVersion] = {}
    approved: set[int] = set()
    if ids:
        for version in session.exec(select(StatementVersion).where(col(StatementVersion.statement_id).in_(ids))).all():
            if version.number == current[version.statement_id]:
                latest[version.statement_id] = version
        for approval in session.exec(
            select(StatementApproval).where(col(StatementApproval.statement_id).in_(ids),
                                            col(StatementApproval.voided_at).is_(None))
        ).all():  # fmt: skip
            if approval.version_number == current[approval.statement_id]:
                approved.add(approval.statement_id)
    summaries = []
    for statement, case in pairs:
        assert statement.id is not None
        notice = issued.get(statement.id)
        summaries.append(
            StatementSummary(
                id=statement.id,
                case_reference=case.reference,
                kind=statement.kind,
                main=statement.kind in MAIN_KINDS,
                status=statement.status,
                version=statement.current_version,
                title=latest[statement.id].title,
                created_at=statement.created_at,
                created_by=users.get(statement.created_by_id),
                updated_at=statement.updated_at,
                approved=statement.id in approved,  # valid_approval: not voided, of the current version
                notice=notices.notice_ref(notice) if notice else None,
            )
        )
    return summaries


def statement_read(session: Session, *, actor: Actor, statement: Statement, case: Case, now: datetime) -> StatementRead:
    assert statement.id is not None
    versions = _versions(session, statement)
    approvals = _approvals(session, statement)
    comments = list(
        session.exec(
            select(StatementComment)
            .where(StatementComment.statement_id == statement.id)
            .order_by(col(StatementComment.at), col(StatementComment.id))
        ).all()
    )
    users = _users(
        session,
        {statement.created_by_id, statement.submitted_by_id}
        | {v.author_id for v in versions}
        | {i for a in approvals for i in (a.approver_id, a.voided_by_id)}
        | {c.author_id for c in comments},
    )
    latest = versions[-1]
    regime = regime_for(case.received_at)
    refusal = None
    if latest.refusal_ground is not None:
        refusal = RefusalRead(
            ground=latest.refusal_ground,
            basis=rules.REFUSAL_GROUNDS[regime].get(latest.refusal_ground, ""),
            reason=latest.refusal_reason or "",
        )
    corrects = (
        notices.notice_of_statement(session, statement.corrects_statement_id)
        if statement.corrects_statement_id
        else None
    )
    approval_reads = [
        ApprovalRead(
            id=a.id or 0,
            version=a.version_number,
            text_sha256=a.text_sha256,
            approver=users.get(a.approver_id),
            approver_name=a.approver_name,
            approver_title=a.approver_title,
            capacity=a.capacity,
            regime=a.regime,
            basis=CAPACITY_BASIS[(a.regime, a.capacity)],
            appointment_id=a.appointment_id,
            authorisation_id=a.authorisation_id,
            checklist=a.checklist,
            note=a.note,
            approved_at=a.approved_at,
            voided_at=a.voided_at,
            voided_by=users.get(a.voided_by_id) if a.voided_by_id else None,
            void_reason=a.void_reason,
            valid=_in_force(statement, a),
        )
        for a in approvals
    ]
    summary = statement_summaries(session, case=case, statements=[statement])[0]
    return StatementRead(
        **summary.model_dump(exclude={"created_by", "notice"}),
        created_by=summary.created_by,
        notice=summary.notice,
        text=latest.text,
        text_sha256=latest.text_sha256,
        refusal=refusal,
        corrects=notices.notice_ref(corrects) if corrects else None,
        withdraw=statement.withdraw,
        submitted_at=statement.submitted_at,
        submitted_by=users.get(statement.submitted_by_id) if statement.submitted_by_id else None,
        versions=[
            VersionRead(
                number=v.number,
                title=v.title,
                text=v.text,
                text_sha256=v.text_sha256,
                refusal_ground=v.refusal_ground,
                refusal_reason=v.refusal_reason,
                note=v.note,
                author=users.get(v.author_id),
                created_at=v.created_at,
            )
            for v in versions
        ],
        approval=next((r for r in reversed(approval_reads) if r.valid), None),
        approvals=approval_reads,
        comments=[
            CommentRead(
                id=c.id or 0, kind=c.kind, version=c.version_number, text=c.text, author=users.get(c.author_id), at=c.at
            )  # fmt: skip
            for c in comments
        ],
        allowed_actions=allowed_actions(
            session, actor=actor, statement=statement, case=case, scope=scope_of(session, case), now=now
        ),
    )


def version_read(session: Session, *, statement: Statement, number: int) -> VersionRead:
    version = _version(session, statement, number)
    if version is None:
        raise NotFound(_("Không có phiên bản {n}.", n=number))
    author = _users(session, {version.author_id}).get(version.author_id)
    return VersionRead(
        number=version.number,
        title=version.title,
        text=version.text,
        text_sha256=version.text_sha256,
        refusal_ground=version.refusal_ground,
        refusal_reason=version.refusal_reason,
        note=version.note,
        author=author,
        created_at=version.created_at,
    )


def list_comments(session: Session, *, statement: Statement) -> list[CommentRead]:
    comments = session.exec(
        select(StatementComment)
        .where(StatementComment.statement_id == statement.id)
        .order_by(col(StatementComment.at), col(StatementComment.id))
    ).all()
    return comment_reads(session, comments)


def comment_reads(session: Session, comments: Sequence[StatementComment]) -> list[CommentRead]:
    users = _users(session, {c.author_id for c in comments})
    return [
        CommentRead(
            id=c.id or 0, kind=c.kind, version=c.version_number, text=c.text, author=users.get(c.author_id), at=c.at
        )  # fmt: skip
        for c in comments
    ]


# --- the staff pages ----------------------------------------------------------------------------------------


def drafting_options(session: Session, *, actor: Actor, case: Case) -> DraftingOptions:
    """The kinds of statement the actor may draft on the case now (the checks of ``create_statement``), the refusal
    grounds the case's regime offers, and the case's notices that a correction may name (not withdrawn)."""
    assert case.id is not None
    grounds = list(rules.REFUSAL_GROUNDS[regime_for(case.received_at)])
    if not can(actor, Permission.STATEMENT_DRAFT, scope_of(session, case)):
        return DraftingOptions(kinds=[], refusal_grounds=grounds, correctable=[])
    open_main = session.exec(
        select(Statement.id).where(
            Statement.case_id == case.id,
            col(Statement.kind).in_(MAIN_KINDS),
            Statement.status != StatementStatus.PUBLISHED,
        )
    ).first()
    issued = session.exec(
        select(Notice).where(Notice.case_id == case.id).order_by(col(Notice.published_at).desc(), col(Notice.id))
    ).all()
    correctable = [notices.notice_ref(n) for n in issued if notices.withdrawn_by(session, n) is None]
    kinds = []
    for kind in StatementKind:
        if not rules.may_draft(kind, case.status):
            continue
        if kind in MAIN_KINDS and open_main is not None:
            continue
        if kind == StatementKind.CORRECTION and not correctable:
            continue
        kinds.append(kind)
    return DraftingOptions(kinds=kinds, refusal_grounds=grounds, correctable=correctable)


def submissions(session: Session, *, actor: Actor, now: datetime, limit: int = 50) -> list[QueueItem]:
    """The first ``limit`` submitted statements of the cases the actor may see, oldest submission first, each with
    the time left (its approval clock, else the case's nearest running clock) and whether the actor may decide it
    now. One statement reads the columns the queue shows (the statement's, its case's, who submitted it, and the
    nearest running approval clock as a subquery); the authorities add two more (none for the director).

    ``visible``: a condition on the joined case, not "case.id IN (every visible case)"."""
    approval_due = (
        select(func.min(Clock.due_at))
        .where(
            col(Clock.case_id) == col(Case.id),
            Clock.state == ClockState.RUNNING,
            Clock.start_event == StartEvent.SUBMITTED,
        )
        .correlate(Case)
        .scalar_subquery()
    )
    rows = session.execute(
        sa_select(
            col(Statement.id).label("statement_id"),
            col(Statement.kind),
            col(Statement.current_version),
            col(Statement.submitted_at),
            col(Case.id).label("case_id"),
            col(Case.reference),
            col(Case.title),
            col(Case.severity),
            col(Case.received_at),
            col(Case.next_due_at),
            col(User.username),
            col(User.full_name),
            approval_due.label("approval_due_at"),
        )
        .join(Case, col(Case.id) == col(Statement.case_id))
        .outerjoin(User, col(User.id) == col(Statement.submitted_by_id))
        .where(col(Statement.status) == StatementStatus.SUBMITTED, visible(actor))
        .order_by(col(Statement.submitted_at), col(Statement.id))
        .limit(limit)
    ).all()
    if not rows:
        return []
    cases = [(r.case_id, r.received_at) for r in rows]
    authorities = spokespersons.authorities_of(session, actor=actor, cases=cases, at=now)
    people = {(r.username, r.full_name): UserRef(username=r.username, full_name=r.full_name)
              for r in rows if r.username is not None}  # fmt: skip
    return [
        QueueItem(
            statement_id=r.statement_id,
            kind=r.kind,
            version=r.current_version,
            case_reference=r.reference,
            case_title=r.title,
            case_severity=r.severity,
            submitted_at=r.submitted_at,
            submitted_by=people.get((r.username, r.full_name)),
            approval_due_at=r.approval_due_at,
            case_due_at=r.next_due_at,
            may_decide=authorities[r.case_id] is not None,
        )
        for r in rows
    ]


def approval_rows(session: Session, *, actor: Actor, now: datetime, limit: int = 50) -> list[QueueItem] | None:
    """``submissions`` for someone who may approve something: read once per staff page, the header's queue takes
    the ones the actor may decide, the home's approval panel the first of them. None, without reading them, for
    someone who sees no case or may approve nothing (no appointment, no authorisation on record, not the
    director: ``spokespersons.queries.may_hold_authority``)."""
    if not actor.sees_all_cases and not actor.unit_ids():
        return None
    if not spokesperson_queries.may_hold_authority(session, actor=actor):
        return None
    return submissions(session, actor=actor, now=now, limit=limit)


def approval_queue(
    session: Session, *, actor: Actor, now: datetime, limit: int = 50, read: Sequence[QueueItem] | None = None
) -> list[QueueItem]:
    """The approval panel: the first ``limit`` of ``submissions``. ``read``: the rows this request has already read
    (``approval_rows`` for the header, with a limit of at least ``limit``, in the same order): their first
    ``limit`` are the same items, so they are not read again."""
    if read is not None:
        return list(read[:limit])
    return submissions(session, actor=actor, now=now, limit=limit)
