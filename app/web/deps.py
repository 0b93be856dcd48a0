"""Request dependencies: the unit of work, the clock, the caller's identity and language."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from functools import partial
from typing import Annotated

import anyio
from fastapi import Depends, Path, Request
from pwdlib import PasswordHash
from sqlmodel import Session

from app.auth.models import TokenKind
from app.auth.permissions import Actor
from app.auth.service import Caller, password_hasher, resolve_caller
from app.db import Admission, SessionFactory, ending_in, in_use, unit_of_work_in
from app.errors import NotAuthenticated, PermissionDenied
from app.i18n import Locale, _, negotiate
from app.replica import ReadReplica
from app.settings import Settings
from app.validation import MAX_ID
from app.web.addresses import client_address, parse_networks
from app.web.read_after import COMMITTED, READ_AFTER

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
LANG_COOKIE = "lang"

END_LANE_THREADS = 40
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _end_lane(request: Request) -> anyio.CapacityLimiter:
    """The threads that end transactions (commit, roll back, give the connection back), apart from FastAPI's.

    A transaction that holds a row lock (a yearly counter) must be able to commit even when every thread of the
    request pool is taken by requests waiting for that lock or for a connection: ending it in the same pool would
    make it queue behind its own waiters until their time-outs."""
    lane: anyio.CapacityLimiter | None = getattr(request.app.state, "end_lane", None)
    if lane is None:
        lane = request.app.state.end_lane = anyio.CapacityLimiter(END_LANE_THREADS)
    return lane


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, rolled back on any error; admitted
    first (``app.db.Admission``: no more requests in a transaction than the pool has connections).

    ``async`` so that its end does not take a thread of the request pool; every database call of it runs in a
    thread of its own lane (``_end_lane``), never on the event loop (opening a Session does no I/O). With a read
    replica, a request that wrote leaves the primary's WAL position after its commit in ``request.state``: the
    client's next reads wait for the replica to reach it (``app/web/read_after.py``)."""
    factory: SessionFactory = request.app.state.sessions
    admission: Admission = request.app.state.admission
    write = request.method not in SAFE_METHODS
    lane = _end_lane(request)
    touched = False
    async with admission(), unit_of_work_in(factory, write=write, lane=lane) as session:
        yield session
        touched = write and in_use(session)
    replica: ReadReplica | None = getattr(request.app.state, "replica", None)
    if touched and replica is not None:
        position = await anyio.to_thread.run_sync(replica.primary_position, limiter=lane)
        if position is not None:
            setattr(request.state, COMMITTED, position)


SessionDep = Annotated[Session, Depends(get_db, scope="function")]


async def get_read_db(request: Request, session: SessionDep) -> AsyncIterator[Session]:
    """A session for reads that may lag the primary by a bounded time: the public side (notices, feeds, the
    registry, published files) and the staff's reports and exports.

    Without ``CRISISDESK_DATABASE_READ_URL`` it is the request's own session, on the one database. With it, a
    session on the replica while the replica is within ``CRISISDESK_DATABASE_READ_MAX_LAG_SECONDS`` and has
    replayed what this request must see (its client's last write; for the public cache, the version it holds),
    else on the primary (``app/replica/routing.py``). Opening it connects, in the thread pool; its end (a roll
    back, a close) runs in the end lane."""
    replica: ReadReplica | None = getattr(request.app.state, "replica", None)
    if replica is None:
        yield session
        return
    after: int | None = getattr(request.state, READ_AFTER, None)
    reader = await anyio.to_thread.run_sync(replica.open, after)
    async with ending_in(reader, write=False, lane=_end_lane(request)):
        yield reader


def read_session_opener(request: Request) -> Callable[[], Session]:
    """Opens read sessions as ``get_read_db`` chooses them, for work that outlives the request's session (an
    export streamed in batches): on the replica when it serves this request, else on the primary."""
    replica: ReadReplica | None = getattr(request.app.state, "replica", None)
    if replica is None:
        return partial(request.app.state.sessions, write=False)
    return partial(replica.open, getattr(request.state, READ_AFTER, None))


def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ReadSessionDep = Annotated[Session, Depends(get_read_db, scope="function")]
NowDep = Annotated[datetime, Depends(get_now)]


def client_ip(request: Request) -> str:
    """The client's address: the peer, or behind ``CRISISDESK_TRUSTED_PROXIES`` what they say it is."""
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else None
    trusted = parse_networks(settings.trusted_proxies)
    return client_address(peer, request.headers.get("x-forwarded-for"), trusted)


def get_hasher(settings: SettingsDep) -> PasswordHash:
    """The password hasher of the settings' argon2 cost (one per cost, cached)."""
    return password_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)


HasherDep = Annotated[PasswordHash, Depends(get_hasher)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def _csrf_from_request(request: Request) -> str | None:
    value = request.headers.get(CSRF_HEADER)
    if value:
        return value
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        return field if isinstance(field, str) else None
    return None


def authenticate_request(request: Request, session: Session, now: datetime) -> Caller | None:
    """The caller by bearer token (API) or session cookie (browser), or None."""
    settings: Settings = request.app.state.settings
    raw = bearer_token(request)
    if raw is not None:
        return resolve_caller(session, raw=raw, kinds=frozenset({TokenKind.ACCESS, TokenKind.API}), now=now)
    cookie = request.cookies.get(settings.session_cookie_name)
    if not cookie:
        return None
    return resolve_caller(session, raw=cookie, kinds=frozenset({TokenKind.SESSION}), now=now)


def authenticate(request: Request, session: SessionDep, now: NowDep) -> Actor:
    """The authenticated staff member (a plain ``def``: FastAPI runs it in its threadpool, never on the event loop).

    Database work must never run in an ``async def`` route or dependency: a blocking query on the event loop stalls
    every request of the process, and under load it deadlocks with the transactions waiting for the loop."""
    if hasattr(request.state, "actor"):
        actor: Actor = request.state.actor
        return actor
    caller = authenticate_request(request, session, now)
    if caller is None:
        raise NotAuthenticated(_("Cần đăng nhập."))
    request.state.actor = caller.actor
    request.state.auth_token_id = caller.token_id
    request.state.auth_kind = caller.kind
    request.state.csrf_token = caller.csrf_token or ""
    return caller.actor


async def get_actor(request: Request, actor: Annotated[Actor, Depends(authenticate)]) -> Actor:
    """The authenticated staff member. Cookie-authenticated writes must carry the session's CSRF token.

    ``async`` only to read a form body for the CSRF field; it touches no database (``authenticate`` did)."""
    if request.state.auth_kind == TokenKind.SESSION and request.method not in SAFE_METHODS:
        expected: str = request.state.csrf_token
        sent = await _csrf_from_request(request)
        if not sent or not expected or not hmac.compare_digest(sent, expected):
            raise PermissionDenied(_("Phiên làm việc không hợp lệ (thiếu mã CSRF). Hãy tải lại trang và thử lại."))
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def get_locale(request: Request) -> Locale:
    """The language of the response.

    Pages (staff and public) are Vietnamese unless someone chose English: the ``lang`` cookie (the switch), else
    the signed-in user's own setting. Browsers send an Accept-Language whatever their user reads, so pages do not
    follow it. APIs: an explicit Accept-Language is the client's choice and wins over the user's setting.
    """
    cookie = request.cookies.get(LANG_COOKIE)
    actor: Actor | None = getattr(request.state, "actor", None)
    kind: TokenKind | None = getattr(request.state, "auth_kind", None)
    is_api = request.url.path.startswith("/api/")
    header = request.headers.get("accept-language") if is_api else None
    api_client = kind is not None and kind != TokenKind.SESSION
    if cookie is None and actor is not None and actor.locale in ("vi", "en") and not (api_client and header):
        cookie = actor.locale
    return negotiate(header, cookie)


LocaleDep = Annotated[Locale, Depends(get_locale)]
