"""The public edge: a pure ASGI middleware in front of the public pages and the public API.

For every public request it applies, in order:

1. **Rate limits** per client (``ratelimit.py``): reads, and written inquiries (``POST`` to the API or the page
   form, one bucket) more strictly; 429 with ``Retry-After`` and the JSON error shape (an HTML page for the pages).
   Per process, or shared by every process through Redis when ``CRISISDESK_REDIS_URL`` is set.
2. **CORS** for reading: ``GET``/``HEAD`` from any origin on ``/api/public/v1``; preflights allow only those
   methods, so other sites' scripts cannot post inquiries through their visitors' browsers.
3. **The response cache**: fully rendered responses (body, ETag, headers), keyed by path, query string and —
   for pages — language, in an LRU of bounded size. A hit does no database work and no thread-pool hop: it is
   a dictionary look-up and two ``send`` calls. Misses for the same key are coalesced (one renders, the others
   wait for it). The inquiry pages (``/inquiries…``: a form with a per-visitor token, a status that changes) are
   never cached: they pass through, marked ``Cache-Control: no-store``.
4. **Validators**: a strong ETag (a hash of the body) on every 200 response, 304 on a matching
   ``If-None-Match`` (weak comparison, lists and ``*``), and ``Cache-Control`` that a proxy or CDN can follow.

A hit is answered on two paths from the same cached :class:`Entry` (its :meth:`Entry.answer` chooses 200, 304 or
a HEAD's headers for both): here (:meth:`PublicEdge.try_hit`), after the limits, the version check and the
read-after check, and before the whole middleware stack (``fastpath.py``) for the reads that
:meth:`PublicEdge.early` says it can answer with certainty (fresh cache, no cookie but ``lang``, the answer
cached), with the same limiter (:attr:`PublicEdge.reads`) and the same 429 (:meth:`PublicEdge.too_many`).

Freshness: the cache is valid for one *public version* (``app/public_version.py``), a counter bumped in the
transaction of every publication, correction, withdrawal or registry change, plus the next moment something
changes by itself (an embargo's minute). Each process reads both at most once every
``public_cache_check_seconds`` (and at that next moment), in the thread pool, and empties its cache when they
moved. So a change reaches every process of every server within that interval (plus one request's time). With
Redis, a commit that bumped the version is also pushed to every process (``app/redis_link.py``), which then checks
at its next request (:meth:`PublicCache.expire`): the change is seen at once, the polling bound stays as the
fallback for when Redis is away;
proxies and browsers may keep a response ``max-age`` seconds more (``stale-while-revalidate`` more while they
revalidate). docs/public-api.md states the bound.

With a read replica (``CRISISDESK_DATABASE_READ_URL``) the version is read where the renders read: on the replica
while it is fresh enough, else on the primary, with the WAL position that version reflects (``PublicCache.lsn``).
Every render for the cache asks for at least that position (``READ_AFTER``), so a cached response is never older
than the version it is kept under: a version read on the primary while a lagging replica rendered would keep the
old page under the new version until the next change. A client whose own write (its read-after cookie) is newer
than that position gets a fresh render of its own, not the cache: the staff member who published sees the notice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import DEFAULT_LOCALE, _, negotiate, text
from app.notices import snapshot as public
from app.notices.snapshot import PublicSnapshot
from app.redis_link import RedisLink
from app.replica import ReadReplica
from app.settings import Settings
from app.web.addresses import client_address, parse_networks
from app.web.middleware import CONTENT_SECURITY_POLICY
from app.web.observability import REQUEST_ID_KEY, IdFreeHeaders, route_template
from app.web.public.pages import render_public_error
from app.web.public.ratelimit import make_limiter
from app.web.read_after import READ_AFTER

log = logging.getLogger("crisisdesk.public")

API_PREFIX = "/api/public/v1/"
INQUIRIES = "/api/public/v1/inquiries"
INQUIRY_PAGES = "/inquiries"
FILES = "/api/public/v1/attachments/"
MAX_CACHED_BODY = 1024 * 1024
READ_METHODS = frozenset({"GET", "HEAD"})

REDIRECTS = frozenset({301, 302, 307, 308})
# Scope keys the request log reads (app/web/observability.py): the route a cached answer stands for, hit or miss.
ROUTE_KEY = "crisisdesk.route"
CACHE_KEY = "crisisdesk.cache"
# Scope key: the early path already took this request's token from the read limiter (it then found the cache
# changed while it waited on Redis, and passed the request on): the edge does not take a second one.
ADMITTED_KEY = "crisisdesk.admitted"
RECHECK = timedelta(milliseconds=100)  # between two checks while a pushed version has not been read yet
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC).timestamp()  # a cache never checked is stale

# What the edge handles: the public API, the cached pages, the uncached public pages (home, language switch), and
# the inquiry pages (a form with a per-visitor token, a status that changes): never cached, anywhere, and a POST
# there counts against the inquiry limit like the API's.
API, INQUIRY, PAGE, OTHER_PAGE, INQUIRY_PAGE = "api", "inquiry", "page", "other_page", "inquiry_page"
FILE = "file"  # a published attachment: rate-limited and open to any origin, streamed (never buffered or cached)
HTML_KINDS = frozenset({PAGE, OTHER_PAGE, INQUIRY_PAGE})
# A request refused by the rate limit never reaches the router: its metrics and log line name what it asked for.
LIMITED_ROUTES = {
    API: "/api/public/v1/{path}",
    INQUIRY: "/api/public/v1/inquiries/{path}",
    PAGE: "/{public page}",
    OTHER_PAGE: "/{public page}",
    INQUIRY_PAGE: "/inquiries/{path}",
    FILE: "/api/public/v1/attachments/{path}",
}


# Writes from the public that count against the inquiry limit and are never cached: journalists' inquiries,
# citizens' information requests, e-mail subscriptions (app/web/public/channels.py).
WRITE_APIS = (INQUIRIES, "/api/public/v1/information-requests", "/api/public/v1/subscriptions")
WRITE_PAGES = (INQUIRY_PAGES, "/information-requests", "/subscriptions")


_BELOW_WRITE_APIS = tuple(p + "/" for p in WRITE_APIS)
_BELOW_WRITE_PAGES = tuple(p + "/" for p in WRITE_PAGES)
PAGES = frozenset({"/notices", "/spokespersons", "/stories"})


def classify(path: str) -> str | None:
    """What the edge makes of a path (None: not the public side's). It runs for every request, so each test is
    one C call: ``startswith`` with a tuple, ``in`` a set or a tuple."""
    if path.startswith(API_PREFIX):
        if path.startswith(FILES):
            return FILE
        return INQUIRY if path in WRITE_APIS or path.startswith(_BELOW_WRITE_APIS) else API
    if path in PAGES or path.startswith(("/notices/", "/stories/")):
        return PAGE
    if path == "/" or path.startswith("/lang/"):
        return OTHER_PAGE
    if path in WRITE_PAGES or path.startswith(_BELOW_WRITE_PAGES):
        return INQUIRY_PAGE
    return None


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """RFC 9110 §13.1.2: ``*`` or a list of entity tags, compared weakly (``W/"x"`` matches ``"x"``)."""
    value = if_none_match.strip()
    if value == b"*":
        return True
    for part in value.split(b","):
        tag = part.strip()
        if tag.startswith((b"W/", b"w/")):
            tag = tag[2:]
        if tag == etag:
            return True
    return False


EMPTY_BODY: Message = {"type": "http.response.body", "body": b""}


@dataclass(slots=True)
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None
    not_modified_headers: list[tuple[bytes, bytes]]
    route: str
    kind: str  # what the edge made of the path (``classify``): API or PAGE for a cached answer
    # The body's ASGI message, made once: the early path sends it as is (nothing between it and the server).
    body_message: Message = field(init=False, compare=False)
    # What the early path's observability derives once from this answer, by (method, status): the access line's
    # shape and the histogram's labels (app/web/observability.py, ``record_hit``).
    observed: dict[tuple[str, int], Any] = field(init=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.body_message = {"type": "http.response.body", "body": self.body}

    def answer(self, method: str, if_none_match: bytes | None) -> tuple[int, list[tuple[bytes, bytes]], Message]:
        """The status, headers and body message of this answer to a ``method`` request (304 on a matching
        ``If-None-Match``; no body for a HEAD): the one choice, for both request paths."""
        if self.etag is not None and if_none_match is not None and etag_matches(if_none_match, self.etag):
            return 304, self.not_modified_headers, EMPTY_BODY
        return self.status, self.headers, EMPTY_BODY if method == "HEAD" else self.body_message


Key = tuple[str, bytes, str]  # path, query string, locale ("" for the API)

# A request the early path may answer from the cache (:meth:`PublicEdge.early`), as a plain tuple (it is made for
# every early hit): the kind, the cache key, the entry, ``If-None-Match``, the client address the limits count and
# the ``X-Request-ID`` the client sent (None when absent).
EarlyHit = tuple[str, Key, Entry, bytes | None, str, bytes | None]


@dataclass
class PublicCache:
    """The process's cache of public responses and what it knows of the public version."""

    max_entries: int
    check_interval: timedelta
    max_bytes: int = 64 * 1024 * 1024
    entries: OrderedDict[Key, Entry] = field(default_factory=OrderedDict)
    size: int = 0  # bytes of the bodies kept
    generation: int = 0
    version: int | None = None
    lsn: int | None = None  # with a replica: the WAL position the version was read at (the renders' floor)
    wanted: int | None = None  # a version pushed by Redis that no check has read yet
    next_change_at: datetime | None = None
    # When the version was last checked and when it is to be checked next, as POSIX timestamps (``deadline`` and
    # ``checked_at`` give them as datetimes): the early path compares them with a float clock, no datetime made.
    checked_at_ts: float = LONG_AGO
    deadline_ts: float = LONG_AGO
    inflight: dict[Key, asyncio.Future[None]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0

    @property
    def deadline(self) -> datetime:
        return datetime.fromtimestamp(self.deadline_ts, UTC)

    @deadline.setter
    def deadline(self, value: datetime) -> None:
        self.deadline_ts = value.timestamp()

    @property
    def checked_at(self) -> datetime:
        return datetime.fromtimestamp(self.checked_at_ts, UTC)

    @checked_at.setter
    def checked_at(self, value: datetime) -> None:
        self.checked_at_ts = value.timestamp()

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0
        self.generation += 1

    def stale(self, now: datetime) -> bool:
        """Time to check the public version (or the clock went back: check rather than trust the deadline)."""
        return self.stale_at(now.timestamp())

    def stale_at(self, now: float) -> bool:
        """:meth:`stale` for ``now`` as a POSIX timestamp. Timestamps keep the datetimes' order to the microsecond
        (a float's step there is under half a microsecond), so both say the same."""
        return now >= self.deadline_ts or now < self.checked_at_ts

    def get(self, key: Key) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: Key, entry: Entry) -> None:
        if self.max_entries <= 0 or len(entry.body) > self.max_bytes:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.entries[key] = entry
        self.size += len(entry.body)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _key, evicted = self.entries.popitem(last=False)
            self.size -= len(evicted.body)

    def expire(self, version: int | None = None) -> None:
        """Something changed (a push from Redis): check the public version at the next request, whatever the
        interval. The check, not this, empties the cache: it reads the version the change committed. With the
        version pushed, the checks go on (at most every ``RECHECK``) until one reads it: a read replica may not have
        replayed the change yet, and a check there would otherwise leave the cache on the old version until the
        polling bound."""
        if version is not None:
            self.wanted = version if self.wanted is None else max(self.wanted, version)
        self.deadline_ts = LONG_AGO

    def learn(self, snapshot: PublicSnapshot, now: datetime, lsn: int | None = None) -> None:
        """Take in a fresh snapshot: empty the cache if the version moved or a scheduled change came. ``lsn``
        (with a replica): the WAL position it was read at; the floor only rises, so a version read on a replica
        that is behind the last one never has the cache filled from older data."""
        if lsn is not None:
            self.lsn = lsn if self.lsn is None else max(self.lsn, lsn)
        passed = self.next_change_at is not None and now >= self.next_change_at
        if snapshot.version != self.version or passed:
            self.clear()
            self.version = snapshot.version
        self.next_change_at = snapshot.next_change_at
        if snapshot.next_change_at is not None and snapshot.next_change_at < self.deadline:
            self.deadline = snapshot.next_change_at
        if self.wanted is not None:
            if snapshot.version >= self.wanted:
                self.wanted = None
            else:
                self.deadline = min(self.deadline, now + RECHECK)


def _no_store(send: Send) -> Send:
    """The response, whatever it is (a form, a status, an error), kept by no cache: ours, a proxy's, a browser's."""

    async def send_no_store(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message)["Cache-Control"] = "no-store"
        await send(message)

    return send_no_store


def _any_origin(send: Send) -> Send:
    async def send_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message).setdefault("Access-Control-Allow-Origin", "*")
        await send(message)

    return send_cors


def _read_headers(headers: list[tuple[bytes, bytes]]) -> tuple[bytes | None, bytes | None, bytes | None]:
    """``If-None-Match``, ``Cookie`` and ``X-Forwarded-For`` of a request (None when absent)."""
    if_none_match = cookie = forwarded_for = None
    for key, value in headers:
        if key == b"if-none-match":
            if_none_match = value
        elif key == b"cookie":
            cookie = value
        elif key == b"x-forwarded-for":
            forwarded_for = value
    return if_none_match, cookie, forwarded_for


def _read_snapshot(state: Any, now: datetime) -> tuple[PublicSnapshot, int | None]:
    """The public version and the WAL position it reflects (None without a replica)."""
    replica: ReadReplica | None = getattr(state, "replica", None)
    if replica is None:
        with state.sessions(write=False) as session:
            return public.snapshot(session, now), None
    with replica.open() as session:  # the replica while it is fresh enough, else the primary
        found = public.snapshot(session, now)
        return found, replica.position(session)


class PublicEdge:
    def __init__(self, app: ASGIApp, *, settings: Settings, cache: PublicCache, redis: RedisLink | None = None) -> None:
        self.app = app
        self.cache = cache
        self.limits = settings.rate_limit_enabled
        self.trusted = parse_networks(settings.trusted_proxies)
        self.reads = make_limiter(redis, "read", burst=settings.rate_limit_read_burst,
                                  rate=settings.rate_limit_read_per_second)  # fmt: skip
        self.inquiries = make_limiter(redis, "inquiry", burst=settings.rate_limit_inquiry_burst,
                                      rate=settings.rate_limit_inquiry_per_hour / 3600)  # fmt: skip
        swr = f", stale-while-revalidate={settings.public_stale_seconds}" if settings.public_stale_seconds else ""
        self.cache_control = f"public, max-age={settings.public_max_age_seconds}{swr}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = classify(scope["path"])
        if kind is None:
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        if_none_match, cookie, forwarded_for = _read_headers(scope["headers"])
        state = scope["app"].state
        now: datetime = state.clock()

        if self.limits and not scope.get(ADMITTED_KEY):
            buckets = self.inquiries if kind in (INQUIRY, INQUIRY_PAGE) and method == "POST" else self.reads
            wait = await buckets.take(self.address(scope, forwarded_for), now.timestamp())
            if wait:
                await self.too_many(scope, receive, send, kind, wait)
                return

        if kind in (API, INQUIRY, FILE) and method == "OPTIONS":
            await self._preflight(send)
            return
        if kind == FILE:
            await self.app(scope, receive, _any_origin(send))
            return
        if kind == INQUIRY_PAGE:
            await self.app(scope, receive, _no_store(send))
            return
        if method not in READ_METHODS or kind == OTHER_PAGE:
            await self.app(scope, receive, send)
            return

        if kind == INQUIRY:  # a status by tracking code: validated, never cached
            entry = await self._render(scope, receive, kind)
            await self._answer(entry, method, if_none_match, send)
            return

        cache = self.cache
        if cache.stale(now):
            await self._refresh(state, now)
        if cache.lsn is not None:  # a read replica: renders read at least where the version was read
            request_state: dict[str, Any] = scope.setdefault("state", {})
            wrote = request_state.get(READ_AFTER)
            if isinstance(wrote, int) and wrote > cache.lsn:  # this client's own write may not be cached yet
                scope[CACHE_KEY] = "miss"
                entry = await self._render(scope, receive, kind)
                await self._answer(entry, method, if_none_match, send)
                return
            request_state[READ_AFTER] = cache.lsn
        key = self.key(scope, kind, cookie)
        if await self.try_hit(scope, key, if_none_match, send) is not None:
            return
        cache.misses += 1
        scope[CACHE_KEY] = "miss"
        entry = await self._fill(scope, receive, kind, key)
        await self._answer(entry, method, if_none_match, send)

    # --- hits: the one implementation, for this middleware and the early path (app/web/public/fastpath.py) ------

    @staticmethod
    def key(scope: Scope, kind: str, cookie: bytes | None) -> Key:
        """The cache key of a read: path, query string and, for pages, the language (Vietnamese unless the
        switch's ``lang`` cookie chose English; pages do not follow ``Accept-Language``)."""
        locale = ""
        if kind == PAGE:
            lang = cookie_parser(cookie.decode("latin-1")).get("lang") if cookie else None
            locale = negotiate(None, lang)
        return (scope["path"], scope["query_string"], locale)

    def address(self, scope: Scope, forwarded_for: bytes | None) -> str:
        """The client the rate limits count (``X-Forwarded-For`` believed from trusted proxies only)."""
        client = scope.get("client")
        forwarded = forwarded_for.decode("latin-1") if forwarded_for else None
        return client_address(client[0] if client else None, forwarded, self.trusted)

    async def try_hit(self, scope: Scope, key: Key, if_none_match: bytes | None, send: Send) -> Entry | None:
        """Answer a read from the cache if ``key`` is in it (200, 304 or a HEAD's headers: :meth:`Entry.answer`);
        None if it is not. The caller has applied the limits and knows the cache may answer this client (fresh
        enough for it)."""
        cache = self.cache
        cached = cache.get(key)
        if cached is None:
            return None
        cache.hits += 1
        scope[ROUTE_KEY] = cached.route
        scope[CACHE_KEY] = "hit"
        await self._answer(cached, scope["method"], if_none_match, send)
        return cached

    def early(self, scope: Scope, now: float) -> EarlyHit | None:
        """A request the early path may answer from the cache with certainty, before the middleware stack: a
        ``GET``/``HEAD`` of the public API or a cached page, the cache checked within its interval with no pushed
        version pending, no cookie but ``lang`` (so no read-after mark and no staff session), and its answer in
        the cache. Anything else (None) goes through the whole stack, this middleware included. The query string
        is the one the stack would see (``EmptyQueryValues`` applied by the caller); ``now`` is the app's clock
        as a POSIX timestamp. It runs for every request the early path might answer: one pass over the headers,
        the key and the address made as :meth:`key` and :meth:`address` make them."""
        method = scope["method"]
        if method != "GET" and method != "HEAD":
            return None
        cache = self.cache
        if cache.wanted is not None or now >= cache.deadline_ts or now < cache.checked_at_ts:  # cache.stale_at
            return None
        # The cache itself says what the path is: the API's answers are kept under the locale "", the pages'
        # under theirs (``key``), and each entry knows the kind it was made for. One look-up for the API, two for
        # a page, and none of ``classify``'s tests.
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        key: Key = (path, query, "")
        entry = cache.entries.get(key)
        if_none_match = cookie = forwarded_for = request_id = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value
            elif name == b"cookie":
                cookie = value
            elif name == b"x-forwarded-for":
                forwarded_for = value
            elif name == REQUEST_ID_KEY and request_id is None:  # the first, as request_id_from takes it
                request_id = value
        lang = None
        if cookie is not None:
            cookies = cookie_parser(cookie.decode("latin-1"))
            if any(name != "lang" for name in cookies):
                return None
            lang = cookies.get("lang")
        if entry is None or entry.kind != API:
            key = (path, query, negotiate(None, lang) if lang is not None else DEFAULT_LOCALE)
            entry = cache.entries.get(key)
            if entry is None or entry.kind != PAGE:
                return None
        if forwarded_for is None or not self.trusted:
            client = scope.get("client")
            address = (client[0] if client else None) or "unknown"  # as client_address
        else:
            address = self.address(scope, forwarded_for)
        return entry.kind, key, entry, if_none_match, address, request_id

    # --- freshness ----------------------------------------------------------------------------------------

    async def _refresh(self, state: Any, now: datetime) -> None:
        cache = self.cache
        cache.deadline = now + cache.check_interval  # the others go on meanwhile: one check at a time
        cache.checked_at = now
        try:
            snapshot, lsn = await run_in_threadpool(_read_snapshot, state, now)
        except PoolTimeout:
            # Every connection is busy (a rush): keep serving what is cached and check again next time. Emptying
            # the cache here would send every reader to the saturated pool (seen with 1,000 readers).
            log.warning("public cache: pool saturated, the public version was not read; cache kept")
            return
        except Exception as exc:  # the database is out of reach: one line a check (at most one a second), no traceback
            log.warning("public cache: could not read the public version (%s); cache emptied", type(exc).__name__)
            cache.clear()
            cache.version = None
            return
        cache.learn(snapshot, now, lsn)

    # --- misses -------------------------------------------------------------------------------------------

    async def _fill(self, scope: Scope, receive: Receive, kind: str, key: Key) -> Entry:
        cache = self.cache
        waiting = cache.inflight.get(key)
        if waiting is not None:
            await asyncio.shield(waiting)
            done = cache.get(key)
            if done is not None:
                scope[ROUTE_KEY] = done.route
                return done
        generation = cache.generation
        flight: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        cache.inflight[key] = flight
        try:
            entry = await self._render(scope, receive, kind)
            if entry.status == 200 or entry.status in REDIRECTS:
                if len(entry.body) <= MAX_CACHED_BODY and cache.generation == generation:
                    cache.put(key, entry)
            return entry
        finally:
            # Only our own flight: waiters whose first flight gave nothing cacheable each start one of their own,
            # and the cache may have been emptied meanwhile (a KeyError here was a 500 under a burst of misses).
            if cache.inflight.get(key) is flight:
                del cache.inflight[key]
            flight.set_result(None)

    async def _render(self, scope: Scope, receive: Receive, kind: str) -> Entry:
        """Run the app below and keep its whole response, with our validators and caching headers."""
        status = 500
        raw_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def keep(message: Any) -> None:
            nonlocal status, raw_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                raw_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        head = scope["method"] == "HEAD"
        if head:
            scope["method"] = "GET"  # render the body once; HEAD answers send only the headers
        try:
            await self.app(scope, receive, keep)
        finally:
            if head:
                scope["method"] = "HEAD"
        route = route_template(scope)
        scope[ROUTE_KEY] = route
        body = b"".join(chunks)
        return self._entry(status, raw_headers, body, kind, route)

    def _entry(self, status: int, raw: list[tuple[bytes, bytes]], body: bytes, kind: str, route: str) -> Entry:
        drop = {b"content-length", b"etag", b"cache-control", b"vary", REQUEST_ID_KEY}
        headers = [(k, v) for k, v in raw if k.lower() not in drop]
        extra: list[tuple[bytes, bytes]] = []
        if kind == PAGE:
            extra.append((b"vary", b"Cookie"))
        elif kind in (API, INQUIRY):
            extra.append((b"access-control-allow-origin", b"*"))
            extra.append((b"access-control-expose-headers", b"ETag, Retry-After, X-Request-ID"))
        etag = None
        if status == 200:
            etag = etag_of(body)
            extra.append((b"etag", etag))
            extra.append((b"cache-control", b"no-cache" if kind == INQUIRY else self.cache_control))
        elif status in REDIRECTS:
            extra.append((b"cache-control", self.cache_control))
        else:
            extra.append((b"cache-control", b"no-store"))
        headers += extra
        full = IdFreeHeaders([*headers, (b"content-length", str(len(body)).encode())])
        return Entry(status=status, headers=full, body=body, etag=etag, not_modified_headers=IdFreeHeaders(extra),
                     route=route, kind=kind)  # fmt: skip

    # --- answers ------------------------------------------------------------------------------------------

    @staticmethod
    async def _answer(entry: Entry, method: str, if_none_match: bytes | None, send: Send) -> None:
        status, headers, body = entry.answer(method, if_none_match)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body["body"]})  # a message of its own: the stack's layers

    @staticmethod
    async def _preflight(send: Send) -> None:
        headers = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
            (b"access-control-allow-headers", b"If-None-Match, Accept-Language"),
            (b"access-control-max-age", b"86400"),
            (b"allow", b"GET, HEAD, OPTIONS"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def too_many(self, scope: Scope, receive: Receive, send: Send, kind: str, wait: int) -> None:
        scope[ROUTE_KEY] = LIMITED_ROUTES[kind]
        request = Request(scope, receive)
        if kind in HTML_KINDS:
            locale = negotiate(None, request.cookies.get("lang"))
        else:
            locale = negotiate(request.headers.get("accept-language"))
        message = _("Quá nhiều yêu cầu. Hãy thử lại sau {seconds} giây.", seconds=wait)
        headers = {"Retry-After": str(wait), "Cache-Control": "no-store"}
        if kind in HTML_KINDS:
            response = render_public_error(request, 429, text(message, locale), locale=locale)
            response.headers.update(headers)
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            response.headers["X-Content-Type-Options"] = "nosniff"
            await response(scope, receive, send)
            return
        body = json.dumps({"error": "RateLimited", "detail": text(message, locale)}, ensure_ascii=False).encode()
        raw = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(wait).encode()),
            (b"cache-control", b"no-store"),
            (b"x-content-type-options", b"nosniff"),
        ]
        if scope["method"] in READ_METHODS:
            raw.append((b"access-control-allow-origin", b"*"))
        await send({"type": "http.response.start", "status": 429, "headers": raw})
        await send({"type": "http.response.body", "body": body})
