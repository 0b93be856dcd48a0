"""Log-in throttling, per account and per client address, and the audit log of failed log-ins.

Each failure is counted twice: against the account tried (``account:<username>``, known or not) and against the
client address (``client:<address>``). After a few free failures, the next attempt must wait a growing delay
(1 s, 2 s, 4 s … at most 5 minutes); after many, the key is locked for 15 minutes. An attempt that comes too early
is refused with 429 and ``Retry-After`` *before the password is looked at*, so guessing gains nothing. Failures
older than 15 minutes (with no lock running) are forgotten; a successful log-in clears its account's count.

Worked example (the account policy): 3 wrong passwords for ``spokesperson`` pass as plain 401s; the 4th failure
makes the next attempt wait 1 s, the 5th 2 s, the 6th 4 s …; the 10th locks the account for 15 minutes, and even
the right password is refused until an admin lifts the lock (``DELETE /api/v1/users/spokesperson/login-lock``) or
the time runs out. Every failure (throttled ones too) is a row of ``login_failure``, which admins read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.auth.models import LoginFailure, LoginFailureRead, LoginFailureReason, LoginLockRead, LoginThrottle
from app.auth.permissions import Actor, Permission, require
from app.auth.service import check_credentials, failure_message
from app.errors import DomainError, NotAuthenticated, NotFound, RateLimited
from app.i18n import _
from app.org.models import User


@dataclass(frozen=True)
class Policy:
    free: int  # failures without any delay
    lock_after: int  # failures that lock the key
    lock: timedelta  # for this long
    max_delay: timedelta


ACCOUNT = Policy(free=3, lock_after=10, lock=timedelta(minutes=15), max_delay=timedelta(minutes=5))
CLIENT = Policy(free=10, lock_after=50, lock=timedelta(minutes=15), max_delay=timedelta(minutes=5))
FORGET_AFTER = timedelta(minutes=15)


def delay(policy: Policy, failures: int) -> timedelta:
    """The wait after ``failures`` failures: none for the free ones, then 1 s, 2 s, 4 s … up to the policy's cap."""
    if failures < policy.free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - policy.free, 20)), policy.max_delay)


def wait_seconds(row: LoginThrottle | None, policy: Policy, now: datetime) -> int:
    """Seconds before the next attempt on this key is looked at (0: now)."""
    if row is None:
        return 0
    if row.locked_until is not None and row.locked_until > now:
        return math.ceil((row.locked_until - now).total_seconds())
    if now - row.last_failure_at > FORGET_AFTER:
        return 0
    ready = row.last_failure_at + delay(policy, row.failures)
    return math.ceil((ready - now).total_seconds()) if ready > now else 0


def account_key(username: str) -> str:
    return f"account:{username.strip().lower()[:64]}"


def client_key(client: str) -> str:
    return f"client:{client[:64]}"


def _row(session: Session, key: str, now: datetime, *, lock: bool) -> LoginThrottle:
    """The key's row, created if missing and locked for update (two failures at once both count)."""
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(table).values(key=key, failures=0, last_failure_at=now).on_conflict_do_nothing())
    query = select(LoginThrottle).where(LoginThrottle.key == key).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update()
    return session.exec(query).one()


def _count(session: Session, key: str, policy: Policy, now: datetime) -> None:
    row = _row(session, key, now, lock=True)
    running_lock = row.locked_until is not None and row.locked_until > now
    row.failures = 1 if (now - row.last_failure_at > FORGET_AFTER and not running_lock) else row.failures + 1
    row.last_failure_at = now
    if row.failures >= policy.lock_after and not running_lock:
        row.locked_until = now + policy.lock
    session.add(row)


def _refusal(seconds: int) -> DomainError:
    if seconds > 60:
        message = _(
            "Quá nhiều lần đăng nhập sai: tài khoản hoặc địa chỉ này tạm bị khoá. Hãy thử lại sau {minutes} phút, "
            "hoặc nhờ quản trị viên mở khoá.",
            minutes=math.ceil(seconds / 60),
        )
    else:
        message = _("Quá nhiều lần đăng nhập sai. Hãy thử lại sau {seconds} giây.", seconds=seconds)
    return RateLimited(message, retry_after=seconds)


def log_in(
    session: Session,
    *,
    username: str,
    password: str,
    client: str,
    channel: str,
    hasher: PasswordHash,
    allow_demo_password: bool,
    now: datetime,
) -> User | DomainError:
    """The user, or the error to answer (429 too many attempts, 401 wrong credentials).

    The failure is recorded in this session: the caller answers the error *without raising*, so that the unit of
    work commits the count and the audit row."""
    username = username.strip().lower()[:64]
    keys = ((account_key(username), ACCOUNT), (client_key(client), CLIENT))
    wait = max(wait_seconds(session.get(LoginThrottle, key), policy, now) for key, policy in keys)
    if wait > 0:
        _audit(session, username=username, client=client, channel=channel, reason=LoginFailureReason.THROTTLED, now=now)
        return _refusal(wait)
    user, reason = check_credentials(
        session, username=username, password=password, hasher=hasher, allow_demo_password=allow_demo_password
    )
    if user is not None:
        found = session.get(LoginThrottle, account_key(username))
        if found is not None:
            session.delete(found)
            session.flush()
        return user
    assert reason is not None
    _audit(session, username=username, client=client, channel=channel, reason=reason, now=now)
    for key, policy in keys:
        _count(session, key, policy, now)
    session.flush()
    return NotAuthenticated(failure_message(reason))


def _audit(
    session: Session, *, username: str, client: str, channel: str, reason: LoginFailureReason, now: datetime
) -> None:
    session.add(LoginFailure(at=now, username=username, client=client[:64], reason=reason, channel=channel))
    session.flush()


# --- admins ---------------------------------------------------------------------------------------------------


def list_failures(
    session: Session, *, actor: Actor, username: str | None = None, limit: int = 100
) -> list[LoginFailureRead]:
    """The audit log of failed log-ins, newest first."""
    require(actor, Permission.USERS_MANAGE)
    query = select(LoginFailure)
    if username:
        query = query.where(LoginFailure.username == username.strip().lower())
    rows = session.exec(query.order_by(col(LoginFailure.at).desc(), col(LoginFailure.id).desc()).limit(limit)).all()
    return [LoginFailureRead.model_validate(r, from_attributes=True) for r in rows]


def lock_status(session: Session, *, actor: Actor, username: str, now: datetime) -> LoginLockRead:
    require(actor, Permission.USERS_MANAGE)
    username = username.strip().lower()
    if session.exec(select(User.id).where(User.username == username)).first() is None:
        raise NotFound(_("Không tìm thấy người dùng {username}.", username=username))
    row = session.get(LoginThrottle, account_key(username))
    running = row is not None and row.locked_until is not None and row.locked_until > now
    return LoginLockRead(
        username=username,
        failures=row.failures if row is not None and now - row.last_failure_at <= FORGET_AFTER else 0,
        locked_until=row.locked_until if row is not None and running else None,
    )


def lift_lock(session: Session, *, actor: Actor, username: str, now: datetime) -> LoginLockRead:
    """An admin ends the account's lock and forgets its failures (the audit log keeps them)."""
    status = lock_status(session, actor=actor, username=username, now=now)
    row = session.get(LoginThrottle, account_key(status.username))
    if row is not None:
        session.delete(row)
        session.flush()
    return LoginLockRead(username=status.username, failures=0, locked_until=None)
