"""Links between cases: the related cases of a case (typed as references, replaced as a set), one more link, and
the original that a case closed as a duplicate names (``duplicate_of``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.auth.permissions import Actor
from app.cases.models import Case, CaseRelation, TransitionIn
from app.cases.scope import visible_cases
from app.cases.workflow import Action, CloseReason
from app.errors import ValidationFailed
from app.i18n import _


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
