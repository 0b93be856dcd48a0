"""The links of a case: those an update replaces whole (supporting units, tags, assignees) and the links between
cases — the related cases of a case (typed as references, replaced as a set), one more link, and
the original that a case closed as a duplicate names (``duplicate_of``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from app.auth.permissions import GLOBAL_ROLES, Actor
from app.cases.models import (
    Case,
    CaseAssignee,
    CaseRelation,
    CaseSupportingUnit,
    CaseTag,
    TransitionIn,
)
from app.cases.scope import Scope, visible_cases
from app.cases.workflow import Action, CloseReason
from app.errors import ValidationFailed
from app.i18n import _
from app.org.models import RoleAssignment, Unit, User


def related_cases(session: Session, actor: Actor, case: Case, references: Sequence[str]) -> list[Case]:
    related = []
    for ref in dict.fromkeys(r.strip().upper() for r in references):
        if ref == case.reference:
            raise ValidationFailed(_("Vụ việc không thể liên quan đến chính nó."), field="related")
        other = session.exec(visible_cases(actor).where(col(Case.reference) == ref)).first()
        if other is None:
            raise ValidationFailed(_("Không tìm thấy vụ việc {reference}.", reference=ref), field="related")
        related.append(other)
    return related


def replace_relations(session: Session, case: Case, related: Sequence[Case]) -> None:
    assert case.id is not None
    for row in session.exec(
        select(CaseRelation).where(or_(col(CaseRelation.case_id) == case.id, col(CaseRelation.related_id) == case.id))
    ).all():
        session.delete(row)
    session.flush()
    for other in related:
        assert other.id is not None
        session.add(CaseRelation(case_id=case.id, related_id=other.id))
        session.add(CaseRelation(case_id=other.id, related_id=case.id))
    session.flush()


def duplicated_case(session: Session, actor: Actor, case: Case, body: TransitionIn) -> Case | None:
    """The case that ``case`` duplicates, when it is closed as a duplicate and names one."""
    if not body.duplicate_of:
        return None
    if body.action != Action.CLOSE or body.reason != CloseReason.DUPLICATE:
        raise ValidationFailed(_("Chỉ ghi vụ việc bị trùng khi đóng vụ việc vì trùng lặp."), field="duplicate_of")
    if body.duplicate_of == case.reference:
        raise ValidationFailed(_("Vụ việc không thể trùng với chính nó."), field="duplicate_of")
    original = session.exec(visible_cases(actor).where(col(Case.reference) == body.duplicate_of)).first()
    if original is None:
        raise ValidationFailed(_("Không tìm thấy vụ việc {reference}.", reference=body.duplicate_of),
                               field="duplicate_of")  # fmt: skip
    return original


def relate_cases(session: Session, case: Case, other: Case) -> None:
    """Link two cases (both directions), if they are not linked yet."""
    assert case.id is not None and other.id is not None
    if session.get(CaseRelation, (case.id, other.id)) is None:
        session.add(CaseRelation(case_id=case.id, related_id=other.id))
    if session.get(CaseRelation, (other.id, case.id)) is None:
        session.add(CaseRelation(case_id=other.id, related_id=case.id))
    session.flush()


def replace_supporting(session: Session, case: Case, units: Sequence[Unit]) -> None:
    assert case.id is not None
    for row in session.exec(select(CaseSupportingUnit).where(CaseSupportingUnit.case_id == case.id)).all():
        session.delete(row)
    session.flush()
    for unit in units:
        if unit.id != case.lead_unit_id:
            add_supporting(session, case, unit)
    session.flush()


def add_supporting(session: Session, case: Case, unit: Unit) -> None:
    """``unit`` supports ``case`` (the caller knows it did not), with the case's receipt time copied: the unit's
    supported cases are read in that order (``ix_case_supporting_unit_unit_received``, ``queries.list_cases``)."""
    assert case.id is not None and unit.id is not None
    session.add(CaseSupportingUnit(case_id=case.id, unit_id=unit.id, received_at=case.received_at))


def follow_receipt(session: Session, case: Case) -> None:
    """Copy the case's (changed) ``received_at`` to its supporting units', tags' and assignees' rows, which keep it
    for their order."""
    for table in (CaseSupportingUnit, CaseTag, CaseAssignee):
        session.execute(update(table).where(col(table.case_id) == case.id).values(received_at=case.received_at))
    session.flush()


def replace_tags(session: Session, case: Case, tags: Sequence[str]) -> None:
    assert case.id is not None
    for row in session.exec(select(CaseTag).where(CaseTag.case_id == case.id)).all():
        session.delete(row)
    session.flush()
    for tag in dict.fromkeys(t.strip().lower() for t in tags):
        session.add(CaseTag(case_id=case.id, tag=tag, received_at=case.received_at))
    session.flush()


def check_assignees(session: Session, actor: Actor, scope: Scope, users: Sequence[User]) -> None:
    """Assignees work in one of the case's units, or in the press office (a Sở-wide role)."""
    case_units = {u for u in (scope.lead_unit_id, *scope.supporting_unit_ids) if u is not None}
    for user in users:
        grants = session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all()
        if not user.active or not any(g.role in GLOBAL_ROLES or g.unit_id in case_units for g in grants):
            raise ValidationFailed(
                _("{username} không thuộc đơn vị xử lý vụ việc này.", username=user.username),
                field="assignees",
            )
        if not actor.sees_all_cases and not any(g.unit_id in actor.unit_ids() for g in grants):
            raise ValidationFailed(
                _("Chỉ được giao việc cho người trong đơn vị của mình: {username}.", username=user.username),
                field="assignees",
            )


def replace_assignees(session: Session, case: Case, users: Sequence[User]) -> None:
    assert case.id is not None
    for row in session.exec(select(CaseAssignee).where(CaseAssignee.case_id == case.id)).all():
        session.delete(row)
    session.flush()
    for user in users:
        assert user.id is not None
        session.add(CaseAssignee(case_id=case.id, user_id=user.id, received_at=case.received_at))
    session.flush()


def assignee_names(session: Session, case: Case) -> list[str]:
    return list(
        session.exec(
            select(User.username)
            .join(CaseAssignee, col(CaseAssignee.user_id) == User.id)
            .where(CaseAssignee.case_id == case.id)
            .order_by(col(User.username))
        ).all()
    )
