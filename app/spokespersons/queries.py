"""The staff pages' lists of spokespersons: who may be appointed or authorised, the recent authorisations."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Grant, Permission, Role, can
from app.cases.models import Case, UserRef
from app.cases.scope import scope_of, visible
from app.org.models import RoleAssignment, User
from app.spokespersons.models import (
    AuthorisationRead,
    SpokespersonAppointment,
    SpokespersonAuthorisation,
)
from app.spokespersons.service import authorisation_reads, person_of

CLOCK_SKEW = timedelta(minutes=5)
DIRECTOR_TITLE = "Giám đốc Sở"


# --- the staff pages ----------------------------------------------------------------------------------------


def may_hold_authority(session: Session, *, actor: Actor) -> bool:
    """Whether the actor may approve for some case at some time: the director, or a person with a standing
    appointment or a written authorisation on record (in force or not). When it is False, ``authority_for`` is None
    for every case (``rules.authority``): an approval queue need not be read to know that none of it is theirs."""
    if person_of(actor).is_director:
        return True
    appointed = select(SpokespersonAppointment.id).where(SpokespersonAppointment.user_id == actor.user_id)
    authorised = select(SpokespersonAuthorisation.id).where(SpokespersonAuthorisation.user_id == actor.user_id)
    return any(session.exec(query.limit(1)).first() is not None for query in (appointed, authorised))


def _active_people(session: Session) -> list[tuple[User, frozenset[Grant]]]:
    rows = session.exec(
        select(User, RoleAssignment)
        .join(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
        .where(col(User.active).is_(True))
        .order_by(col(User.full_name), col(User.username))
    ).all()
    people: dict[int, tuple[User, set[Grant]]] = {}
    for user, grant in rows:
        assert user.id is not None
        people.setdefault(user.id, (user, set()))[1].add(Grant(grant.role, grant.unit_id))
    return [(user, frozenset(grants)) for user, grants in people.values()]


def appointable_users(session: Session) -> list[UserRef]:
    """Who may be appointed standing spokesperson: active accounts with the spokesperson role (not the director,
    already a spokesperson by law)."""
    return [
        UserRef(username=user.username, full_name=user.full_name)
        for user, grants in _active_people(session)
        if any(g.role == Role.SPOKESPERSON for g in grants) and not any(g.role == Role.DIRECTOR for g in grants)
    ]


def authorisable_users(session: Session, *, case: Case) -> list[UserRef]:
    """Who may be authorised to speak on the case: active accounts that can see it, the director excepted."""
    scope = scope_of(session, case)
    result = []
    for user, grants in _active_people(session):
        assert user.id is not None
        person = Actor(user_id=user.id, username=user.username, full_name=user.full_name, grants=grants)
        if not person.has_role(Role.DIRECTOR) and can(person, Permission.CASE_VIEW, scope):
            result.append(UserRef(username=user.username, full_name=user.full_name))
    return result


def recent_authorisations(
    session: Session, *, actor: Actor, now: datetime, limit: int = 100
) -> list[AuthorisationRead]:
    """The latest per-case authorisations on the cases the actor may see, newest first (in force or not)."""
    rows = session.exec(
        select(SpokespersonAuthorisation, Case)
        .join(Case, col(Case.id) == col(SpokespersonAuthorisation.case_id))
        .where(visible(actor))
        .order_by(col(SpokespersonAuthorisation.id).desc())
        .limit(limit)
    ).all()
    return [authorisation_reads(session, [grant], case=case, now=now)[0] for grant, case in rows]
