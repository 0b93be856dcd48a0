"""Who may see a case: the access scope. Every staff query of cases starts from ``visible_cases(actor)``; a case
outside it answers 404. Imports only the models, the permissions and the errors, so every domain may use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, exists, false, literal, or_, true
from sqlalchemy.sql.elements import BindParameter
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


def scope_key(actor: Actor) -> tuple[int, ...] | None:
    """What ``visibility_clause`` reads of the actor (None: every case; else the units whose cases it sees): two
    actors with the same key get the same clause, so a statement built with one serves the other
    (``reads._page_links`` keeps its statement by it)."""
    if actor.sees_all_cases:
        return None
    return tuple(sorted(actor.unit_ids(Permission.CASE_VIEW)))


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


# An actor with more units than this reads the lead-unit part of a list with one ``IN``, not a part a unit.
_UNIT_PARTS = 8


def visibility_parts(actor: Actor) -> list[ColumnElement[bool]] | None:
    """The actor's scope as disjoint conditions whose union is ``visibility_clause(actor)``, for a list that reads
    each part in its own order and merges them (``cases.queries.list_cases``); None when one clause serves (the
    actor sees every case, or none). One part per lead unit (``lead_unit_id = 5``: a walk of
    ``ix_case_lead_unit_search`` in the list's order), then the cases a unit of the actor's supports but does not
    lead (a few thousand rows at a million cases, read through ``case_supporting_unit``). As one ``OR``, the
    condition could use no index: with two common words a handler's search walked the whole table's receipt order
    and read 22,207 rows to find 51. The unit ids are written into the statement: as parameters, a prepared
    statement's generic plan would guess how many cases each unit has."""
    split = _lead_parts(actor)
    if split is None:
        return None
    leads, units = split
    supported = exists().where(
        col(CaseSupportingUnit.case_id) == col(Case.id), col(CaseSupportingUnit.unit_id).in_(_literal_ids(units))
    )
    return [*leads, and_(supported, _not_led(units))]


def supported_parts(actor: Actor, support: Any) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]] | None:
    """``visibility_parts(actor)`` with its supported part split by unit, as conditions on ``support`` (an alias of
    ``case_supporting_unit`` joined to its case): the lead parts, then one part per unit of the actor's — ``support``
    is that unit's row, none of the actor's units leads the case and none before it supports it —, so that each is a
    range of ``ix_case_supporting_unit_unit_received`` in order of receipt. None when ``visibility_parts`` is None or
    the actor has more units than ``_UNIT_PARTS``."""
    split = _lead_parts(actor)
    if split is None or len(split[1]) > _UNIT_PARTS:
        return None
    leads, units = split
    parts = []
    for n, unit in enumerate(units):
        part = [col(support.unit_id) == _literal_id(unit), _not_led(units)]
        if n:
            part.append(~exists().where(col(CaseSupportingUnit.case_id) == col(support.case_id),
                                        col(CaseSupportingUnit.unit_id).in_(_literal_ids(units[:n]))))  # fmt: skip
        parts.append(and_(*part))
    return leads, parts


def _lead_parts(actor: Actor) -> tuple[list[ColumnElement[bool]], list[int]] | None:
    """The lead parts of ``visibility_parts(actor)`` and the actor's units."""
    if actor.sees_all_cases:
        return None
    units = sorted(actor.unit_ids(Permission.CASE_VIEW))
    if not units:
        return None
    lead = col(Case.lead_unit_id)
    leads = [lead == _literal_id(unit) for unit in units]
    if len(leads) > _UNIT_PARTS:
        leads = [lead.in_(_literal_ids(units))]
    return leads, units


def _not_led(units: list[int]) -> ColumnElement[bool]:
    lead = col(Case.lead_unit_id)
    return or_(lead.is_(None), lead.not_in(_literal_ids(units)))


def _literal_id(ident: int) -> Any:
    return literal(ident, Integer(), literal_execute=True)


def _literal_ids(ids: list[int]) -> BindParameter[Any]:
    return bindparam("unit_ids", ids, type_=Integer(), expanding=True, literal_execute=True, unique=True)


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
