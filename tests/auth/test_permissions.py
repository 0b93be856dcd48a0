"""The permission triad for every permission: denied without the grant, allowed with it, denied across scope."""

from __future__ import annotations

import pytest

from app.auth.permissions import (
    GLOBAL_ROLES,
    LEAD_UNIT_ONLY,
    PERMISSION_LABELS,
    ROLE_PERMISSIONS,
    Actor,
    Grant,
    Permission,
    Role,
    can,
    require,
)
from app.cases.scope import Scope
from app.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)

UNIT_A, UNIT_B = 1, 2


def actor_with(role: Role, unit: int | None = UNIT_A) -> Actor:
    return Actor(user_id=1, username="u", full_name="U", grants=frozenset({Grant(role, unit)}))


NOBODY = Actor(user_id=9, username="nobody", full_name="Nobody")


@pytest.mark.parametrize("perm", list(Permission))
def test_denied_without_a_grant(perm: Permission) -> None:
    assert not can(NOBODY, perm)
    assert not can(NOBODY, perm, Scope(UNIT_A))


@pytest.mark.parametrize(("role", "perm"), [(r, p) for r, ps in ROLE_PERMISSIONS.items() for p in sorted(ps)])
def test_allowed_with_the_grant(role: Role, perm: Permission) -> None:
    assert can(actor_with(role), perm)
    assert can(actor_with(role), perm, Scope(UNIT_A))


@pytest.mark.parametrize(
    ("role", "perm"), [(r, p) for r, ps in ROLE_PERMISSIONS.items() if r not in GLOBAL_ROLES for p in sorted(ps)]
)
def test_unit_roles_are_denied_across_scope(role: Role, perm: Permission) -> None:
    assert not can(actor_with(role), perm, Scope(UNIT_B))
    supported = Scope(UNIT_B, frozenset({UNIT_A}))
    assert can(actor_with(role), perm, supported) == (perm not in LEAD_UNIT_ONLY)


@pytest.mark.parametrize(("role", "perm"), [(r, p) for r in sorted(GLOBAL_ROLES) for p in sorted(ROLE_PERMISSIONS[r])])
def test_global_roles_act_everywhere(role: Role, perm: Permission) -> None:
    assert can(actor_with(role, None), perm, Scope(UNIT_B))


def test_every_permission_is_described() -> None:
    assert set(PERMISSION_LABELS) == set(Permission)


def test_an_invisible_case_is_not_found_and_a_visible_one_is_forbidden() -> None:
    handler = actor_with(Role.HANDLER)
    with pytest.raises(NotFound):
        require(handler, Permission.CASE_CLOSE, Scope(UNIT_B))
    with pytest.raises(PermissionDenied):
        require(handler, Permission.CASE_CLOSE, Scope(UNIT_A))


def test_a_handler_cannot_approve_or_publish() -> None:
    handler = actor_with(Role.HANDLER)
    assert not can(handler, Permission.STATEMENT_REVIEW, Scope(UNIT_A))
    assert not can(handler, Permission.NOTICE_PUBLISH, Scope(UNIT_A))
