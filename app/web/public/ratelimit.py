"""Per-client limits: a token bucket per client address, in the process or shared by every process through Redis.

A bucket holds ``burst`` tokens and refills at ``rate`` tokens a second; a request takes one token, or is refused
with the seconds until the next one (``Retry-After``). One interface, :class:`Limiter`, two implementations, chosen
at start-up from the settings (:func:`make_limiter`):

* :class:`LocalLimiter` (no ``CRISISDESK_REDIS_URL``): buckets in the process (:class:`TokenBuckets`, an LRU of at
  most ``max_clients`` entries). Each web process limits on its own: with N processes a client may get up to N
  times the rate.
* :class:`RedisLimiter`: the same bucket, kept in Redis (a hash ``<prefix>rate:<name>:<client>`` of the tokens
  left and when, expiring once it would be full again) and taken by one Lua script, atomically, on Redis's own
  clock, so every process and host shares it. While Redis is unavailable it uses a :class:`TokenBuckets` of its own
  (per process, as without Redis) and does not try Redis until the link is back (``app/redis_link.py``).

Worked example (burst 30, 10 a second, two processes): 60 reads at once alternating between them → 30 allowed
with Redis, 60 without (30 from each process's own buckets); the 31st is told ``Retry-After: 1``.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

from app.redis_link import RedisLink

if TYPE_CHECKING:
    from redis.commands.core import AsyncScript


class TokenBuckets:
    def __init__(self, *, burst: int, rate: float, max_clients: int = 100_000) -> None:
        self.burst = float(burst)
        self.rate = rate
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, at)

    def take(self, key: str, now: float) -> int:
        """0 if the request may go, else the whole seconds to wait before the next one will. (Written for the
        early path, which calls it for every cached read: no ``min``/``max`` calls, no length check for a client
        already known.)"""
        buckets = self._buckets
        saved = buckets.get(key)
        if saved is None:
            tokens = self.burst
        else:
            tokens, at = saved
            if now > at:  # refilled since, up to the burst (a clock gone back refills nothing)
                tokens += (now - at) * self.rate
                if tokens > self.burst:
                    tokens = self.burst
        if tokens >= 1.0:
            buckets[key] = (tokens - 1.0, now)
            if saved is not None:
                buckets.move_to_end(key)
            elif len(buckets) > self.max_clients:
                buckets.popitem(last=False)
            return 0
        buckets[key] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self.rate))

    def __len__(self) -> int:
        return len(self._buckets)


class Limiter(Protocol):
    async def take(self, key: str, now: float) -> int:
        """0 if the request of client ``key`` may go, else the whole seconds to wait (``now``: the app's clock)."""
        ...


class LocalLimiter:
    """This process's buckets."""

    def __init__(self, *, burst: int, rate: float) -> None:
        self.buckets = TokenBuckets(burst=burst, rate=rate)

    async def take(self, key: str, now: float) -> int:
        return self.buckets.take(key, now)


# KEYS[1]: the bucket; ARGV: burst, tokens a second. Returns 0 (go) or the whole seconds to wait. The time is
# Redis's (hosts' clocks may differ); the key expires once the bucket would be full again (absent = full).
TOKEN_BUCKET = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(saved[1]) or burst
local at = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return wait
"""


class RedisLimiter:
    """The bucket in Redis, shared by every process; this process's own buckets while Redis is unavailable."""

    def __init__(self, link: RedisLink, name: str, *, burst: int, rate: float) -> None:
        self.link = link
        self.name = name
        self.burst = burst
        self.rate = rate
        self.fallback = TokenBuckets(burst=burst, rate=rate)
        self._script: AsyncScript | None = None

    async def take(self, key: str, now: float) -> int:
        client = self.link.client
        if client is None or not self.link.up:
            return self.fallback.take(key, now)
        script = self._script
        if script is None or script.registered_client is not client:
            script = self._script = client.register_script(TOKEN_BUCKET)
        try:
            wait = await script(keys=[self.link.key("rate", self.name, key)], args=[self.burst, repr(self.rate)])
        except self.link.failures as exc:
            self.link.failed(exc)
            return self.fallback.take(key, now)
        return int(wait)


def make_limiter(link: RedisLink | None, name: str, *, burst: int, rate: float) -> Limiter:
    """Redis's shared bucket when Redis is configured, else this process's."""
    if link is None:
        return LocalLimiter(burst=burst, rate=rate)
    return RedisLimiter(link, name, burst=burst, rate=rate)
