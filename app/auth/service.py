"""Authentication: password hashing (argon2), log-in, and the tokens behind sessions and the API."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.sql.base import Executable
from sqlmodel import Session, col, select

from app.auth.models import ApiTokenIssued, ApiTokenRead, AuthToken, LoginFailureReason, TokenKind
from app.auth.permissions import Actor, Grant, Permission, require
from app.errors import NotAuthenticated, NotFound, ValidationFailed
from app.i18n import Message, _
from app.org.models import RoleAssignment, User

DEMO_PASSWORD = "demo"


@cache
def password_hasher(time_cost: int = 3, memory_cost: int = 65536) -> PasswordHash:
    return PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost),))


def hash_password(password: str, hasher: PasswordHash | None = None) -> str:
    return (hasher or password_hasher()).hash(password)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def check_credentials(
    session: Session, *, username: str, password: str, hasher: PasswordHash, allow_demo_password: bool
) -> tuple[User | None, LoginFailureReason | None]:
    """The user whose password this is, or why not (the reason is for the audit log, never for the client)."""
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        hasher.hash(password)  # spend the same time whether or not the user exists
        return None, LoginFailureReason.BAD_PASSWORD
    if not hasher.verify(password, user.password_hash):
        return None, LoginFailureReason.BAD_PASSWORD
    if not user.active:
        return None, LoginFailureReason.INACTIVE
    if password == DEMO_PASSWORD and not allow_demo_password:
        return None, LoginFailureReason.DEMO_PASSWORD
    return user, None


def failure_message(reason: LoginFailureReason) -> Message:
    if reason == LoginFailureReason.DEMO_PASSWORD:
        return _("Mật khẩu demo chỉ dùng được trong môi trường phát triển.")
    return _("Tên đăng nhập hoặc mật khẩu không đúng.")


def authenticate(
    session: Session, *, username: str, password: str, hasher: PasswordHash, allow_demo_password: bool
) -> User:
    user, reason = check_credentials(
        session, username=username, password=password, hasher=hasher, allow_demo_password=allow_demo_password
    )
    if user is None:
        assert reason is not None
        raise NotAuthenticated(failure_message(reason))
    return user


def load_actor(session: Session, user: User) -> Actor:
    assert user.id is not None
    grants = session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all()
    return Actor(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        title=user.title,
        locale=user.locale,
        grants=frozenset(Grant(g.role, g.unit_id) for g in grants),
    )


def issue_token(
    session: Session,
    *,
    user: User,
    kind: TokenKind,
    now: datetime,
    ttl: timedelta | None,
    name: str = "",
    created_by_id: int | None = None,
) -> tuple[str, AuthToken]:
    assert user.id is not None
    raw = new_secret()
    token = AuthToken(
        user_id=user.id,
        kind=kind,
        token_hash=token_digest(raw),
        name=name,
        csrf_token=secrets.token_urlsafe(24) if kind == TokenKind.SESSION else None,
        created_at=now,
        expires_at=now + ttl if ttl else None,
        created_by_id=created_by_id,
    )
    session.add(token)
    session.flush()
    return raw, token


@dataclass(frozen=True)
class Caller:
    """A request's live token and its user as the rules see them."""

    token_id: int
    kind: TokenKind
    csrf_token: str | None
    actor: Actor


# The caller's statement, built once: every staff request runs it, and building a statement (and its cache key)
# anew each time cost as much CPU as running it. The digest is its one parameter.
_CALLER: Executable = (
    sa_select(
        col(AuthToken.id).label("token_id"), col(AuthToken.kind), col(AuthToken.csrf_token), col(AuthToken.expires_at),
        col(AuthToken.revoked_at), col(User.id).label("user_id"), col(User.username), col(User.full_name),
        col(User.title), col(User.locale), col(User.active), col(RoleAssignment.role), col(RoleAssignment.unit_id),
    )
    .join(User, col(User.id) == col(AuthToken.user_id))
    .outerjoin(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
    .where(col(AuthToken.token_hash) == bindparam("digest"))
)  # fmt: skip


def resolve_caller(session: Session, *, raw: str, kinds: frozenset[TokenKind], now: datetime) -> Caller | None:
    """The live token and its user with their grants, or None if unknown, expired, revoked or of another kind.

    ONE statement (``_CALLER``), read as plain rows (a row per grant): every staff request runs it, and loading the
    token, the user and the grants as ORM objects in two statements cost about a millisecond of CPU a request."""
    if not raw or len(raw) > 200:
        return None
    rows = session.execute(_CALLER, {"digest": token_digest(raw)}).all()
    if not rows:
        return None
    first = rows[0]
    if first.kind not in kinds or first.revoked_at is not None or not first.active:
        return None
    if first.expires_at is not None and first.expires_at <= now:
        return None
    actor = Actor(
        user_id=first.user_id, username=first.username, full_name=first.full_name, title=first.title,
        locale=first.locale, grants=frozenset(Grant(row.role, row.unit_id) for row in rows if row.role is not None),
    )  # fmt: skip
    return Caller(token_id=first.token_id, kind=first.kind, csrf_token=first.csrf_token, actor=actor)


def revoke_all_tokens(session: Session, *, user_id: int, now: datetime) -> int:
    """End every session, access token and API token of a user, for good (a password change or reset, a
    deactivation). Revoked tokens stay revoked: reactivating the user does not bring them back."""
    result = session.execute(
        update(AuthToken)
        .where(col(AuthToken.user_id) == user_id, col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def revoke_token(session: Session, *, token_id: int, now: datetime) -> None:
    token = session.get(AuthToken, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        session.flush()


# --- API tokens (admin) -------------------------------------------------------------------------------------


def _api_token_read(token: AuthToken, username: str) -> ApiTokenRead:
    assert token.id is not None
    return ApiTokenRead(
        id=token.id,
        username=username,
        name=token.name,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )


def issue_api_token(
    session: Session, *, actor: Actor, username: str, name: str, expires_at: datetime | None, now: datetime
) -> ApiTokenIssued:
    require(actor, Permission.TOKENS_MANAGE)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(_("Không tìm thấy người dùng {username}.", username=username))
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(_("Thời điểm hết hạn phải ở tương lai."), field="expires_at")
    raw, token = issue_token(
        session,
        user=user,
        kind=TokenKind.API,
        now=now,
        ttl=(expires_at - now) if expires_at else None,
        name=name,
        created_by_id=actor.user_id,
    )
    return ApiTokenIssued(token=raw, **_api_token_read(token, user.username).model_dump())


def list_api_tokens(session: Session, *, actor: Actor) -> list[ApiTokenRead]:
    require(actor, Permission.TOKENS_MANAGE)
    rows = session.exec(
        select(AuthToken, User)
        .join(User, col(User.id) == AuthToken.user_id)
        .where(AuthToken.kind == TokenKind.API)
        .order_by(col(AuthToken.id).desc())
    ).all()
    return [_api_token_read(t, u.username) for t, u in rows]


def revoke_api_token(session: Session, *, actor: Actor, token_id: int, now: datetime) -> ApiTokenRead:
    require(actor, Permission.TOKENS_MANAGE)
    token = session.get(AuthToken, token_id)
    if token is None or token.kind != TokenKind.API:
        raise NotFound(_("Không tìm thấy mã truy cập API."))
    revoke_token(session, token_id=token_id, now=now)
    user = session.get(User, token.user_id)
    assert user is not None
    return _api_token_read(token, user.username)
