"""Use cases of statements: draft, version, comment, and the approval path (submit, return, approve), every step
through one function, ``step``. Publication is the notices domain's job (``notices/publication.py``); reading is
``queries.py``.

Who (product §10): a handler (of the lead unit) drafts; the unit head, or the press office on the unit's behalf,
submits; a holder of spokesperson authority for the case at that moment (``spokespersons.rules``) approves or
returns; the press office publishes. Every step writes a case event, and a case's main statement drives the
case's status through ``cases.service.transition_case(..., via_statement=True)``.

Statement rows move with a guarded UPDATE (``… WHERE id = :id AND status = :expected AND current_version = :v``):
of two racing actions (an approval and a new version, two approvals) exactly one wins, the other gets a 409.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.cases.events import record_event
from app.cases.models import Case
from app.cases.scope import scope_of
from app.cases.service import transition_case
from app.cases.vocabulary import CaseEventKind
from app.cases.workflow import CLOSED_STATUSES, TRANSITIONS
from app.cases.workflow import STATUS_LABELS as CASE_STATUS_LABELS
from app.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from app.i18n import _
from app.notices import service as notices
from app.spokespersons import service as spokespersons
from app.spokespersons.rules import Authority
from app.spokespersons.service import regime_for
from app.statements import rules
from app.statements.models import (
    ApproveIn,
    Statement,
    StatementApproval,
    StatementComment,
    StatementCreate,
    StatementVersion,
    VersionCreate,
)
from app.statements.queries import latest_version, valid_approval
from app.statements.rules import MAIN_KINDS, StatementAction, StatementKind, StatementStatus

# --- moving a statement -------------------------------------------------------------------------------------


def move(
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


def drive_case(
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


def check_case_edge(statement: Statement, case: Case, action: StatementAction) -> None:
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


def event_data(statement: Statement, **extra: Any) -> dict[str, Any]:
    return {"statement_id": statement.id, "statement_kind": statement.kind.value, **extra}


def _require_authority(session: Session, *, actor: Actor, case: Case, now: datetime) -> Authority:
    authority = spokespersons.authority_for(session, actor=actor, case=case, at=now)
    if authority is None:
        raise PermissionDenied(
            _("Bạn không có thẩm quyền phát ngôn cho vụ việc {reference} vào lúc này.", reference=case.reference)
        )
    return authority


def step(
    session: Session,
    *,
    actor: Actor,
    statement: Statement,
    case: Case,
    action: StatementAction,
    now: datetime,
    note: str | None,
    event: CaseEventKind | None,
    checks: Sequence[Callable[[], object]] = (),
    prepare: Callable[[], object] | None = None,
    write: Callable[[], dict[str, Any]] | None = None,
    published_at: datetime | None = None,
    **values: Any,
) -> StatementStatus:
    """One step of a statement's path, every check in one order, so that no step can skip one: the edge exists
    (``rules.next_status``), the step's own ``checks``, the case can follow (``check_case_edge``), ``prepare``
    (checks that need the case edge settled), the guarded status write (with ``values``), ``write`` (the step's own
    rows; returns extra event data), the case event ``event`` (none: the caller records its own), and the case
    driven along with its main statement. The caller checks the actor's permission first. Returns the status the
    statement had before the step."""
    status = statement.status
    rules.next_status(status, action)
    for check in checks:
        check()
    check_case_edge(statement, case, action)
    if prepare is not None:
        prepare()
    move(session, statement, action=action, now=now, **values)
    if event is not None:
        extra = write() if write is not None else {"version": statement.current_version}
        record_event(session, case=case, actor_id=actor.user_id, now=now, kind=event, note=note,
                     data=event_data(statement, **extra))  # fmt: skip
    drive_case(session, actor=actor, statement=statement, case=case, status=status, action=action, now=now,
               note=note, published_at=published_at)  # fmt: skip
    return status


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
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.STATEMENT_CREATED,
                 note=data.note, data=event_data(statement, version=1, **extra))  # fmt: skip
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
    check_case_edge(statement, case, StatementAction.ADD_VERSION)
    previous = latest_version(session, statement)
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
    move(session, statement, action=StatementAction.ADD_VERSION, now=now, new_version=number)
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
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.STATEMENT_VERSION_ADDED,
                 note=data.note,
                 data=event_data(statement, version=number))  # fmt: skip
    if voided is not None:
        reason_text = str(_("Có phiên bản mới ({n}) sau khi duyệt.", n=number))
        session.execute(
            update(StatementApproval)
            .where(col(StatementApproval.id) == voided.id, col(StatementApproval.voided_at).is_(None))
            .values(voided_at=now, voided_by_id=actor.user_id, void_reason=reason_text)
            .execution_options(synchronize_session=False)
        )
        session.refresh(voided)
        record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.APPROVAL_VOIDED,
                     note=reason_text,
                     data=event_data(statement, approval_id=voided.id, approved_version=voided.version_number,
                                      version=number))  # fmt: skip
    drive_case(session, actor=actor, statement=statement, case=case, status=status,
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
    record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.STATEMENT_COMMENTED, note=text,
                 data=event_data(statement, version=version))  # fmt: skip
    return comment


# --- the approval path --------------------------------------------------------------------------------------


def submit(
    session: Session, *, actor: Actor, statement: Statement, case: Case, note: str | None, now: datetime
) -> Statement:
    """The unit head (or the press office on the unit's behalf) submits the statement for approval."""
    require(actor, Permission.STATEMENT_SUBMIT, scope_of(session, case))
    step(session, actor=actor, statement=statement, case=case, action=StatementAction.SUBMIT, now=now, note=note,
         event=CaseEventKind.STATEMENT_SUBMITTED, submitted_at=now, submitted_by_id=actor.user_id)  # fmt: skip
    return statement


def return_statement(
    session: Session, *, actor: Actor, statement: Statement, case: Case, comment: str, now: datetime
) -> Statement:
    """A holder of spokesperson authority sends the statement back to the unit with a comment."""
    _require_authority(session, actor=actor, case=case, now=now)

    def write() -> dict[str, Any]:
        assert statement.id is not None
        session.add(StatementComment(statement_id=statement.id, version_number=statement.current_version,
                                     kind="return", text=comment, author_id=actor.user_id, at=now))  # fmt: skip
        session.flush()
        return {"version": statement.current_version}

    step(session, actor=actor, statement=statement, case=case, action=StatementAction.RETURN, now=now, note=comment,
         event=CaseEventKind.STATEMENT_RETURNED, write=write)  # fmt: skip
    return statement


def approve(
    session: Session, *, actor: Actor, statement: Statement, case: Case, data: ApproveIn, now: datetime
) -> StatementApproval:
    """A holder of spokesperson authority for this case, now, approves the current version, after confirming the
    checklist. The approval records the approver, the capacity, the appointment or authorisation, the time and the
    SHA-256 of the exact text."""
    authority = _require_authority(session, actor=actor, case=case, now=now)

    def check_version() -> None:
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

    version = latest_version(session, statement)
    digest = rules.text_digest(version.text)
    approvals: list[StatementApproval] = []

    def check_refusal() -> None:
        rules.check_refusal(statement.kind, version.refusal_ground, version.refusal_reason, authority.regime)

    def write() -> dict[str, Any]:
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
        approvals.append(approval)
        return {
            "version": version.number,
            "approval_id": approval.id,
            "capacity": authority.capacity.value,
            "appointment_id": authority.appointment_id,
            "authorisation_id": authority.authorisation_id,
            "text_sha256": digest,
        }

    step(session, actor=actor, statement=statement, case=case, action=StatementAction.APPROVE, now=now,
         note=data.note, event=CaseEventKind.STATEMENT_APPROVED, checks=[check_version], prepare=check_refusal,
         write=write)  # fmt: skip
    return approvals[0]
