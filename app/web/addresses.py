"""Who the client is: the peer, or behind configured proxies (CRISISDESK_TRUSTED_PROXIES) what they say it is.
Used by the staff side (log-in throttling) and the public edge (rate limits) alike."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


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
