"""Throwaway PostgreSQL clusters for the tests and the benchmarks: ``initdb`` under /tmp on an ephemeral port, a
server that a check may stop and start (never the shared one on 5432), and a hot standby of it made with
``pg_basebackup -R`` (a primary + replica pair, ``replicated_pair``).

Binaries come from /usr/lib/postgresql/*/bin. Run as root, the clusters are made and run as the ``postgres``
user. Used by bench/reliability.py, bench/crisis_day.py and the read-replica tests (tests/replica/); any test
that needs a primary with a streaming replica can take ``replicated_pair()``::

    with replicated_pair() as pair:
        upgrade(pair.primary.url)            # the schema, on the primary; the replica follows
        pair.wait_replayed()
        pair.pause_replay() / pair.resume_replay()
        pair.standby.stop() / pair.standby.start()
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.net import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"{name} not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return found[-1]


def available() -> bool:
    """Whether the PostgreSQL server binaries are on this machine."""
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


class Cluster:
    """A cluster of its own: a new one (``initdb``, with a database ``crisisdesk``), or with ``standby_of`` a hot
    standby of another, streaming from it (``pg_basebackup -R``)."""

    def __init__(self, *, standby_of: Cluster | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="crisisdesk-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        if standby_of is None:
            self._run(_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
            self.start()
            self._run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "crisisdesk")
        else:  # initdb's pg_hba.conf already trusts replication connections from 127.0.0.1
            self._run(_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(standby_of.port), "-U", "postgres",
                      "-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "--no-sync")  # fmt: skip
            self.start()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/crisisdesk"

    def _command(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if self.as_postgres else list(args)

    def _run(self, *args: str) -> None:
        subprocess.run(self._command(*args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sql(self, query: str) -> str:
        """One statement through psql, as the superuser; its output (unaligned, tuples only)."""
        command = self._command(_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                                "-d", "crisisdesk", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", query)  # fmt: skip
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        time.sleep(0.2)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class ReplicatedPair:
    """A primary and its hot standby (streaming replication, asynchronous)."""

    primary: Cluster
    standby: Cluster

    def pause_replay(self) -> None:
        """The standby keeps receiving WAL but applies none of it (``pg_wal_replay_pause()``)."""
        self.standby.sql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.standby.sql("SELECT pg_wal_replay_resume()")

    def wait_replayed(self, timeout: float = 15.0) -> None:
        """Until the standby has applied everything the primary had written when called."""
        target = self.primary.sql("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        while True:
            behind = self.standby.sql(f"SELECT pg_wal_lsn_diff('{target}', pg_last_wal_replay_lsn()) > 0")
            if behind == "f":
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the standby did not replay {target} within {timeout} s")
            time.sleep(0.05)


@contextmanager
def replicated_pair() -> Iterator[ReplicatedPair]:
    """A new primary (database ``crisisdesk``) and a hot standby streaming from it; both destroyed at the end."""
    primary = Cluster()
    try:
        standby = Cluster(standby_of=primary)
    except BaseException:
        primary.destroy()
        raise
    try:
        yield ReplicatedPair(primary, standby)
    finally:
        standby.destroy()
        primary.destroy()
