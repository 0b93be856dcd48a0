"""Use cases of statements: draft, version, compare, comment, submit, return, approve, publish.

Who (product §10): a handler (of the lead unit) drafts; the unit head, or the press office on the unit's behalf,
submits; a holder of spokesperson authority for the case at that moment (``spokespersons.rules``) approves or
returns; the press office publishes. Every step writes a case event, and a case's main statement drives the
case's status through ``cases.service.transition_case(..., via_statement=True)``.

Statement rows move with a guarded UPDATE (``… WHERE id = :id AND status = :expected AND current_version = :v``):
of two racing actions (an approval and a new version, two approvals) exactly one wins, the other gets a 409.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, can, require
from app.cases.models import Case, UserRef
from app.cases.service import Scope, record_event, scope_of, transition_case, visible_cases
from app.cases.workflow import CLOSED_STATUSES, TRANSITIONS
from app.cases.workflow import STATUS_LABELS as CASE_STATUS_LABELS
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _
from app.notices import service as notices
from app.notices.models import Notice
from app.notices.rules import publication_time
from app.org.models import User
from app.spokespersons import service as spokespersons
from app.spokespersons.rules import CAPACITY_BASIS, Authority
from app.spokespersons.service import regime_for
from app.statements import diff, rules
from app.statements.models import (
    ApprovalRead,
    ApproveIn,
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
    StatementCreate,
    StatementRead,
    StatementSummary,
    StatementVersion,
    VersionCreate,
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


def _latest(session: Session, statement: Statement) -> StatementVersion:
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


# --- moving a statement -------------------------------------------------------------------------------------


def _move(
    session: Session,
    statement: Statement,
    *,
    action: StatementAction,
    now: datetime,
    new_version: int | None = None,
    **values: Any,
) -> StatementStatus:
    """Apply ``action`` to the statement's status with a guarded UPDATE; a concurrent change → 409."""
    target = rules.next_status(statement.status, action)
    result = session.execute(
        update(Statement)
        .where(
            col(Statement.id) == statement.id,
            col(Statement.status) == statement.status,
            col(Statement.current_version) == statement.current_version,
        )
        .values(
            status=target,
            updated_at=now,
            current_version=new_version or statement.current_version,
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(statement)
        raise Conflict(
            _(
                "Nội dung phát ngôn vừa được người khác cập nhật (trạng thái hiện tại: {status}).",
                status=rules.STATUS_LABELS[statement.status],
            ),  # fmt: skip
            status=statement.status.value,
        )
    session.refresh(statement)
    return target


def _drive_case(
    session: Session,
    *,
    actor: Actor,
    statement: Statement,
    case: Case,
    status: StatementStatus,
    action: StatementAction,
    now: datetime,
    note: str | None = None,
    published_at: datetime | None = None,
) -> None:
    """Move the case along with its main statement (nothing for the other kinds)."""
    case_action = rules.case_action(statement.kind, status, action)
    if case_action is None:
        return
    data: dict[str, Any] = {"statement_id": statement.id, "statement_kind": statement.kind.value}
    if published_at is not None:
        data["published_at"] = published_at.isoformat()
    transition_case(
        session,
        actor=actor,
        case=case,
        action=case_action,
        now=now,
        note=note,
        via_statement=True,
        event_data=data,
    )


def _check_case_edge(statement: Statement, case: Case, action: StatementAction) -> None:
    """Refuse early (before anything is written) when the case is closed or cannot follow its main statement."""
    if case.status in CLOSED_STATUSES:
        raise InvalidTransition(_("Vụ việc đã đóng: mở lại trước khi xử lý nội dung phát ngôn."),
                                status=case.status.value)  # fmt: skip
    case_action = rules.case_action(statement.kind, statement.status, action)
    if case_action is not None and (case.status, case_action) not in TRANSITIONS:
        raise InvalidTransition(
            _(
                "Vụ việc đang ở trạng thái «{status}»: không thể «{action}» nội dung trả lời lúc này.",
                status=CASE_STATUS_LABELS[case.status],
                action=rules.ACTION_LABELS[action],
            ),  # fmt: skip
            action=action.value,
            status=case.status.value,
        )


def _event_data(statement: Statement, **extra: Any) -> dict[str, Any]:
    return {"statement_id": statement.id, "statement_kind": statement.kind.value, **extra}


def _require_authority(session: Session, *, actor: Actor, case: Case, now: datetime) -> Authority:
    authority = spokespersons.authority_for(session, actor=actor, case=case, at=now)
    if authority is None:
        raise PermissionDenied(
            _("Bạn không có thẩm quyền phát ngôn cho vụ việc {reference} vào lúc này.", reference=case.reference)
        )
    return authority


# --- drafting -----------------------------------------------------------------------------------------------


def _correction_target(session: Session, *, case: Case, data: StatementCreate) -> Statement | None:
    if data.kind != StatementKind.CORRECTION:
        if data.corrects or data.withdraw:
            raise ValidationFailed(_("Chỉ nội dung đính chính mới dẫn chiếu thông cáo cần đính chính."),
                                   field="corrects")  # fmt: skip
        return None
    if not data.corrects:
        raise ValidationFailed(_("Nội dung đính chính phải dẫn chiếu số thông cáo cần đính chính."), field="corrects")
    assert case.id is not None
    target = notices.find_notice(session, data.corrects, case_id=case.id)
    if target is None:
        raise ValidationFailed(
            _("Vụ việc {reference} không có thông cáo số {number}.", reference=case.reference, number=data.corrects),
            field="corrects",
        )
    if data.withdraw and notices.withdrawn_by(session, target) is not None:
        raise Conflict(_("Thông cáo {number} đã bị thu hồi.", number=target.number), field="corrects")
    statement = session.get(Statement, target.statement_id)
    assert statement is not None
    return statement


def create_statement(session: Session, *, actor: Actor, case: Case, data: StatementCreate, now: datetime) -> Statement:
    """A new statement with its version 1 (status ``draft``)."""
    scope = scope_of(session, case)
    require(actor, Permission.STATEMENT_DRAFT, scope)
    assert case.id is not None
    # Serialise statement creation per case (PostgreSQL row lock; SQLite writers are serialised already).
    session.exec(select(Case.id).where(col(Case.id) == case.id).with_for_update())
    if not rules.may_draft(data.kind, case.status):
        if data.kind in MAIN_KINDS:
            raise InvalidTransition(
                _(
                    "Chỉ soạn nội dung trả lời khi đơn vị đang xử lý vụ việc (trạng thái hiện tại: {status}).",
                    status=CASE_STATUS_LABELS[case.status],
                ),  # fmt: skip
                status=case.status.value,
            )
        raise InvalidTransition(_("Vụ việc đã đóng: mở lại trước khi soạn nội dung phát ngôn."),
                                status=case.status.value)  # fmt: skip
    if data.kind in MAIN_KINDS:
        open_main = session.exec(
            select(Statement.id).where(
                Statement.case_id == case.id,
                col(Statement.kind).in_(MAIN_KINDS),
                Statement.status != StatementStatus.PUBLISHED,
            )
        ).first()
        if open_main is not None:
            raise Conflict(
                _(
                    "Vụ việc đã có nội dung trả lời đang soạn hoặc chờ duyệt (số {id}); hãy sửa nội dung đó.",
                    id=open_main,
                ),  # fmt: skip
                statement_id=open_main,
            )
    rules.check_refusal(data.kind, data.refusal_ground, data.refusal_reason, regime_for(case.received_at))
    target = _correction_target(session, case=case, data=data)
    if data.text is None:  # a template's draft comes filled (answer_templates.service.draft_statement)
        raise ValidationFailed(_("Cần nội dung (text) hoặc mẫu (template_id), và chỉ một trong hai."), field="text")

    statement = Statement(
        case_id=case.id,
        kind=data.kind,
        status=StatementStatus.DRAFT,
        current_version=1,
        corrects_statement_id=target.id if target else None,
        withdraw=data.withdraw,
        created_at=now,
        created_by_id=actor.user_id,
        updated_at=now,
    )
    session.add(statement)
    session.flush()
    assert statement.id is not None
    session.add(
        StatementVersion(
            statement_id=statement.id,
            number=1,
            title=data.title or case.title,
            text=data.text,
            text_sha256=rules.text_digest(data.text),
            refusal_ground=data.refusal_ground,
            refusal_reason=data.refusal_reason,
            note=data.note,
            author_id=actor.user_id,
            created_at=now,
        )
    )
    session.flush()
    extra = {"template_id": data.template_id} if data.template_id is not None else {}
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="statement_created", note=data.note,
                 data=_event_data(statement, version=1, **extra))  # fmt: skip
    return statement


def add_version(
    session: Session, *, actor: Actor, statement: Statement, case: Case, data: VersionCreate, now: datetime
) -> Statement:
    """The next version. After an approval it voids the approval (and the case goes back to the unit)."""
    require(actor, Permission.STATEMENT_DRAFT, scope_of(session, case))
    if data.base_version is not None and data.base_version != statement.current_version:
        raise Conflict(
            _(
                "Nội dung đã có phiên bản {current}; bạn đang sửa từ phiên bản {base}.",
                current=statement.current_version,
                base=data.base_version,
            ),  # fmt: skip
            current_version=statement.current_version,
        )
    status = statement.status
    rules.next_status(status, StatementAction.ADD_VERSION)
    _check_case_edge(statement, case, StatementAction.ADD_VERSION)
    previous = _latest(session, statement)
    title = data.title or previous.title
    fields = data.model_fields_set
    ground = data.refusal_ground if "refusal_ground" in fields else previous.refusal_ground
    reason = data.refusal_reason if "refusal_reason" in fields else previous.refusal_reason
    rules.check_refusal(statement.kind, ground, reason, regime_for(case.received_at))
    if (data.text, title, ground, reason) == (previous.text, previous.title, previous.refusal_ground,
                                              previous.refusal_reason):  # fmt: skip
        raise ValidationFailed(_("Phiên bản mới không có thay đổi nào so với phiên bản {n}.", n=previous.number),
                               field="text")  # fmt: skip

    voided = valid_approval(session, statement) if rules.voids_approval(status, StatementAction.ADD_VERSION) else None
    number = statement.current_version + 1
    _move(session, statement, action=StatementAction.ADD_VERSION, now=now, new_version=number)
    assert statement.id is not None
    session.add(
        StatementVersion(
            statement_id=statement.id,
            number=number,
            title=title,
            text=data.text,
            text_sha256=rules.text_digest(data.text),
            refusal_ground=ground,
            refusal_reason=reason,
            note=data.note,
            author_id=actor.user_id,
            created_at=now,
        )
    )
    session.flush()
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="statement_version_added", note=data.note,
                 data=_event_data(statement, version=number))  # fmt: skip
    if voided is not None:
        reason_text = str(_("Có phiên bản mới ({n}) sau khi duyệt.", n=number))
        session.execute(
            update(StatementApproval)
            .where(col(StatementApproval.id) == voided.id, col(StatementApproval.voided_at).is_(None))
            .values(voided_at=now, voided_by_id=actor.user_id, void_reason=reason_text)
            .execution_options(synchronize_session=False)
        )
        session.refresh(voided)
        record_event(session, case=case, actor_id=actor.user_id, now=now, kind="approval_voided", note=reason_text,
                     data=_event_data(statement, approval_id=voided.id, approved_version=voided.version_number,
                                      version=number))  # fmt: skip
    _drive_case(session, actor=actor, statement=statement, case=case, status=status,
                action=StatementAction.ADD_VERSION, now=now, note=data.note)  # fmt: skip
    return statement


def add_comment(
    session: Session,
    *,
    actor: Actor,
    statement: Statement,
    case: Case,
    text: str,
    version: int | None,
    now: datetime,
) -> StatementComment:
    require(actor, Permission.CASE_NOTE, scope_of(session, case))
    if version is not None and version > statement.current_version:
        raise ValidationFailed(_("Không có phiên bản {n}.", n=version), field="version")
    assert statement.id is not None
    comment = StatementComment(statement_id=statement.id, version_number=version, kind="comment", text=text,
                               author_id=actor.user_id, at=now)  # fmt: skip
    session.add(comment)
    session.flush()
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="statement_commented", note=text,
                 data=_event_data(statement, version=version))  # fmt: skip
    return comment


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


# --- the approval path --------------------------------------------------------------------------------------


def submit(
    session: Session, *, actor: Actor, statement: Statement, case: Case, note: str | None, now: datetime
) -> Statement:
    """The unit head (or the press office on the unit's behalf) submits the statement for approval."""
    require(actor, Permission.STATEMENT_SUBMIT, scope_of(session, case))
    status = statement.status
    rules.next_status(status, StatementAction.SUBMIT)
    _check_case_edge(statement, case, StatementAction.SUBMIT)
    _move(session, statement, action=StatementAction.SUBMIT, now=now, submitted_at=now, submitted_by_id=actor.user_id)
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="statement_submitted", note=note,
                 data=_event_data(statement, version=statement.current_version))  # fmt: skip
    _drive_case(session, actor=actor, statement=statement, case=case, status=status, action=StatementAction.SUBMIT,
                now=now, note=note)  # fmt: skip
    return statement


def return_statement(
    session: Session, *, actor: Actor, statement: Statement, case: Case, comment: str, now: datetime
) -> Statement:
    """A holder of spokesperson authority sends the statement back to the unit with a comment."""
    _require_authority(session, actor=actor, case=case, now=now)
    status = statement.status
    rules.next_status(status, StatementAction.RETURN)
    _check_case_edge(statement, case, StatementAction.RETURN)
    _move(session, statement, action=StatementAction.RETURN, now=now)
    assert statement.id is not None
    session.add(StatementComment(statement_id=statement.id, version_number=statement.current_version, kind="return",
                                 text=comment, author_id=actor.user_id, at=now))  # fmt: skip
    session.flush()
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind="statement_returned", note=comment,
                 data=_event_data(statement, version=statement.current_version))  # fmt: skip
    _drive_case(session, actor=actor, statement=statement, case=case, status=status, action=StatementAction.RETURN,
                now=now, note=comment)  # fmt: skip
    return statement


def approve(
    session: Session, *, actor: Actor, statement: Statement, case: Case, data: ApproveIn, now: datetime
) -> StatementApproval:
    """A holder of spokesperson authority for this case, now, approves the current version, after confirming the
    checklist. The approval records the approver, the capacity, the appointment or authorisation, the time and the
    SHA-256 of the exact text."""
    authority = _require_authority(session, actor=actor, case=case, now=now)
    status = statement.status
    rules.next_status(status, StatementAction.APPROVE)
    if data.version is not None and data.version != statement.current_version:
        raise Conflict(
            _(
                "Bạn đang duyệt phiên bản {v}, nhưng phiên bản mới nhất là {current}.",
                v=data.version,
                current=statement.current_version,
            ),  # fmt: skip
            current_version=statement.current_version,
        )
    rules.check_checklist(data.checklist.model_dump())
    _check_case_edge(statement, case, StatementAction.APPROVE)
    version = _latest(session, statement)
    rules.check_refusal(statement.kind, version.refusal_ground, version.refusal_reason, authority.regime)
    digest = rules.text_digest(version.text)
    _move(session, statement, action=StatementAction.APPROVE, now=now)
    assert statement.id is not None and version.id is not None
    approval = StatementApproval(
        statement_id=statement.id,
        version_id=version.id,
        version_number=version.number,
        text_sha256=digest,
        approver_id=actor.user_id,
        approver_name=actor.full_name,
        approver_title=spokespersons.speaker_title(session, actor=actor, authority=authority),
        capacity=authority.capacity,
        regime=authority.regime,
        appointment_id=authority.appointment_id,
        authorisation_id=authority.authorisation_id,
        checklist=data.checklist.model_dump(),
        note=data.note,
        approved_at=now,
    )
    session.add(approval)
    session.flush()
    record_event(
        session,
        case=case,
        actor_id=actor.user_id,
        now=now,
        kind="statement_approved",
        note=data.note,
        data=_event_data(
            statement,
            version=version.number,
            approval_id=approval.id,
            capacity=authority.capacity.value,
            appointment_id=authority.appointment_id,
            authorisation_id=authority.authorisation_id,
            text_sha256=digest,
        ),
    )
    _drive_case(session, actor=actor, statement=statement, case=case, status=status, action=StatementAction.APPROVE,
                now=now, note=data.note)  # fmt: skip
    return approval


def publish(
    session: Session,
    *,
    actor: Actor,
    statement: Statement,
    case: Case,
    at: datetime | None,
    now: datetime,
    issuer: str,
) -> Notice:
    """The press office publishes exactly the approved text as a numbered notice, now or at a set minute (embargo).

    Events: ``notice_published`` always, dated at the publication minute (so for an embargo it is recorded now but
    dated in the future, when the notice becomes public); for an embargo also ``notice_scheduled``, dated now.
    Both carry ``{"statement_id", "statement_kind", "notice_number", "published_at"}``.
    """
    require(actor, Permission.NOTICE_PUBLISH, scope_of(session, case))
    status = statement.status
    rules.next_status(status, StatementAction.PUBLISH)
    approval = valid_approval(session, statement)
    version = _latest(session, statement)
    digest = rules.text_digest(version.text)
    if approval is None or approval.version_id != version.id or approval.text_sha256 != digest:
        raise Conflict(_("Văn bản hiện tại không phải văn bản đã được duyệt; không công bố."))
    published_at = publication_time(at, now)
    _check_case_edge(statement, case, StatementAction.PUBLISH)
    corrects: Notice | None = None
    if statement.corrects_statement_id is not None:
        corrects = notices.notice_of_statement(session, statement.corrects_statement_id)
        assert corrects is not None
        if statement.withdraw and notices.withdrawn_by(session, corrects) is not None:
            raise Conflict(_("Thông cáo {number} đã bị thu hồi.", number=corrects.number))
    _move(session, statement, action=StatementAction.PUBLISH, now=now)
    _drive_case(session, actor=actor, statement=statement, case=case, status=status, action=StatementAction.PUBLISH,
                now=now, published_at=published_at)  # fmt: skip
    assert statement.id is not None and version.id is not None and approval.id is not None
    refusal_basis = (
        rules.refusal_basis(approval.regime, version.refusal_ground) if version.refusal_ground is not None else None
    )
    notice = notices.issue_notice(
        session,
        statement_id=statement.id,
        kind=statement.kind,
        version_id=version.id,
        approval_id=approval.id,
        title=version.title,
        text=version.text,
        text_sha256=approval.text_sha256,
        case=case,
        spokesperson_name=approval.approver_name,
        spokesperson_title=approval.approver_title,
        spokesperson_capacity=approval.capacity,
        authorisation_id=approval.authorisation_id,
        refusal_ground=version.refusal_ground,
        refusal_basis=refusal_basis,
        refusal_reason=version.refusal_reason,
        corrects=corrects,
        withdraws=statement.withdraw,
        published_at=published_at,
        issued_by_id=actor.user_id,
        issuer=issuer,
        now=now,
    )
    data = _event_data(statement, notice_number=notice.number, published_at=published_at.isoformat())
    if published_at > now:
        record_event(session, case=case, actor_id=actor.user_id, now=now, kind="notice_scheduled", data=data)
    record_event(session, case=case, actor_id=actor.user_id, now=published_at, kind="notice_published", data=data)
    return notice


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
    ids = [s.id for s in statements if s.id is not None]
    issued = notices.notices_of_statements(session, ids)
    users = _users(session, {s.created_by_id for s in statements})
    summaries = []
    for statement in statements:
        assert statement.id is not None
        latest = _latest(session, statement)
        notice = issued.get(statement.id)
        summaries.append(
            StatementSummary(
                id=statement.id,
                case_reference=case.reference,
                kind=statement.kind,
                main=statement.kind in MAIN_KINDS,
                status=statement.status,
                version=statement.current_version,
                title=latest.title,
                created_at=statement.created_at,
                created_by=users.get(statement.created_by_id),
                updated_at=statement.updated_at,
                approved=valid_approval(session, statement) is not None,
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


def approval_queue(session: Session, *, actor: Actor, now: datetime, limit: int = 50) -> list[QueueItem]:
    """The submitted statements of the cases the actor may see, oldest submission first, with the time left on
    each (the approval clock, else the case's nearest running clock) and whether the actor may decide now."""
    from app.clocks.models import Clock, ClockState
    from app.rules.models import StartEvent

    visible = visible_cases(actor).with_only_columns(col(Case.id))
    rows = session.exec(
        select(Statement, Case)
        .join(Case, col(Case.id) == col(Statement.case_id))
        .where(Statement.status == StatementStatus.SUBMITTED, col(Case.id).in_(visible))
        .order_by(col(Statement.submitted_at), col(Statement.id))
        .limit(limit)
    ).all()
    if not rows:
        return []
    case_ids = {case.id for _statement, case in rows}
    approval_due: dict[int, datetime] = {}
    for case_id, due in session.exec(
        select(Clock.case_id, Clock.due_at).where(
            col(Clock.case_id).in_(case_ids),
            Clock.state == ClockState.RUNNING,
            Clock.start_event == StartEvent.SUBMITTED,
        )
    ).all():
        if due is not None and (case_id not in approval_due or due < approval_due[case_id]):
            approval_due[case_id] = due
    users = _users(session, {s.submitted_by_id for s, _case in rows})
    items = []
    for statement, case in rows:
        assert case.id is not None
        summary = statement_summaries(session, case=case, statements=[statement])[0]
        authority = spokespersons.authority_for(session, actor=actor, case=case, at=now)
        items.append(
            QueueItem(
                statement=summary,
                case_title=case.title,
                case_severity=case.severity,
                submitted_at=statement.submitted_at,
                submitted_by=users.get(statement.submitted_by_id) if statement.submitted_by_id else None,
                approval_due_at=approval_due.get(case.id),
                case_due_at=case.next_due_at,
                may_decide=authority is not None,
            )
        )
    return items
