"""One process's link to Redis (``CRISISDESK_REDIS_URL``): what several processes and hosts share (product §11.8).

Two things go through it:

* **the public rate limits** (``app/web/public/ratelimit.py``): a token bucket per client kept in Redis and taken
  by one Lua script, so every process and host counts against the same bucket;
* **the push of publications**: after a commit that bumped the public version (``app/public_version.py``), the
  process publishes the version on the channel ``<prefix>public-version``; every web process listens on it (a task
  started with the app) and expires its public cache at once, instead of within its polling bound.

Redis helps; it is never needed. When it cannot be reached, ``up`` is false: the limits fall back to each
process's own buckets and the caches to their polling bound; one warning is logged when it goes away (then a
reminder at most every five minutes, and one line when it is back), never a traceback per request; the listening
task tries again every ``CRISISDESK_REDIS_RETRY_SECONDS``; and ``/readyz`` says ``unavailable`` (still 200: a
process without Redis serves correctly, so the load balancer keeps it).

Worked example: Redis stops at 10:00:00. The next rate-limit call fails (within ``CRISISDESK_REDIS_TIMEOUT_SECONDS``,
for the requests already waiting on it), the link goes down and logs "Redis unavailable (ConnectionError) …";
later requests use the process's own buckets without trying Redis. At 10:05:00 Redis is back: within the retry
interval the task reconnects and resubscribes, logs "Redis is back", and expires the public cache once (a push may
have been missed meanwhile).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Literal

from app import metrics
from app.settings import Settings

if TYPE_CHECKING:
    import redis.asyncio as aioredis

log = logging.getLogger("crisisdesk.redis")

REMIND_EVERY_SECONDS = 300.0
Status = Literal["ok", "unavailable"]


class RedisLink:
    """The clients (an asyncio one for the event loop, a plain one for the threads that commit), whether Redis is
    up, and the task that listens for pushes and reconnects.

    The ``redis`` package is imported here, when a link is made (``CRISISDESK_REDIS_URL`` is set), not at the top:
    it cost every process about 0.1 s of CPU at start-up, with or without Redis."""

    def __init__(self, url: str, *, prefix: str, timeout: float, retry_seconds: float) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.exceptions import RedisError
        from redis.retry import Retry

        # What a Redis call that fails raises: a refused or lost connection, a timeout (TimeoutError is an OSError).
        self.failures: tuple[type[Exception], ...] = (RedisError, OSError)
        self.url = url
        self.prefix = prefix
        self.channel = f"{prefix}public-version"
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.up = False  # until the task has connected
        self.client: aioredis.Redis | None = None  # made by start(), in the event loop that uses it
        # No retries of our own: a failure falls back at once, and the task reconnects.
        self.sync_client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        self._task: asyncio.Task[None] | None = None
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._reminded_at = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisLink | None:
        if settings.redis_url is None:
            return None
        return cls(settings.redis_url.get_secret_value(), prefix=settings.redis_key_prefix,
                   timeout=settings.redis_timeout_seconds, retry_seconds=settings.redis_retry_seconds)  # fmt: skip

    @property
    def status(self) -> Status:
        return "ok" if self.up else "unavailable"

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    # --- up and down --------------------------------------------------------------------------------------

    def failed(self, exc: BaseException) -> None:
        """Redis did not answer: everything falls back until the task reconnects. Logged once, not per request."""
        with self._lock:
            self.up = False
            metrics.redis_up(False)
            now = time.monotonic()
            if self._down_since is None:
                self._down_since = self._reminded_at = now
                log.warning("Redis unavailable (%s): rate limits per process, public cache on its polling bound; "
                            "retrying every %s s", type(exc).__name__, self.retry_seconds)  # fmt: skip
            elif now - self._reminded_at >= REMIND_EVERY_SECONDS:
                self._reminded_at = now
                log.warning("Redis still unavailable after %.0f s (%s)", now - self._down_since, type(exc).__name__)

    def _connected(self) -> None:
        with self._lock:
            if self.up:
                return
            self.up = True
            metrics.redis_up(True)
            if self._down_since is None:
                log.info("Redis connected: shared rate limits and publication push on")
            else:
                log.warning("Redis is back after %.0f s: shared rate limits and publication push on again",
                            time.monotonic() - self._down_since)  # fmt: skip
            self._down_since = None

    # --- the push -----------------------------------------------------------------------------------------

    def announce(self, version: int) -> None:
        """Tell every process that the public version is now ``version`` (after the commit, in its thread).
        Skipped while Redis is down: the other processes are then on their polling bound anyway."""
        if not self.up:
            return
        try:
            self.sync_client.publish(self.channel, str(version))
        except self.failures as exc:
            self.failed(exc)

    def start(self, on_push: Callable[[int | None], None]) -> None:
        """In the app's event loop (its lifespan): the asyncio client, and the task that listens and reconnects.
        ``on_push`` runs in that loop for every push (with the version announced), and once after each
        (re)connection (with None: whatever was published meanwhile)."""
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry as AsyncRetry
        from redis.backoff import NoBackoff

        self.client = aioredis.Redis.from_url(
            self.url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout, retry=AsyncRetry(NoBackoff(), 0)
        )
        self._task = asyncio.get_running_loop().create_task(self._listen(self.client, on_push), name="redis-link")

    async def stop(self) -> None:
        task, self._task = self._task, None
        # A cancellation that lands inside a Redis call's own timeout can come out as that timeout, which the
        # listener takes for Redis being down (and goes on): cancelled again until it has ended.
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=self.timeout)
        client, self.client = self.client, None
        self.up = False
        if client is not None:
            with suppress(*self.failures):
                await client.aclose()
        self.sync_client.close()

    async def _listen(self, client: aioredis.Redis, on_push: Callable[[int | None], None]) -> None:
        while True:
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                await client.ping()
                self._connected()
                on_push(None)  # whatever was published while this process was not listening
                while True:
                    message = await pubsub.get_message(timeout=self.retry_seconds)
                    if message is None:
                        # Quiet: is Redis still there? (And after a failed rate-limit call, this says it works again.)
                        await client.ping()
                        self._connected()
                    elif message["type"] == "message":
                        metrics.public_pushes().inc()
                        on_push(_version(message["data"]))
            except self.failures as exc:
                self.failed(exc)
            finally:
                with suppress(*self.failures):
                    await pubsub.aclose()
            await asyncio.sleep(self.retry_seconds)


def _version(data: bytes | str) -> int | None:
    """The version a push announces (None if it is not one: the push still expires the cache)."""
    try:
        return int(data)
    except (TypeError, ValueError):
        return None
