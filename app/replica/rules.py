"""The read replica's arithmetic, pure: how stale a replica is, from positions in the write-ahead log, and the
signed ``read after`` mark a client carries after its own write.

**Staleness from LSNs, not from the replay timestamp.** ``now() - pg_last_xact_replay_timestamp()`` grows on a
replica that is perfectly up to date whenever the primary is idle (the last replayed transaction is simply old).
Instead, each check samples the primary's WAL position (``pg_current_wal_lsn()``) with the time it was read, and
reads the replica's replayed position (``pg_last_wal_replay_lsn()``). The replica holds everything the primary
had written at a sample's time if the sample's position is ≤ the replayed one; so it is at most
``now - (time of the latest such sample)`` behind. Worked example, samples once a second::

    12:00:00  primary at 0/3000100
    12:00:01  primary at 0/3000500
    12:00:02  primary at 0/3000900     replica replayed 0/3000500  →  stale by at most 1 s (the 12:00:01 sample)
    12:00:02  primary at 0/3000900     replica replayed 0/3000900  →  0 s (it holds all the primary wrote)
    12:00:02  primary at 0/3000900     replica replayed 0/3000000  →  unknown: older than every sample kept

An idle primary does not move, so its replica reads 0 s however old the last transaction is. A sample is a few
bytes; the tracker keeps those of the last ``window`` seconds (a little more than the lag bound).

**Read after.** After a request that wrote, the client gets the primary's WAL position (as a decimal number)
signed with the secret key; while a replica has not replayed that position, the client's reads go to the
primary (read-your-writes). The signature stops a forged mark from pushing every read of a client past the
public cache onto the primary.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

MAX_LSN = 2**64 - 1
SIGNATURE_CHARS = 22


@dataclass(frozen=True, slots=True)
class Sample:
    """The primary's WAL position ``lsn`` (bytes since 0/0) as read at ``at`` (monotonic seconds)."""

    at: float
    lsn: int


def staleness(samples: Sequence[Sample], replayed: int, now: float) -> float | None:
    """At most how many seconds of the primary's writes the replica may miss: 0 when it replayed the newest
    sample; ``now`` minus the time of the newest sample it replayed otherwise; None when it replayed none of
    the samples (unknown, and older than they all are). ``samples`` in the order they were taken."""
    if not samples:
        return None
    if replayed >= samples[-1].lsn:
        return 0.0
    for sample in reversed(samples):
        if sample.lsn <= replayed:
            return max(0.0, now - sample.at)
    return None


def recent(samples: Sequence[Sample], now: float, window: float) -> list[Sample]:
    """The samples of the last ``window`` seconds (a replica behind all of them is too stale anyway)."""
    return [s for s in samples if now - s.at <= window]


def lsn_text(lsn: int | None) -> str | None:
    """PostgreSQL's notation: 50331904 → ``0/3000100``."""
    if lsn is None:
        return None
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


def _signature(secret: bytes, lsn: int) -> str:
    digest = hmac.new(secret, f"read-after:{lsn}".encode(), hashlib.sha256).hexdigest()
    return digest[:SIGNATURE_CHARS]


def sign_read_after(secret: bytes, lsn: int) -> str:
    """The mark a client keeps after a write: ``<lsn>.<signature>``."""
    return f"{lsn}.{_signature(secret, lsn)}"


def read_after(secret: bytes, value: str | None) -> int | None:
    """The position a client's mark asks for, or None (no mark, a malformed one, a forged one)."""
    if not value or len(value) > 60:
        return None
    number, _dot, signature = value.partition(".")
    if not number.isdigit() or not number.isascii() or len(signature) != SIGNATURE_CHARS:
        return None
    lsn = int(number)
    if lsn > MAX_LSN or not hmac.compare_digest(signature, _signature(secret, lsn)):
        return None
    return lsn
