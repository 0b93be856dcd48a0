"""Who may see a case: the access scope. Every staff query of cases starts from ``visible_cases(actor)``; a case
outside it answers 404. Imports only the models, the permissions and the errors, so every domain may use it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, exists, false, or_, true
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth.permissions import Actor, Permission
from app.cases.models import (
    Case,
    CaseSupportingUnit,
)
from app.errors import NotFound
from app.i18n import _

# --- scope --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What the permission rules need to know about a case: the units it belongs to."""

    lead_unit_id: int | None
    supporting_unit_ids: frozenset[int] = field(default_factory=frozenset)


def scope_of(session: Session, case: Case) -> Scope:
    supporting = session.exec(select(CaseSupportingUnit.unit_id).where(CaseSupportingUnit.case_id == case.id)).all()
    return Scope(case.lead_unit_id, frozenset(supporting))


def visibility_clause(actor: Actor) -> ColumnElement[bool] | None:
    """The WHERE clause that limits cases to the actor's scope; None when the actor sees every case."""
    if actor.sees_all_cases:
        return None
    units = actor.unit_ids(Permission.CASE_VIEW)
    if not units:
        return false()
    supported = exists().where(
        col(CaseSupportingUnit.case_id) == col(Case.id), col(CaseSupportingUnit.unit_id).in_(units)
    )
    return or_(col(Case.lead_unit_id).in_(units), supported)


def visible(actor: Actor) -> ColumnElement[bool]:
    """The actor's scope as a condition on ``case``, for a query that joins it (``TRUE`` when the actor sees every
    case). Use it rather than ``case.id IN (<the ids of visible_cases(actor)>)``: for the press office that
    subquery lists every case id, a hashed sub-plan over the whole table (4.4 s at a million cases, at every staff
    page through the header's queue)."""
    clause = visibility_clause(actor)
    return true() if clause is None else clause


def visible_cases(actor: Actor) -> SelectOfScalar[Case]:
    """Every staff query of cases starts here."""
    query = select(Case)
    clause = visibility_clause(actor)
    return query if clause is None else query.where(clause)


def get_case(session: Session, *, actor: Actor, reference: str) -> Case:
    case = session.exec(visible_cases(actor).where(col(Case.reference) == reference.upper())).first()
    if case is None:
        raise NotFound(_("Không tìm thấy vụ việc {reference}.", reference=reference))
    return case


# Fields whose change is triage (needs ``CASE_TRIAGE``), not an edit.
TRIAGE_FIELDS = frozenset({"lead_unit", "supporting_units"})
