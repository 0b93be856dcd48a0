"""Per-client limits: a token bucket per client address, and who the client is behind trusted proxies.

A bucket holds ``burst`` tokens and refills at ``rate`` tokens a second; a request takes one token, or is refused
with the seconds until the next one (``Retry-After``). Buckets live in the process (each web process limits on its
own: with N processes a client may get up to N times the rate), in an LRU of at most ``max_clients`` entries.
"""

from __future__ import annotations

import math
from collections import OrderedDict


class TokenBuckets:
    def __init__(self, *, burst: int, rate: float, max_clients: int = 100_000) -> None:
        self.burst = float(burst)
        self.rate = rate
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, at)

    def take(self, key: str, now: float) -> int:
        """0 if the request may go, else the whole seconds to wait before the next one will."""
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            self._buckets.move_to_end(key)
            if len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return 0
        self._buckets[key] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self.rate))

    def __len__(self) -> int:
        return len(self._buckets)
