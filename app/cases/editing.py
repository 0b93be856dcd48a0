"""What the actor may change on a case, for the forms (``editable_fields``, ``assignable_users``), and what an
update really changes against the case as read (``changed_fields``). Out of ``cases.queries``, which reads cases."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.auth.permissions import GLOBAL_ROLES, Actor, Permission, Role, can
from app.cases.models import Case, CaseRead, CaseUpdate, UserRef
from app.cases.scope import TRIAGE_FIELDS, scope_of
from app.cases.workflow import CaseStatus
from app.org.models import RoleAssignment, User

# Fields that ``update_case`` guards with CASE_EDIT (everything but severity, people and routing).
_EDIT_FIELDS = frozenset(CaseUpdate.model_fields) - {"severity", "assignees"} - TRIAGE_FIELDS


def editable_fields(session: Session, *, actor: Actor, case: Case) -> frozenset[str]:
    """The fields of ``CaseUpdate`` that ``update_case`` would let the actor change on this case now."""
    scope = scope_of(session, case)
    fields: set[str] = set()
    if can(actor, Permission.CASE_EDIT, scope):
        fields |= _EDIT_FIELDS
    if can(actor, Permission.CASE_SEVERITY, scope):
        fields.add("severity")
    if can(actor, Permission.CASE_TRIAGE, scope):
        fields.add("supporting_units")
        if case.status in (CaseStatus.NEW, CaseStatus.CLOSED):
            fields.add("lead_unit")
    if can(actor, Permission.CASE_ASSIGN_PEOPLE, scope):
        fields.add("assignees")
    return frozenset(fields)


def assignable_users(session: Session, *, actor: Actor, case: Case) -> list[UserRef]:
    """People the actor may name as assignees of this case: active members of its units and the press office
    (a subset of what ``_check_assignees`` accepts), limited to the actor's own units for a unit-scoped actor."""
    scope = scope_of(session, case)
    case_units = {u for u in (scope.lead_unit_id, *scope.supporting_unit_ids) if u is not None}
    own_units = None if actor.sees_all_cases else actor.unit_ids()
    grants = session.exec(
        select(RoleAssignment, User)
        .join(User, col(User.id) == RoleAssignment.user_id)
        .where(col(User.active).is_(True))
        .order_by(col(User.full_name), col(User.username))
    ).all()
    by_user: dict[int, list[RoleAssignment]] = defaultdict(list)
    users: dict[int, User] = {}
    for grant, user in grants:
        assert user.id is not None
        by_user[user.id].append(grant)
        users[user.id] = user
    result = []
    for user_id, user in users.items():
        user_grants = by_user[user_id]
        in_case = any(g.unit_id in case_units and g.role not in GLOBAL_ROLES for g in user_grants)
        press = any(g.role == Role.PRESS_OFFICER for g in user_grants)
        if not (in_case or press):
            continue
        if own_units is not None and not any(g.unit_id in own_units for g in user_grants):
            continue
        result.append(UserRef(username=user.username, full_name=user.full_name))
    return result


def _same(name: str, current: Any, proposed: Any) -> bool:
    if name in ("supporting_units", "assignees", "tags", "related"):
        return {str(v).lower() for v in current or []} == {str(v).lower() for v in proposed or []}
    if isinstance(current, datetime) and isinstance(proposed, datetime):
        return current.replace(second=0, microsecond=0) == proposed.replace(second=0, microsecond=0)
    return bool(current == proposed)


def changed_fields(read: CaseRead, update: CaseUpdate) -> dict[str, Any]:
    """Only what ``update`` really changes, against the case as read: lists compare as sets (case-insensitive),
    times to the minute (what the forms show). Resending a field unchanged changes nothing and records nothing."""
    current = {
        **read.model_dump(),
        "lead_unit": read.lead_unit.code if read.lead_unit else None,
        "supporting_units": [u.code for u in read.supporting_units],
        "assignees": [u.username for u in read.assignees],
    }
    proposed = update.model_dump(exclude_unset=True)
    return {k: v for k, v in proposed.items() if not _same(k, current.get(k), v)}
