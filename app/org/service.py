"""Use cases of the organisation: units, users and role grants."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from pwdlib import PasswordHash
from sqlmodel import Session, col, select

from app import public_version
from app.auth.permissions import GLOBAL_ROLES, Actor, Permission, require
from app.auth.service import hash_password
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.org.models import (
    GrantIn,
    GrantRead,
    OwnSettings,
    PasswordChange,
    RoleAssignment,
    Unit,
    UnitCreate,
    UnitRead,
    UnitUpdate,
    User,
    UserCreate,
    UserRead,
    UserUpdate,
)

# --- units --------------------------------------------------------------------------------------------------


def list_units(session: Session, *, include_inactive: bool = False) -> Sequence[Unit]:
    query = select(Unit).order_by(col(Unit.kind), col(Unit.name))
    if not include_inactive:
        query = query.where(col(Unit.active).is_(True))
    return session.exec(query).all()


def unit_by_code(session: Session, code: str, *, field: str = "unit") -> Unit:
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise ValidationFailed(_("Không có đơn vị mã {code}.", code=code), field=field)
    return unit


def units_by_codes(session: Session, codes: Sequence[str], *, field: str) -> list[Unit]:
    return [unit_by_code(session, code, field=field) for code in dict.fromkeys(codes)]


def list_units_admin(session: Session, *, actor: Actor) -> list[UnitRead]:
    """Every unit, inactive ones included, for the admin screens."""
    require(actor, Permission.UNITS_MANAGE)
    codes = unit_codes(session)
    return [unit_read(u, codes) for u in list_units(session, include_inactive=True)]


def get_unit(session: Session, *, actor: Actor, code: str) -> UnitRead:
    require(actor, Permission.UNITS_MANAGE)
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise NotFound(_("Không có đơn vị mã {code}.", code=code))
    return unit_read(unit, unit_codes(session))


def unit_read(unit: Unit, codes_by_id: dict[int, str]) -> UnitRead:
    assert unit.id is not None
    return UnitRead(
        id=unit.id,
        parent=codes_by_id.get(unit.parent_id) if unit.parent_id else None,
        active=unit.active,
        **unit.model_dump(include=set(UnitCreate.model_fields) - {"parent"}),
    )


def unit_codes(session: Session) -> dict[int, str]:
    return {uid: code for uid, code in session.exec(select(Unit.id, Unit.code)).all() if uid is not None}


def create_unit(session: Session, *, actor: Actor, data: UnitCreate, now: datetime) -> Unit:
    require(actor, Permission.UNITS_MANAGE)
    if session.exec(select(Unit.id).where(Unit.code == data.code)).first() is not None:
        raise Conflict(_("Mã đơn vị {code} đã được dùng.", code=data.code), field="code")
    parent = unit_by_code(session, data.parent, field="parent") if data.parent else None
    unit = Unit.model_validate(data.model_dump(exclude={"parent"}), update={"created_at": now})
    unit.parent_id = parent.id if parent else None
    session.add(unit)
    session.flush()
    return unit


def update_unit(session: Session, *, actor: Actor, code: str, data: UnitUpdate) -> Unit:
    require(actor, Permission.UNITS_MANAGE)
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise NotFound(_("Không có đơn vị mã {code}.", code=code))
    changes = data.model_dump(exclude_unset=True)
    if "parent" in changes:
        parent_code = changes.pop("parent")
        parent = unit_by_code(session, parent_code, field="parent") if parent_code else None
        # Refuse a cycle: the new parent may not be the unit itself or one of its descendants.
        cursor = parent
        while cursor is not None:
            if cursor.id == unit.id:
                raise ValidationFailed(_("Đơn vị cấp trên không hợp lệ (tạo thành vòng lặp)."), field="parent")
            cursor = session.get(Unit, cursor.parent_id) if cursor.parent_id else None
        unit.parent_id = parent.id if parent else None
    for key in ("name", "kind"):
        if key in changes and changes[key] is None:
            raise ValidationFailed(_("Trường {field} không được để trống.", field=key), field=key)
    unit.sqlmodel_update(changes)
    session.add(unit)
    session.flush()
    return unit


# --- users --------------------------------------------------------------------------------------------------


def user_read(session: Session, user: User) -> UserRead:
    assert user.id is not None
    codes = unit_codes(session)
    grants = session.exec(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id).order_by(col(RoleAssignment.id))
    ).all()
    return UserRead(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        title=user.title,
        email=user.email,
        phone=user.phone,
        locale=user.locale,
        active=user.active,
        roles=[GrantRead(role=g.role, unit=codes.get(g.unit_id) if g.unit_id else None) for g in grants],
    )


def list_users(session: Session, *, actor: Actor) -> list[UserRead]:
    require(actor, Permission.USERS_MANAGE)
    users = session.exec(select(User).order_by(col(User.username))).all()
    return [user_read(session, u) for u in users]


def get_user(session: Session, *, actor: Actor, username: str) -> User:
    require(actor, Permission.USERS_MANAGE)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(_("Không tìm thấy người dùng {username}.", username=username))
    return user


def _set_grants(session: Session, user: User, grants: Sequence[GrantIn]) -> None:
    assert user.id is not None
    for existing in session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all():
        session.delete(existing)
    session.flush()
    seen: set[tuple[str, int | None]] = set()
    for grant in grants:
        unit = unit_by_code(session, grant.unit, field="roles") if grant.unit else None
        if grant.role not in GLOBAL_ROLES and unit is None:
            raise ValidationFailed(_("Vai trò {role} phải gắn với một đơn vị.", role=grant.role.value), field="roles")
        key = (grant.role.value, unit.id if unit else None)
        if key in seen:
            continue
        seen.add(key)
        session.add(RoleAssignment(user_id=user.id, role=grant.role, unit_id=unit.id if unit else None))
    session.flush()


def create_user(
    session: Session, *, data: UserCreate, now: datetime, hasher: PasswordHash, actor: Actor | None
) -> User:
    """Create an account. ``actor`` is None only for the command line (operator on the machine)."""
    if actor is not None:
        require(actor, Permission.USERS_MANAGE)
    username = data.username.lower()
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise Conflict(_("Tên đăng nhập {username} đã tồn tại.", username=username), field="username")
    user = User(
        username=username,
        full_name=data.full_name,
        title=data.title,
        email=data.email,
        phone=data.phone,
        locale=data.locale,
        password_hash=hash_password(data.password, hasher),
        created_at=now,
    )
    session.add(user)
    session.flush()
    _set_grants(session, user, data.roles)
    public_version.bump(session)  # a director is in the public registry of spokespersons
    return user


def update_user(session: Session, *, actor: Actor, username: str, data: UserUpdate, hasher: PasswordHash) -> User:
    user = get_user(session, actor=actor, username=username)
    changes = data.model_dump(exclude_unset=True)
    password = changes.pop("password", None)
    roles = changes.pop("roles", None)
    if "full_name" in changes and changes["full_name"] is None:
        raise ValidationFailed(_("Trường {field} không được để trống.", field="full_name"), field="full_name")
    user.sqlmodel_update({k: v for k, v in changes.items() if not (k in ("locale", "active") and v is None)})
    if password:
        user.password_hash = hash_password(password, hasher)
    session.add(user)
    session.flush()
    if roles is not None:
        _set_grants(session, user, data.roles or [])
    public_version.bump(session)  # a director's name, title, phone, e-mail are in the public registry
    return user


def users_by_usernames(session: Session, usernames: Sequence[str], *, field: str) -> list[User]:
    users = []
    for name in dict.fromkeys(usernames):
        user = session.exec(select(User).where(User.username == name)).first()
        if user is None:
            raise ValidationFailed(_("Không tìm thấy người dùng {username}.", username=name), field=field)
        users.append(user)
    return users


def full_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """Username → full name, for the usernames a history records (unknown ones are left out)."""
    names = list(set(usernames))
    if not names:
        return {}
    rows = session.exec(select(User.username, User.full_name).where(col(User.username).in_(names))).all()
    return dict(rows)


# --- self-service -------------------------------------------------------------------------------------------


def own_user(session: Session, *, actor: Actor) -> User:
    user = session.get(User, actor.user_id)
    assert user is not None
    return user


def own_account(session: Session, *, actor: Actor) -> UserRead:
    """The caller's own account (``GET /api/v1/me``)."""
    return user_read(session, own_user(session, actor=actor))


def update_own_settings(session: Session, *, actor: Actor, data: OwnSettings) -> User:
    user = session.get(User, actor.user_id)
    assert user is not None
    if data.locale is not None:
        user.locale = data.locale
    if data.email_frequency is not None:
        user.email_frequency = data.email_frequency
    session.add(user)
    session.flush()
    return user


def change_own_password(session: Session, *, actor: Actor, data: PasswordChange, hasher: PasswordHash) -> None:
    user = session.get(User, actor.user_id)
    assert user is not None
    if not hasher.verify(data.current_password, user.password_hash):
        raise ValidationFailed(_("Mật khẩu hiện tại không đúng."), field="current_password")
    if data.new_password == data.current_password:
        raise ValidationFailed(_("Mật khẩu mới phải khác mật khẩu hiện tại."), field="new_password")
    user.password_hash = hash_password(data.new_password, hasher)
    session.add(user)
    session.flush()
