"""Which database a read goes to: the PostgreSQL streaming replica when it is fresh enough, else the primary.

One ``ReadReplica`` per process (``app.state.replica``; None without ``CRISISDESK_DATABASE_READ_URL``):

* **Checks**, at most one every ``check_every`` seconds and one at a time, made by whichever request (or the
  public cache's version check, or ``/readyz``) comes when the last one is older: the primary's WAL position is
  sampled and the replica's replayed position read (``rules.staleness``). The replica is used while it is
  ``ok`` — reachable, in recovery, and at most ``max_lag`` seconds behind. Otherwise reads go to the primary:
  ``lagging`` (beyond the bound, or not known to be within it yet), ``down`` (a connection error: one log line,
  and the next check tries again), ``not_standby`` (the server is not in recovery — promoted, or the primary's
  own address: nothing says it follows this primary).
* **Opening** a read session (``open``) connects at once, so a replica that went away since the last check is
  found there, not in the middle of a route: that read goes to the primary and the replica is marked down.
* **Read after.** A caller may ask for a WAL position (its own last write, or the position the public cache's
  version was read at): the replica serves it only if its last known replayed position has reached it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.metrics import READ_SESSIONS
from app.replica.rules import Sample, lsn_text, recent, staleness

log = logging.getLogger("crisisdesk.db")

Status = Literal["unknown", "ok", "lagging", "down", "not_standby"]
ON_REPLICA = "crisisdesk.on_replica"  # Session.info key: the session reads the replica

# Positions as numbers (bytes since 0/0): psycopg has no pg_lsn type, and numbers compare.
PRIMARY_POSITION = text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")
REPLAYED_POSITION = text("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint")
REPLICA_STATE = text(
    "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint, "
    "CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END"
)


@dataclass(frozen=True, slots=True)
class ReplicaState:
    status: Status = "unknown"
    replayed: int | None = None  # the replica's replayed WAL position at the check
    primary: int | None = None  # the primary's WAL position at the check
    lag_seconds: float | None = None  # at most this far behind (rules.staleness); None: not known
    paused: bool = False  # replay paused on the replica (pg_wal_replay_pause())
    checked_at: float = float("-inf")  # time.monotonic() of the check
    reason: str | None = None  # why it is not used: the error, in one line


def _reason(exc: BaseException) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200] if lines else ''}"


class ReadReplica:
    """The read replica of one process: its engine, what the last check found, and the routing of reads."""

    def __init__(self, primary: Engine, replica: Engine, *, max_lag: float, check_every: float) -> None:
        self.primary = primary
        self.replica = replica
        self.max_lag = max_lag
        self.check_every = check_every
        self.state = ReplicaState()
        self._samples: list[Sample] = []
        self._window = max_lag + 2 * check_every + 1
        self._lock = threading.Lock()

    # --- checks ---------------------------------------------------------------------------------------------

    def check(self, *, force: bool = False) -> ReplicaState:
        """Measure the replica if the last check is older than ``check_every`` (or ``force``) and no other
        thread is measuring it; the state either way. Blocking I/O: call it from a thread, never the loop."""
        if not force and time.monotonic() - self.state.checked_at < self.check_every:
            return self.state
        if not self._lock.acquire(blocking=False):
            return self.state
        try:
            self._set(self._measure())
        finally:
            self._lock.release()
        return self.state

    def _measure(self) -> ReplicaState:
        now = time.monotonic()
        primary: int | None = None
        try:
            with self.primary.connect() as conn:
                primary = conn.execute(PRIMARY_POSITION).scalar_one()
        except SQLAlchemyError:
            pass  # the primary's own trouble: requests meet it; the replica is judged on the samples kept
        if primary is not None:
            self._samples = recent([*self._samples, Sample(now, int(primary))], now, self._window)
        try:
            with self.replica.connect() as conn:
                in_recovery, replayed, paused = conn.execute(REPLICA_STATE).one()
        except SQLAlchemyError as exc:
            return ReplicaState("down", primary=primary, checked_at=now, reason=_reason(exc))
        if not in_recovery:
            why = "the server is not in recovery (promoted, or not a standby): it may not follow the primary"
            return ReplicaState("not_standby", primary=primary, checked_at=now, reason=why)
        if replayed is None:
            return ReplicaState("lagging", primary=primary, checked_at=now, reason="nothing replayed yet")
        lag = staleness(self._samples, int(replayed), now)
        status: Status = "ok" if lag is not None and lag <= self.max_lag else "lagging"
        return ReplicaState(status, replayed=int(replayed), primary=primary, lag_seconds=lag, paused=bool(paused),
                            checked_at=now)  # fmt: skip

    def _set(self, new: ReplicaState) -> None:
        old, self.state = self.state, new
        if old.status == new.status:
            return
        if new.status == "ok":
            log.info("read replica in use (at most %.1f s behind; bound %s s)", new.lag_seconds or 0.0, self.max_lag)
        elif new.status == "down":
            log.warning("read replica unreachable (%s): reading from the primary, trying again in %s s",
                        new.reason, self.check_every)  # fmt: skip
        elif new.status == "lagging":
            behind = "an unknown time" if new.lag_seconds is None else f"{new.lag_seconds:.1f} s"
            log.warning("read replica %s behind (bound %s s): reading from the primary", behind, self.max_lag)
        elif new.status == "not_standby":
            log.warning("read replica not used: %s; reading from the primary", new.reason)

    def mark_down(self, exc: BaseException) -> None:
        """A read found the replica unreachable: reads go to the primary until a check finds it again."""
        self._set(replace(self.state, status="down", checked_at=time.monotonic(), reason=_reason(exc)))

    def observe(self, replayed: int) -> None:
        """A read on the replica saw it at ``replayed``: later reads asking for up to there may use it."""
        state = self.state
        if state.replayed is not None and replayed > state.replayed:
            self.state = replace(state, replayed=replayed)

    # --- routing --------------------------------------------------------------------------------------------

    def serves(self, after: int | None) -> bool:
        """Whether a read that must see WAL position ``after`` (None: any fresh-enough state) may use the
        replica, on what the last check found."""
        state = self.state
        if state.status != "ok":
            return False
        return after is None or (state.replayed is not None and state.replayed >= after)

    def open(self, after: int | None = None) -> Session:
        """A read session (nothing to commit) on the replica when it serves ``after``, else on the primary.
        Connects at once: a replica gone since the last check sends this read to the primary. Blocking."""
        self.check()
        if self.serves(after):
            session = Session(bind=self.replica, expire_on_commit=False, info={ON_REPLICA: True})
            try:
                session.connection()
            except SQLAlchemyError as exc:
                session.close()
                self.mark_down(exc)
            else:
                READ_SESSIONS.labels("replica").inc()
                return session
        READ_SESSIONS.labels("primary").inc()
        return Session(bind=self.primary, expire_on_commit=False)

    def position(self, session: Session) -> int | None:
        """The WAL position the data ``session`` read reflects at least (call it after the reads): the
        replica's replayed position, or the primary's current one."""
        on_replica = bool(session.info.get(ON_REPLICA))
        value = session.execute(REPLAYED_POSITION if on_replica else PRIMARY_POSITION).scalar_one()
        if value is None:
            return None
        if on_replica:
            self.observe(int(value))
        return int(value)

    def primary_position(self) -> int | None:
        """The primary's WAL position now: after a commit, a position that includes it (PostgreSQL's default
        ``synchronous_commit = on`` writes the commit before it returns). None if the primary cannot say."""
        try:
            with self.primary.connect() as conn:
                value = conn.execute(PRIMARY_POSITION).scalar_one()
        except SQLAlchemyError as exc:
            log.warning("read replica: the primary's WAL position after a write was not read (%s)", _reason(exc))
            return None
        return None if value is None else int(value)

    # --- reporting ------------------------------------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        """What ``/readyz`` shows (after a check if the last one is old)."""
        state = self.check()
        behind = None
        if state.primary is not None and state.replayed is not None:
            behind = max(0, state.primary - state.replayed)
        return {
            "status": state.status,
            "used_for_reads": state.status == "ok",
            "lag_seconds": None if state.lag_seconds is None else round(state.lag_seconds, 3),
            "max_lag_seconds": self.max_lag,
            "behind_bytes": behind,
            "replayed_lsn": lsn_text(state.replayed),
            "primary_lsn": lsn_text(state.primary),
            "replay_paused": state.paused,
            "reason": state.reason,
            "affects_readiness": False,
        }

    def dispose(self) -> None:
        self.replica.dispose()
