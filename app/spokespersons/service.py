"""Use cases of spokesperson authority: appoint or replace the standing spokesperson, grant or revoke a per-case
authorisation, read the registry, and answer "in what capacity may this person speak on this case now?".

The rule itself is pure (``spokespersons/rules.py``); this module loads the records it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import public_version
from app.auth.permissions import Actor, Permission, Role, can, require
from app.auth.service import load_actor
from app.cases.events import record_event
from app.cases.models import Case, UserRef
from app.cases.scope import scope_of, visible_cases
from app.cases.vocabulary import CaseEventKind
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _
from app.org.models import RoleAssignment, User
from app.rules.duties import registry_duties
from app.rules.packs import pack_for
from app.spokespersons import rules
from app.spokespersons.models import (
    AppointmentCreate,
    AppointmentRead,
    AuthorisationCreate,
    AuthorisationRead,
    ContactsDuty,
    SpokespersonAppointment,
    SpokespersonAuthorisation,
    SpokespersonPublic,
)
from app.spokespersons.rules import Authority, Capacity, Regime
from app.timeutil import end_of_local_day, local_date

CLOCK_SKEW = timedelta(minutes=5)
DIRECTOR_TITLE = "Giám đốc Sở"


def person_of(actor: Actor) -> rules.Person:
    return rules.Person(user_id=actor.user_id, is_director=actor.has_role(Role.DIRECTOR))


def _appointment_facts(rows: Iterable[SpokespersonAppointment]) -> list[rules.Appointment]:
    facts = []
    for a in rows:
        assert a.id is not None
        facts.append(rules.Appointment(a.id, a.user_id, a.valid_from, a.valid_until, a.ended_at))
    return facts


def _authorisation_facts(rows: Iterable[SpokespersonAuthorisation]) -> list[rules.Authorisation]:
    facts = []
    for a in rows:
        assert a.id is not None
        facts.append(
            rules.Authorisation(a.id, a.user_id, a.case_id, a.valid_from, a.valid_until, a.revoked_at, a.deputy)
        )
    return facts


def regime_for(received_at: datetime) -> Regime:
    """The regime that judges a case: the rule pack in force on the local date it was received."""
    pack = pack_for(received_at)
    return rules.regime_of(pack.code if pack else None)


def authority_for(session: Session, *, actor: Actor, case: Case, at: datetime) -> Authority | None:
    """The capacity in which ``actor`` may approve for ``case`` at ``at``, or None."""
    assert case.id is not None
    return authorities_of(session, actor=actor, cases=[(case.id, case.received_at)], at=at)[case.id]


def authorities_of(
    session: Session, *, actor: Actor, cases: Sequence[tuple[int, datetime]], at: datetime
) -> dict[int, Authority | None]:
    """``authority_for`` for several cases at once, given as ``(id, received_at)`` (an approval queue reads columns,
    not cases): two queries whatever their number, none for the director (``rules.by_office``)."""
    ids = sorted({case_id for case_id, _received in cases})
    if not ids:
        return {}
    person = person_of(actor)
    appointments: list[rules.Appointment] = []
    by_case: dict[int, list[SpokespersonAuthorisation]] = {i: [] for i in ids}
    if not rules.by_office(person):
        appointments = _appointment_facts(session.exec(
            select(SpokespersonAppointment).where(SpokespersonAppointment.user_id == actor.user_id)).all())  # fmt: skip
        for grant in session.exec(
            select(SpokespersonAuthorisation).where(
                SpokespersonAuthorisation.user_id == actor.user_id, col(SpokespersonAuthorisation.case_id).in_(ids)
            )
        ).all():
            by_case[grant.case_id].append(grant)
    result: dict[int, Authority | None] = {}
    for case_id, received_at in cases:
        result[case_id] = rules.authority(
            person=person, case=rules.CaseFacts(case_id, regime_for(received_at)), at=at,
            appointments=appointments, authorisations=_authorisation_facts(by_case[case_id]),
        )  # fmt: skip
    return result


def speaker_title(session: Session, *, actor: Actor, authority: Authority) -> str:
    """The title the notice prints under the spokesperson's name."""
    if authority.capacity == Capacity.STANDING and authority.appointment_id is not None:
        appointment = session.get(SpokespersonAppointment, authority.appointment_id)
        assert appointment is not None
        return appointment.title
    if authority.capacity == Capacity.AUTHORISED and authority.authorisation_id is not None:
        grant = session.get(SpokespersonAuthorisation, authority.authorisation_id)
        assert grant is not None
        return grant.title
    return actor.title or DIRECTOR_TITLE


# --- helpers ------------------------------------------------------------------------------------------------


def _users(session: Session, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted))).all() if u.id is not None}


def _ref(users: dict[int, User], user_id: int | None) -> UserRef | None:
    user = users.get(user_id) if user_id is not None else None
    return UserRef(username=user.username, full_name=user.full_name) if user else None


def _user_by_username(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username.lower())).first()
    if user is None or not user.active:
        raise ValidationFailed(_("Không tìm thấy người dùng {username}.", username=username), field="username")
    return user


def _start(requested: datetime | None, now: datetime, field: str) -> datetime:
    """When a record takes effect: now by default; a little clock skew is tolerated, the past is not."""
    if requested is None:
        return now
    if requested < now - CLOCK_SKEW:
        raise ValidationFailed(_("Thời điểm có hiệu lực không được ở quá khứ."), field=field)
    return max(requested, now)


def _check_signed(day: date, now: datetime, field: str) -> None:
    if day > local_date(now):
        raise ValidationFailed(_("Ngày ký văn bản không được ở tương lai."), field=field)


# --- standing spokesperson ----------------------------------------------------------------------------------


def appointment_reads(
    session: Session, rows: Sequence[SpokespersonAppointment], *, now: datetime
) -> list[AppointmentRead]:
    users = _users(session, [i for a in rows for i in (a.user_id, a.appointed_by_id, a.ended_by_id)])
    reads = []
    for a, fact in zip(rows, _appointment_facts(rows), strict=True):
        person = _ref(users, a.user_id)
        assert a.id is not None and person is not None
        reads.append(
            AppointmentRead(
                id=a.id,
                person=person,
                title=a.title,
                phone=a.phone,
                email=a.email,
                decision_number=a.decision_number,
                decision_date=a.decision_date,
                valid_from=a.valid_from,
                valid_until=a.valid_until,
                ended_at=a.ended_at,
                end_note=a.end_note,
                appointed_by=_ref(users, a.appointed_by_id),
                ended_by=_ref(users, a.ended_by_id),
                created_at=a.created_at,
                in_force=fact.in_force(now),
                contacts_posted=_contacts_duty(a, now),
            )
        )
    return reads


def _contacts_duty(a: SpokespersonAppointment, now: datetime) -> ContactsDuty | None:
    """D9 for one appointment, by the rule pack in force when it takes effect (``rules.contacts_clock``)."""
    pack = pack_for(a.valid_from)
    if pack is None or not pack.registry_clocks:
        return None
    started, posted = rules.contacts_clock(valid_from=a.valid_from, recorded_at=a.created_at,
                                           decision_day_end=end_of_local_day(a.decision_date), now=now)  # fmt: skip
    duty = registry_duties(pack, appointed_at=started, published_at=posted, now=now)[0]
    return ContactsDuty(key=duty.key, name=duty.name, basis=duty.basis, appointed_at=started, due_at=duty.due_at,
                        posted_at=duty.met_at, state=duty.state)  # fmt: skip


def list_appointments(session: Session, *, actor: Actor) -> list[SpokespersonAppointment]:
    """Every appointment, newest first (the staff's view of the record)."""
    del actor  # any staff member may read the record
    return list(
        session.exec(
            select(SpokespersonAppointment).order_by(
                col(SpokespersonAppointment.valid_from).desc(), col(SpokespersonAppointment.id).desc()
            )
        ).all()
    )


def appoint_spokesperson(
    session: Session, *, actor: Actor, data: AppointmentCreate, now: datetime
) -> SpokespersonAppointment:
    """The director appoints the standing spokesperson. An appointment in force (or scheduled) ends when the new
    one takes effect: there is one standing spokesperson at a time."""
    require(actor, Permission.SPOKESPERSON_APPOINT)
    if not rules.may_appoint(person_of(actor)):
        raise PermissionDenied(_("Chỉ Giám đốc Sở giao nhiệm vụ người phát ngôn thường xuyên."))
    user = _user_by_username(session, data.username)
    assert user.id is not None
    roles = set(session.exec(select(RoleAssignment.role).where(RoleAssignment.user_id == user.id)).all())
    if Role.DIRECTOR in roles:
        raise ValidationFailed(
            _("Giám đốc Sở là người phát ngôn theo quy định; không cần giao nhiệm vụ."), field="username"
        )
    if Role.SPOKESPERSON not in roles:
        raise ValidationFailed(
            _("Tài khoản {username} chưa có vai trò người phát ngôn; hãy cấp vai trò trước.", username=user.username),
            field="username",
        )
    _check_signed(data.decision_date, now, "decision_date")
    valid_from = _start(data.valid_from, now, "valid_from")
    valid_until = end_of_local_day(data.valid_until) if data.valid_until else None
    if valid_until is not None and valid_until <= valid_from:
        raise ValidationFailed(_("Ngày hết hiệu lực phải sau ngày có hiệu lực."), field="valid_until")

    # Replace: whatever is in force (or scheduled) ends when the new appointment takes effect.
    for old in session.exec(
        select(SpokespersonAppointment).where(col(SpokespersonAppointment.ended_at).is_(None))
    ).all():
        if old.valid_until is not None and old.valid_until <= valid_from:
            continue  # already over by then
        end = max(old.valid_from, valid_from)
        result = session.execute(
            update(SpokespersonAppointment)
            .where(col(SpokespersonAppointment.id) == old.id, col(SpokespersonAppointment.ended_at).is_(None))
            .values(
                ended_at=end,
                ended_by_id=actor.user_id,
                end_note=str(_("Thay thế theo quyết định {number}.", number=data.decision_number)),
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(_("Danh sách người phát ngôn vừa được người khác cập nhật. Hãy thử lại."))
        session.refresh(old)

    appointment = SpokespersonAppointment(
        user_id=user.id,
        title=data.title,
        phone=data.phone,
        email=str(data.email),
        decision_number=data.decision_number,
        decision_date=data.decision_date,
        valid_from=valid_from,
        valid_until=valid_until,
        appointed_by_id=actor.user_id,
        created_at=now,
    )
    session.add(appointment)
    session.flush()
    public_version.bump(session)  # the registry changes (at valid_from: the public caches also watch that moment)
    return appointment


def end_appointment(
    session: Session, *, actor: Actor, appointment_id: int, note: str | None, now: datetime
) -> SpokespersonAppointment:
    require(actor, Permission.SPOKESPERSON_APPOINT)
    appointment = session.get(SpokespersonAppointment, appointment_id)
    if appointment is None:
        raise NotFound(_("Không tìm thấy quyết định giao nhiệm vụ người phát ngôn."))
    over = appointment.ended_at is not None or (appointment.valid_until is not None and appointment.valid_until <= now)
    if over:
        raise Conflict(_("Quyết định này đã hết hiệu lực."))
    result = session.execute(
        update(SpokespersonAppointment)
        .where(col(SpokespersonAppointment.id) == appointment_id, col(SpokespersonAppointment.ended_at).is_(None))
        .values(ended_at=max(now, appointment.valid_from), ended_by_id=actor.user_id, end_note=note)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("Quyết định này đã hết hiệu lực."))
    session.refresh(appointment)
    public_version.bump(session)
    return appointment


def current_spokespersons(session: Session, now: datetime) -> list[SpokespersonPublic]:
    """The registry as the public sees it at ``now``: the director(s), then the standing spokesperson in force.

    Plain data, nothing internal: name, title, phone, official e-mail, capacity and since when. An appointment shows
    from the moment it takes effect (Decree 244/2026 Art. 3.3 allows 24 hours; we need none).
    """
    items: list[SpokespersonPublic] = []
    directors = session.exec(
        select(User)
        .join(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
        .where(RoleAssignment.role == Role.DIRECTOR, col(User.active).is_(True))
        .order_by(col(User.id))
        .distinct()
    ).all()
    for user in directors:
        items.append(
            SpokespersonPublic(
                name=user.full_name,
                title=user.title or DIRECTOR_TITLE,
                phone=user.phone,
                email=user.email,
                capacity=Capacity.DIRECTOR,
                since=None,
            )
        )
    rows = session.exec(
        select(SpokespersonAppointment, User)
        .join(User, col(User.id) == SpokespersonAppointment.user_id)
        .where(col(SpokespersonAppointment.valid_from) <= now)
        .order_by(col(SpokespersonAppointment.valid_from), col(SpokespersonAppointment.id))
    ).all()
    for appointment, user in rows:
        if not _appointment_facts([appointment])[0].in_force(now):
            continue
        items.append(
            SpokespersonPublic(
                name=user.full_name,
                title=appointment.title,
                phone=appointment.phone,
                email=appointment.email,
                capacity=Capacity.STANDING,
                since=appointment.valid_from,
            )
        )
    return items


# --- per-case authorisations --------------------------------------------------------------------------------


def authorisation_reads(
    session: Session, rows: Sequence[SpokespersonAuthorisation], *, case: Case, now: datetime
) -> list[AuthorisationRead]:
    users = _users(session, [i for a in rows for i in (a.user_id, a.granted_by_id, a.revoked_by_id)])
    reads = []
    for a, fact in zip(rows, _authorisation_facts(rows), strict=True):
        person = _ref(users, a.user_id)
        assert a.id is not None and person is not None
        reads.append(
            AuthorisationRead(
                id=a.id,
                case_reference=case.reference,
                person=person,
                title=a.title,
                number=a.number,
                signed_on=a.signed_on,
                matters=a.matters,
                deputy=a.deputy,
                valid_from=a.valid_from,
                valid_until=a.valid_until,
                granted_by=_ref(users, a.granted_by_id),
                created_at=a.created_at,
                revoked_at=a.revoked_at,
                revoked_by=_ref(users, a.revoked_by_id),
                revoke_reason=a.revoke_reason,
                in_force=fact.in_force(now),
            )
        )
    return reads


def list_authorisations(session: Session, *, actor: Actor, case: Case) -> list[SpokespersonAuthorisation]:
    """The case's authorisations, oldest first (``case`` comes from ``get_case``, so the actor may see it)."""
    del actor
    return list(
        session.exec(
            select(SpokespersonAuthorisation)
            .where(SpokespersonAuthorisation.case_id == case.id)
            .order_by(col(SpokespersonAuthorisation.id))
        ).all()
    )


def grant_authorisation(
    session: Session, *, actor: Actor, case: Case, data: AuthorisationCreate, now: datetime
) -> SpokespersonAuthorisation:
    """The director authorises one person, in writing, to speak on this case until an end date. Nobody else may
    authorise: a standing or authorised spokesperson cannot pass authority on."""
    require(actor, Permission.SPOKESPERSON_AUTHORISE)
    if not rules.may_authorise(person_of(actor)):
        raise PermissionDenied(_("Chỉ Giám đốc Sở ủy quyền phát ngôn; người được ủy quyền không được ủy quyền tiếp."))
    assert case.id is not None
    user = _user_by_username(session, data.username)
    assert user.id is not None
    grantee = load_actor(session, user)
    if grantee.has_role(Role.DIRECTOR):
        raise ValidationFailed(_("Giám đốc Sở là người phát ngôn theo quy định; không cần ủy quyền."), field="username")
    if not can(grantee, Permission.CASE_VIEW, scope_of(session, case)):
        raise ValidationFailed(
            _("Người được ủy quyền phải xem được vụ việc {reference}.", reference=case.reference), field="username"
        )
    if rules.deputy_required(regime_for(case.received_at)) and not data.deputy:
        raise ValidationFailed(
            _("Vụ việc tiếp nhận trước ngày 01/07/2026 theo Nghị định 09/2017/NĐ-CP: Giám đốc Sở chỉ ủy quyền phát "
              "ngôn cho cấp phó (Phó Giám đốc Sở)."),
            field="deputy",
        )  # fmt: skip
    _check_signed(data.signed_on, now, "signed_on")
    valid_from = _start(data.valid_from, now, "valid_from")
    valid_until = end_of_local_day(data.valid_until)
    if valid_until <= valid_from:
        raise ValidationFailed(_("Ngày hết hiệu lực phải sau ngày có hiệu lực."), field="valid_until")
    grant = SpokespersonAuthorisation(
        case_id=case.id,
        user_id=user.id,
        title=data.title or user.title or "",
        number=data.number,
        signed_on=data.signed_on,
        matters=data.matters,
        deputy=data.deputy,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by_id=actor.user_id,
        created_at=now,
    )
    session.add(grant)
    session.flush()
    record_event(
        session,
        case=case,
        actor_id=actor.user_id,
        now=now,
        kind=CaseEventKind.AUTHORISATION_GRANTED,
        note=data.matters,
        data={
            "authorisation_id": grant.id,
            "username": user.username,
            "number": grant.number,
            "deputy": grant.deputy,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
        },
    )
    return grant


def get_authorisation(
    session: Session, *, actor: Actor, authorisation_id: int
) -> tuple[SpokespersonAuthorisation, Case]:
    grant = session.get(SpokespersonAuthorisation, authorisation_id)
    case = (
        session.exec(visible_cases(actor).where(col(Case.id) == grant.case_id)).first() if grant is not None else None
    )
    if grant is None or case is None:
        raise NotFound(_("Không tìm thấy văn bản ủy quyền."))
    return grant, case


def revoke_authorisation(
    session: Session, *, actor: Actor, authorisation_id: int, reason: str, now: datetime
) -> tuple[SpokespersonAuthorisation, Case]:
    require(actor, Permission.SPOKESPERSON_AUTHORISE)
    grant, case = get_authorisation(session, actor=actor, authorisation_id=authorisation_id)
    if grant.revoked_at is not None or grant.valid_until <= now:
        raise Conflict(_("Văn bản ủy quyền này đã hết hiệu lực."))
    result = session.execute(
        update(SpokespersonAuthorisation)
        .where(col(SpokespersonAuthorisation.id) == grant.id, col(SpokespersonAuthorisation.revoked_at).is_(None))
        .values(revoked_at=now, revoked_by_id=actor.user_id, revoke_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("Văn bản ủy quyền này đã hết hiệu lực."))
    session.refresh(grant)
    record_event(
        session,
        case=case,
        actor_id=actor.user_id,
        now=now,
        kind=CaseEventKind.AUTHORISATION_REVOKED,
        note=reason,
        data={"authorisation_id": grant.id, "number": grant.number},
    )
    return grant, case
