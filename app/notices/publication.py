"""Publication: the press office publishes exactly the approved text of a statement as a numbered notice. The
notices domain's job, triggered by the approved statement: the statements domain (approval) does not import it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.auth.permissions import Actor, Permission, require
from app.cases.events import record_event
from app.cases.models import Case
from app.cases.scope import scope_of
from app.cases.vocabulary import CaseEventKind
from app.errors import Conflict
from app.i18n import _
from app.notices.models import Notice
from app.notices.rules import publication_time
from app.notices.service import issue_notice, notice_of_statement, withdrawn_by
from app.statements import rules as statement_rules
from app.statements.models import Statement
from app.statements.queries import latest_version, valid_approval
from app.statements.rules import StatementAction
from app.statements.service import check_case_edge, drive_case, event_data, move


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
    statement_rules.next_status(status, StatementAction.PUBLISH)
    approval = valid_approval(session, statement)
    version = latest_version(session, statement)
    digest = statement_rules.text_digest(version.text)
    if approval is None or approval.version_id != version.id or approval.text_sha256 != digest:
        raise Conflict(_("Văn bản hiện tại không phải văn bản đã được duyệt; không công bố."))
    published_at = publication_time(at, now)
    check_case_edge(statement, case, StatementAction.PUBLISH)
    corrects: Notice | None = None
    if statement.corrects_statement_id is not None:
        corrects = notice_of_statement(session, statement.corrects_statement_id)
        assert corrects is not None
        if statement.withdraw and withdrawn_by(session, corrects) is not None:
            raise Conflict(_("Thông cáo {number} đã bị thu hồi.", number=corrects.number))
    move(session, statement, action=StatementAction.PUBLISH, now=now)
    drive_case(session, actor=actor, statement=statement, case=case, status=status, action=StatementAction.PUBLISH,
                now=now, published_at=published_at)  # fmt: skip
    assert statement.id is not None and version.id is not None and approval.id is not None
    refusal_basis = (
        statement_rules.refusal_basis(approval.regime, version.refusal_ground)
        if version.refusal_ground is not None
        else None
    )
    notice = issue_notice(
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
    data = event_data(statement, notice_number=notice.number, published_at=published_at.isoformat())
    if published_at > now:
        record_event(
            session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.NOTICE_SCHEDULED, data=data
        )
    record_event(
        session, case=case, actor_id=actor.user_id, now=published_at, kind=CaseEventKind.NOTICE_PUBLISHED, data=data
    )
    return notice
