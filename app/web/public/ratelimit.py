"""Per-client limits: a token bucket per client address, and who the client is behind trusted proxies.

A bucket holds ``burst`` tokens and refills at ``rate`` tokens a second; a request takes one token, or is refused
with the seconds until the next one (``Retry-After``). Buckets live in the process (each web process limits on its
own: with N processes a client may get up to N times the rate), in an LRU of at most ``max_clients`` entries.
"""

from __future__ import annotations

import ipaddress
import math
from collections import OrderedDict
from collections.abc import Iterable

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


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


def parse_networks(value: str) -> tuple[IPNetwork, ...]:
    """``"10.0.0.1, 192.168.0.0/16"`` → networks; raises ValueError on a malformed entry."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())


def _trusted(address: str, networks: Iterable[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[IPNetwork, ...]) -> str:
    """The client: the peer, unless the peer is a trusted proxy; then the right-most address of X-Forwarded-For
    that is not itself a trusted proxy (addresses further left were written by the client and can be forged)."""
    address = peer or "unknown"
    if not trusted or not forwarded_for or not _trusted(address, trusted):
        return address
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
        address = hop
    return address
