"""Benchmark: what Redis brings and costs the public side (issue 17, item 1: CRISISDESK_REDIS_URL).

One command:

    .venv/bin/python bench/redis_shared.py                      # SQLite file in a temporary folder
    .venv/bin/python bench/redis_shared.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

It starts a redis-server of its own on a free port, a fresh database (migrated; the usual organisation of the
tests) and three `crisisdesk serve` processes (one uvicorn worker each, JSON log to a file): A and B with Redis and
the public cache's polling bound at 30 s, C without Redis. Rate limits on, with a burst no run exhausts.

1. **Push delay.** N publications through A (the whole approval path through the staff API: draft, submit,
   approve, publish); after each, the time until B lists the new notice, B's list cached before and polled every
   5 ms. Without the push it would be up to 30 s (the polling bound).
2. **Cost of the shared bucket.** Sequential reads of the cached notice list on a keep-alive connection (after a
   warm-up), one on C then one on A, and again: on A, each takes a token from Redis (one round trip, the Lua
   script); on C, from the process's own buckets. p50 and p99 latency, client included.

It prints the load average before and after: others may share the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.db import make_engine, normalize_url  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from tests.factories import appoint_spokesperson, case_in_progress, standard_org  # noqa: E402
from tests.statements.helpers import Api  # noqa: E402
from tests.support.redis_server import RedisServer, unique_prefix  # noqa: E402
from tests.support.serve import Web, serve, stop_all  # noqa: E402

NOTICES = "/api/public/v1/notices"
BENCH_DB = "crisisdesk_bench_redis"


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def database(postgres: str | None, folder: Path) -> str:
    if postgres is None:
        return f"sqlite:///{folder}/bench.db"
    admin = make_engine(normalize_url(postgres)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    admin.dispose()
    return make_url(normalize_url(postgres)).set(database=BENCH_DB).render_as_string(hide_password=False)


def new_case(url: str) -> str:
    engine = make_engine(url)
    with Session(engine) as session:
        reference = case_in_progress(session, now=datetime.now(UTC)).reference
        session.commit()
    engine.dispose()
    return reference


def push_delays(a: Web, b: Web, url: str, count: int) -> list[float]:
    delays = []
    with httpx.Client(base_url=a.url, timeout=30) as staff, httpx.Client(base_url=b.url, timeout=30) as reader:
        api = Api(staff)
        for _ in range(count):
            reference = new_case(url)
            reader.get(NOTICES)  # B's list is cached
            number = api.published(reference)["number"]
            published = time.perf_counter()
            while number not in {item["number"] for item in reader.get(NOTICES).json()["items"]}:
                if time.perf_counter() - published > 60:
                    raise RuntimeError("no push within 60 s")
                time.sleep(0.005)
            delays.append(time.perf_counter() - published)
    return delays


def read_latencies(webs: list[Web], count: int) -> list[list[float]]:
    """``count`` reads on each server, interleaved (one here, one there), so that both see the same machine."""
    clients = [httpx.Client(base_url=web.url, timeout=30) for web in webs]
    try:
        for _ in range(200):
            for client in clients:
                assert client.get(NOTICES).status_code == 200
        latencies: list[list[float]] = [[] for _ in webs]
        for _ in range(count):
            for client, kept in zip(clients, latencies, strict=True):
                started = time.perf_counter()
                response = client.get(NOTICES)
                kept.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
        return latencies
    finally:
        for client in clients:
            client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL (a database of its own is created there and dropped)")
    parser.add_argument("--publications", type=int, default=20)
    parser.add_argument("--reads", type=int, default=2000)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="crisisdesk-bench-redis-"))
    url = database(args.postgres, folder)
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        now = datetime.now(UTC)
        standard_org(session, now)
        appoint_spokesperson(session, now=now)
        session.commit()
    engine.dispose()

    redis = RedisServer()
    base = {**os.environ, "DATABASE_URL": url, "CRISISDESK_ENVIRONMENT": "test", "CRISISDESK_LOG_FORMAT": "json",
            "CRISISDESK_RATE_LIMIT_ENABLED": "true", "CRISISDESK_RATE_LIMIT_READ_BURST": "100000",
            "CRISISDESK_RATE_LIMIT_READ_PER_SECOND": "100000"}  # fmt: skip
    base.pop("CRISISDESK_DATABASE_URL", None)
    base.pop("PROMETHEUS_MULTIPROC_DIR", None)
    shared = {**base, "CRISISDESK_REDIS_URL": redis.url, "CRISISDESK_REDIS_KEY_PREFIX": unique_prefix(),
              "CRISISDESK_PUBLIC_CACHE_CHECK_SECONDS": "30"}  # fmt: skip
    webs = [serve("A", shared, folder / "a.log"), serve("B", shared, folder / "b.log"),
            serve("C", base, folder / "c.log")]  # fmt: skip
    try:
        for web in webs:
            web.wait_up()
        a, b, c = webs
        while httpx.get(a.url + "/readyz").json()["redis"]["status"] != "ok":
            time.sleep(0.05)
        engine_name = "PostgreSQL" if args.postgres else "SQLite"
        out(f"## {engine_name}, {datetime.now(UTC):%d/%m/%Y %H:%M} UTC, load average before: {loadavg()}")
        out()
        delays = push_delays(a, b, url, args.publications)
        out(f"Push delay, publication through A → listed by B ({len(delays)} publications): "
            f"p50 {statistics.median(delays) * 1000:.1f} ms, p95 {percentile(delays, 95) * 1000:.1f} ms, "
            f"max {max(delays) * 1000:.1f} ms (polling bound: 30 s)")  # fmt: skip
        out()
        out("| cached read of the notice list | p50 | p99 |")
        out("|---|---|---|")
        labels = ("C: in-process bucket (no Redis)", "A: bucket in Redis (one round trip, the Lua script)")
        for label, latencies in zip(labels, read_latencies([c, a], args.reads), strict=True):
            out(f"| {label} | {statistics.median(latencies) * 1000:.2f} ms | "
                f"{percentile(latencies, 99) * 1000:.2f} ms |")  # fmt: skip
        out()
        out(f"load average after: {loadavg()}")
    finally:
        stop_all(webs)
        redis.destroy()
        if args.postgres:
            admin = make_engine(normalize_url(args.postgres)).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
