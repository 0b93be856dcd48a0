"""``crisisdesk monitor``: polls the sources politely, stores what is new, sends the morning digest.

Politeness: a User-Agent that names the Sở (``CRISISDESK_MONITOR_USER_AGENT``); ``robots.txt`` read once an hour
per host (``urllib.robotparser``; only a robots.txt that was fetched can forbid); one request at a time per host
(each host is worked by one thread) with at least ``CRISISDESK_MONITOR_HOST_INTERVAL_SECONDS`` between two;
conditional GET (``If-None-Match`` / ``If-Modified-Since``); a timeout; at most ``CRISISDESK_MONITOR_MAX_REDIRECTS``
redirects; an answer larger than ``CRISISDESK_MONITOR_MAX_BYTES`` is abandoned while it downloads.

Whatever goes wrong with a source (timeout, HTTP error, broken XML, too big, redirect loop, forbidden) is recorded
on the source (``last_error``, one more failure in a row; see ``rules.next_poll_delay``) and the cycle goes on
with the others. Each source is claimed before it is fetched, so two monitor processes share the work.
"""

from __future__ import annotations

import html
import json
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from types import FrameType
from typing import Any, TypeVar
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import feedparser
import httpx
import trafilatura
from lxml import etree
from lxml import html as lxml_html
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import make_engine, utcnow, writer
from app.monitor import digest as digests
from app.monitor import rules, service
from app.monitor.models import SourceKind
from app.monitor.render import digest_text
from app.notifications.mailer import Mailer
from app.settings import Settings
from app.timeutil import local_date

log = logging.getLogger("crisisdesk.monitor")
T = TypeVar("T")

CLAIM_LEASE = timedelta(minutes=10)
ROBOTS_TTL = 3600.0
MAX_ENTRIES = 500  # per source and poll


class FetchError(Exception):
    """A source could not be read; the message is recorded on the source."""


@dataclass
class Fetched:
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    url: str


@dataclass
class CycleReport:
    sources: int = 0
    failed: int = 0
    new_items: int = 0
    errors: dict[int, str] = field(default_factory=dict)


class Fetcher:
    def __init__(self, settings: Settings, *, engine: Engine | None = None, clock: Callable[[], datetime] = utcnow,
                 monotonic: Callable[[], float] = time.monotonic,
                 sessions: Callable[[], Session] | None = None) -> None:  # fmt: skip
        self.settings = settings
        self.engine = engine or make_engine(settings.database_url, pool_size=settings.monitor_concurrency + 2,
                                            max_overflow=4)  # fmt: skip
        self.own_engine = engine is None
        self.writer = writer(self.engine)
        # Each step is a short transaction of its own; tests may pass a factory joined to their connection.
        self.sessions = sessions or (lambda: Session(self.writer, expire_on_commit=False))
        self.clock = clock
        self.monotonic = monotonic
        self.stopping = False
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._robots: dict[str, tuple[float, RobotFileParser | None]] = {}
        self._host_next: dict[str, float] = {}
        self._host_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._store_lock = threading.Lock()
        self.client = httpx.Client(
            timeout=httpx.Timeout(settings.monitor_timeout_seconds),
            follow_redirects=True,
            max_redirects=settings.monitor_max_redirects,
            headers={"User-Agent": settings.monitor_user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=settings.monitor_concurrency * 2),
        )

    def close(self) -> None:
        self.client.close()
        if self.own_engine:
            self.engine.dispose()

    # --- running ---

    def stop(self, _signum: int | None = None, _frame: FrameType | None = None) -> None:
        self.stopping = True

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run(self, *, once: bool = False, progress: Callable[[int, int], None] | None = None) -> CycleReport:
        """Cycles until stopped (or one with ``once``): poll the due sources, then the digest's e-mail."""
        total = CycleReport()
        while not self.stopping:
            report = self.run_cycle(progress=progress)
            total.sources += report.sources
            total.failed += report.failed
            total.new_items += report.new_items
            total.errors.update(report.errors)
            self.send_digests()
            if once:
                break
            end = self.monotonic() + self.settings.monitor_loop_seconds
            while not self.stopping and self.monotonic() < end:
                time.sleep(0.2)
        return total

    def poll_all_now(self) -> None:
        """Make every enabled source due now (``crisisdesk monitor --once --all``)."""
        self._tx(partial(service.make_all_due, now=self.clock()))

    def _tx(self, fn: Callable[[Session], T]) -> T:
        with self.sessions() as session:
            result = fn(session)
            session.commit()
            return result

    # --- one cycle ---

    def run_cycle(self, *, progress: Callable[[int, int], None] | None = None) -> CycleReport:
        now = self.clock()
        targets = self._tx(partial(service.due_sources, now=now))
        report = CycleReport(sources=len(targets))
        if not targets:
            return report
        self.matcher = self._tx(service.load_matcher)
        self.index = self._tx(partial(service.load_cluster_index, now=now))
        by_host: dict[str, list[service.PollTarget]] = defaultdict(list)
        for target in targets:
            by_host[rules.host_of(target.url)].append(target)
        done = 0
        lock = threading.Lock()

        def work(host_targets: list[service.PollTarget]) -> None:
            nonlocal done
            for target in host_targets:
                if self.stopping:
                    return
                error, new = self.poll(target)
                with lock:
                    done += 1
                    if error is not None:
                        report.failed += 1
                        report.errors[target.id] = error
                    report.new_items += new
                    if progress is not None:
                        progress(done, len(targets))

        with ThreadPoolExecutor(max_workers=self.settings.monitor_concurrency) as pool:
            for future in [pool.submit(work, group) for group in by_host.values()]:
                future.result()
        return report

    def poll(self, target: service.PollTarget) -> tuple[str | None, int]:
        """Fetch one source and store its new items; returns (the error recorded, or None; new items)."""
        now = self.clock()
        if not self._tx(partial(service.claim_source, source_id=target.id, now=now, lease=CLAIM_LEASE)):
            return None, 0  # another monitor process has it
        etag, modified, new = None, None, 0
        try:
            fetched = self.fetch(target.url, etag=target.etag, last_modified=target.last_modified)
            etag, modified = fetched.etag, fetched.last_modified
            if fetched.status != 304:
                entries = parse(target.kind, fetched.body, fetched.url)[:MAX_ENTRIES]
                with self._store_lock:
                    new = len(self._tx(partial(service.store_items, source_id=target.id, outlet=target.outlet,
                                               entries=entries, matcher=self.matcher, index=self.index,
                                               now=self.clock())))  # fmt: skip
            error = None
        except FetchError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 — a source must never stop the others
            log.exception("source %s failed", target.id)
            error = f"Lỗi khi xử lý nguồn: {exc.__class__.__name__}: {exc}"
        if error is not None:
            log.warning("source %s (%s): %s", target.id, target.url, error)
        self._tx(partial(service.record_poll, source_id=target.id, now=self.clock(), error=error, etag=etag,
                         last_modified=modified, new_items=new))  # fmt: skip
        return error, new

    # --- HTTP ---

    def _wait_turn(self, host: str) -> None:
        """At least the host interval between two requests to one host."""
        with self._host_locks[host]:
            wait = self._host_next.get(host, 0.0) - self.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._host_next[host] = self.monotonic() + self.settings.monitor_host_interval_seconds

    def _robots_for(self, url: str) -> RobotFileParser | None:
        host = rules.host_of(url)
        cached = self._robots.get(host)
        if cached is not None and self.monotonic() - cached[0] < ROBOTS_TTL:
            return cached[1]
        parser: RobotFileParser | None = None
        robots_url = urljoin(url, "/robots.txt")
        try:
            got = self._get(robots_url, headers={}, limit=512 * 1024)
            if got.status == 200:
                parser = RobotFileParser(robots_url)
                parser.parse(got.body.decode("utf-8", "replace").splitlines())
        except FetchError:
            parser = None  # no robots.txt we could read: nothing forbidden
        self._robots[host] = (self.monotonic(), parser)
        return parser

    def _get(self, url: str, *, headers: dict[str, str], limit: int) -> Fetched:
        self._wait_turn(rules.host_of(url))
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(f"Nội dung quá lớn ({int(declared) // 1024} KiB > {limit // 1024} KiB).")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"Nội dung quá lớn (hơn {limit // 1024} KiB).")
                    chunks.append(chunk)
                return Fetched(response.status_code, b"".join(chunks), response.headers.get("etag"),
                               response.headers.get("last-modified"), str(response.url))  # fmt: skip
        except httpx.TooManyRedirects as exc:
            raise FetchError(f"Quá nhiều lần chuyển hướng (hơn {self.settings.monitor_max_redirects}).") from exc
        except httpx.TimeoutException as exc:
            raise FetchError(f"Hết thời gian chờ ({self.settings.monitor_timeout_seconds:g} giây).") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"Lỗi kết nối: {exc.__class__.__name__}: {exc}") from exc

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        robots = self._robots_for(url)
        if robots is not None and not robots.can_fetch(self.settings.monitor_user_agent, url):
            raise FetchError("robots.txt của trang không cho phép đọc địa chỉ này.")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        got = self._get(url, headers=headers, limit=self.settings.monitor_max_bytes)
        if got.status == 304:
            return got
        if got.status >= 400:
            raise FetchError(f"Máy chủ trả lời HTTP {got.status}.")
        return got

    # --- the digest's e-mail ---

    def send_digests(self) -> int:
        """At the digest time, one e-mail per subscriber per day (only when SMTP is configured)."""
        if not self.settings.smtp_host:
            return 0
        now = self.clock()
        at = rules.parse_clock(self.settings.digest_time)
        day = local_date(now)
        _since, due = rules.digest_window(day, at)
        if now < due:
            return 0
        self._tx(partial(digests.enqueue_digests, day=day, now=now))
        ids = self._tx(partial(digests.claim_deliveries, now=now, lease=CLAIM_LEASE))
        if not ids:
            return 0
        sent = 0
        try:
            with Mailer(self.settings) as mailer:
                for delivery_id in ids:
                    row, actor = self._tx(partial(digests.delivery, delivery_id=delivery_id))
                    digest = self._tx(partial(digests.digest, actor=actor, day=row.day, digest_time=at))
                    subject, body = digest_text(digest, base_url=self.settings.public_base_url)
                    error: str | None = None
                    try:
                        mailer.send(to=row.email_to, subject=subject, body=body, key=f"digest-{row.day}-{row.user_id}")
                        sent += 1
                    except Exception as exc:  # noqa: BLE001 — recorded and retried
                        error = repr(exc)
                    self._tx(partial(digests.settle_delivery, delivery_id=delivery_id, now=self.clock(), error=error,
                                     max_attempts=self.settings.email_max_attempts))  # fmt: skip
        except OSError as exc:
            log.warning("SMTP unavailable for the digest: %s", exc)
            for delivery_id in ids:
                self._tx(partial(digests.settle_delivery, delivery_id=delivery_id, now=self.clock(), error=repr(exc),
                                 max_attempts=self.settings.email_max_attempts))  # fmt: skip
        return sent


# --- parsing ------------------------------------------------------------------------------------------------


def _plain(markup: str) -> str:
    """The text of an HTML fragment (a feed's summary)."""
    if "<" not in markup:
        return html.unescape(markup).strip()
    try:
        return " ".join(lxml_html.fragment_fromstring(markup, create_parent="div").text_content().split())
    except (etree.ParserError, ValueError):
        return html.unescape(markup).strip()


def _when(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def parse(kind: SourceKind, body: bytes, url: str) -> list[rules.Entry]:
    if kind == SourceKind.FEED:
        return parse_feed(body)
    if kind == SourceKind.SITEMAP:
        return parse_sitemap(body)
    return parse_page(body, url)


def parse_feed(body: bytes) -> list[rules.Entry]:
    """RSS 2.0 or Atom, by feedparser. A document that is not well-formed XML is refused (feedparser's loose
    parser would guess at it)."""
    feed = feedparser.parse(body)
    if feed.get("bozo") and isinstance(feed.get("bozo_exception"), Exception):
        exc = feed["bozo_exception"]
        if not isinstance(exc, feedparser.CharacterEncodingOverride):
            raise FetchError(f"Nguồn tin không phải XML hợp lệ: {exc}")
    if not feed.get("version") and not feed.entries:
        raise FetchError("Không nhận ra định dạng RSS hoặc Atom.")
    entries = []
    for e in feed.entries:
        link = e.get("link") or ""
        title = _plain(e.get("title") or "")
        if not link.startswith(("http://", "https://")) or not title:
            continue
        content = e.get("content") or []
        raw = content[0].get("value", "") if content else (e.get("summary") or "")
        when = _when(e.get("published_parsed") or e.get("updated_parsed"))
        entries.append(rules.Entry(url=link, title=title[:500], text=_plain(raw)[:20_000], guid=e.get("id") or None,
                                   published_at=when))  # fmt: skip
    return entries


_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def parse_sitemap(body: bytes) -> list[rules.Entry]:
    """A sitemap (``<urlset>``), with the news extension's title and publication date when present."""
    try:
        root = etree.fromstring(body, parser=_SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise FetchError(f"Sitemap không phải XML hợp lệ: {exc}") from exc
    entries = []
    for node in root.iter("{*}url"):
        loc = node.findtext("{*}loc") or ""
        title = node.findtext("{*}news/{*}title") or ""
        published = node.findtext("{*}news/{*}publication_date") or node.findtext("{*}lastmod") or ""
        if not loc.strip().startswith(("http://", "https://")):
            continue
        when = None
        if published:
            try:
                when = datetime.fromisoformat(published.strip().replace("Z", "+00:00"))
                when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
            except ValueError:
                when = None
        entries.append(rules.Entry(url=loc.strip(), title=(title.strip() or loc.strip())[:500], published_at=when))
    return entries


def parse_page(body: bytes, url: str) -> list[rules.Entry]:
    """One web page: its main text and title, by trafilatura."""
    extracted = trafilatura.extract(body.decode("utf-8", "replace"), output_format="json", with_metadata=True,
                                    url=url)  # fmt: skip
    if not extracted:
        raise FetchError("Không trích được nội dung chính của trang.")
    data = json.loads(extracted)
    title = (data.get("title") or url)[:500]
    when = None
    if data.get("date"):
        try:
            when = datetime.fromisoformat(data["date"]).replace(tzinfo=UTC)
        except ValueError:
            when = None
    return [rules.Entry(url=url, title=title, text=(data.get("text") or "")[:20_000], published_at=when)]


def run_once(settings: Settings, *, engine: Engine | None = None, clock: Callable[[], datetime] = utcnow,
             sessions: Callable[[], Session] | None = None,
             progress: Callable[[int, int], None] | None = None) -> CycleReport:  # fmt: skip
    fetcher = Fetcher(settings, engine=engine, clock=clock, sessions=sessions)
    try:
        return fetcher.run(once=True, progress=progress)
    finally:
        fetcher.close()


__all__: Sequence[str] = ["Fetcher", "FetchError", "parse", "run_once"]
