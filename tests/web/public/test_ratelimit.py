"""The token buckets and who the client is behind proxies (no app needed)."""

from __future__ import annotations

import pytest

from app.web.addresses import client_address, parse_networks
from app.web.public.ratelimit import TokenBuckets


def test_a_bucket_allows_its_burst_then_its_rate() -> None:
    buckets = TokenBuckets(burst=3, rate=0.5)
    assert [buckets.take("a", 100.0) for _ in range(4)] == [0, 0, 0, 2]
    assert buckets.take("b", 100.0) == 0  # another client has its own bucket
    assert buckets.take("a", 101.0) == 1  # half a token back: one more second
    assert buckets.take("a", 102.0) == 0
    assert buckets.take("a", 1000.0) == 0  # full again, never above the burst
    assert [buckets.take("a", 1000.0) for _ in range(3)] == [0, 0, 2]


def test_buckets_are_bounded() -> None:
    buckets = TokenBuckets(burst=1, rate=1, max_clients=100)
    for i in range(1000):
        buckets.take(f"10.0.{i // 250}.{i % 250}", 0.0)
    assert len(buckets) == 100


TRUSTED = parse_networks("10.0.0.0/8, 2001:db8::1")


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", None, "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not a proxy of ours: the header is ignored
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "forged, 198.51.100.1", "198.51.100.1"),  # the right-most untrusted hop
        ("10.0.0.2", "198.51.100.1, 10.3.3.3", "198.51.100.1"),  # through two of our proxies
        ("10.0.0.2", "10.3.3.3, 10.4.4.4", "10.3.3.3"),  # only proxies: the left-most
        ("2001:db8::1", "2001:db8::99", "2001:db8::99"),
        (None, None, "unknown"),
    ],
)
def test_client_address(peer: str | None, forwarded: str | None, expected: str) -> None:
    assert client_address(peer, forwarded, TRUSTED) == expected
    assert client_address(peer, forwarded, ()) == (peer or "unknown")


def test_bad_proxy_setting_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_networks("10.0.0.0/8, not-an-address")
