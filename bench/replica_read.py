"""Benchmark: what reading from a streaming replica costs a public read that misses the cache (issue 17, item 2).

    .venv/bin/python bench/replica_read.py                 # 300 misses per mode
    .venv/bin/python bench/replica_read.py --requests 1000

On a throwaway primary and its hot standby (tests/support/pgcluster.py, ``pg_basebackup -R``), loaded with the demo
data (``crisisdesk demo``), the app runs in process (Starlette's TestClient, one request at a time) in three modes:
no replica configured (today's path); the replica configured and in use; the replica configured but stopped (each
read falls back to the primary after the check). Every request is a public notice search with a query string of
its own, so the public cache never answers it. Prints p50 / p95 / p99 per mode (ms) and the load average: the
machine is shared, so compare the modes of one run, not runs with each other.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from app.db import utcnow  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.settings import Settings  # noqa: E402
from tests.support.pgcluster import ReplicatedPair, replicated_pair  # noqa: E402

BIN = Path(sys.executable).parent


def settings(pair: ReplicatedPair, *, replica: bool) -> Settings:
    return Settings(environment="test", database_url=pair.primary.url, rate_limit_enabled=False,
                    database_read_url=pair.standby.url if replica else None)  # fmt: skip


def measure(pair: ReplicatedPair, *, replica: bool, requests: int, label: str) -> list[float]:
    app = create_app(settings(pair, replica=replica), clock=utcnow)
    times: list[float] = []
    with TestClient(app, base_url="https://bench") as client:
        for i in range(20):  # warm the pools
            client.get("/api/public/v1/notices", params={"q": f"warm {label} {i}"})
        for i in range(requests):
            started = time.perf_counter()
            response = client.get("/api/public/v1/notices", params={"q": f"ho so {label} {i}"})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    app.state.sessions.engine.dispose()
    if app.state.replica is not None:
        app.state.replica.dispose()
    return times


def row(label: str, times: list[float]) -> str:
    cuts = statistics.quantiles(times, n=100)
    return f"| {label} | {len(times)} | {cuts[49]:.2f} | {cuts[94]:.2f} | {cuts[98]:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}")
    with replicated_pair() as pair:
        upgrade(pair.primary.url)
        env = {**os.environ, "CRISISDESK_DATABASE_URL": pair.primary.url}
        subprocess.run([str(BIN / "crisisdesk"), "demo"], check=True, env=env, stdout=subprocess.DEVNULL)
        pair.wait_replayed()
        n = args.requests
        rows = [row("no replica configured (primary)", measure(pair, replica=False, requests=n, label="a")),
                row("replica configured, in use", measure(pair, replica=True, requests=n, label="b"))]  # fmt: skip
        pair.standby.stop()
        rows.append(row("replica configured, stopped (primary)", measure(pair, replica=True, requests=n, label="c")))
        pair.standby.start()
    print("| mode | requests | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
