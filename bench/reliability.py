"""Reliability checks of issue 16 against the real server, on a throwaway PostgreSQL cluster of its own.

    .venv/bin/python bench/reliability.py                 # bursts of 50 and 200 (1 and 2 workers), then the outage
    .venv/bin/python bench/reliability.py --only burst    # or --only outage

1. **Parallel intakes.** ``crisisdesk serve --workers W`` (W = 1, then 2; default pool), N = 50 and 200 clients at
   once, each ``POST /api/v1/cases`` with its own ``Idempotency-Key`` and a 10 s time-out; a client answered 503
   (or timed out) retries with the same key after ``Retry-After``. Meanwhile ``/healthz`` is asked every 20 ms.
   Checked: every answer within 10 s, and 201 or 503; the cases written are exactly the references answered
   201 (one per key: a retry got the first answer); ``/healthz`` p99 under 100 ms.
2. **PostgreSQL stopped for 8 s under load** (2 workers): 20 readers of the public API (cache-busting queries)
   and 5 intake clients on keep-alive connections; the cluster is stopped (``pg_ctl stop -m fast``) at 5 s and
   started at 13 s. Checked: only 503s (with Retry-After) during, none after the first second back; no
   connection reset.

The cluster is made with ``initdb`` under /tmp on an ephemeral port (tests/support/pgcluster.py): the shared server on
5432 is never touched. Prints a Markdown summary; exits non-zero if a check fails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from tests.factories import PASSWORD, standard_org  # noqa: E402
from tests.support.net import free_port  # noqa: E402
from tests.support.pgcluster import Cluster  # noqa: E402

NOW_SEED = __import__("datetime").datetime(2026, 11, 27, 2, 0, tzinfo=__import__("datetime").UTC)
SECRET = "bench-" + uuid.uuid4().hex + uuid.uuid4().hex
INTAKE = {"title": "Vụ việc thử tải", "summary": "Kiểm tra độ tin cậy.", "source_kind": "press_article",
          "topic": "other", "severity": "routine"}  # fmt: skip
failures: list[str] = []


def check(ok: bool, what: str) -> str:
    if not ok:
        failures.append(what)
    return "yes" if ok else "**NO**"


@contextmanager
def serve(url: str, workers: int, log: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "CRISISDESK_ENVIRONMENT": "production", "CRISISDESK_SECRET_KEY": SECRET,
           "CRISISDESK_RATE_LIMIT_ENABLED": "false", "CRISISDESK_COOKIE_SECURE": "false",
           "CRISISDESK_LOG_LEVEL": "WARNING"}  # fmt: skip
    with log.open("ab") as err:
        process = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "serve", "--port",
                                    str(port), "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                                   stderr=err, start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(log.read_text()[-3000:])
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # uvicorn's graceful shutdown can outwait a loaded machine
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def login(base: str) -> dict[str, str]:
    response = httpx.post(base + "/api/v1/auth/token", data={"username": "office", "password": PASSWORD}, timeout=30)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _probe(base: str, stop: Any, ready: Any, out: Any) -> None:
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=5) as client:
        client.get("/healthz")
        ready.set()
        while not stop.is_set():
            start = time.perf_counter()
            try:
                client.get("/healthz")
                times.append(time.perf_counter() - start)
            except httpx.HTTPError:
                times.append(5.0)
            time.sleep(0.02)
    out.put(times)


class HealthProbe:
    """Asks ``/healthz`` every 20 ms from a process of its own: the 200 client threads of this one share its GIL,
    and a probe among them would measure their queue for the GIL, not the server."""

    def __init__(self, base: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.stop, self.ready, self.out = ctx.Event(), ctx.Event(), ctx.Queue()
        self.process = ctx.Process(target=_probe, args=(base, self.stop, self.ready, self.out), daemon=True)
        self.times: list[float] = []

    def start(self) -> None:
        self.process.start()
        self.ready.wait(timeout=60)

    def finish(self) -> None:
        self.stop.set()
        self.times = self.out.get(timeout=30)
        self.process.join(timeout=10)


@dataclass
class Intake:
    key: str
    attempts: list[tuple[int | str, float]] = field(default_factory=list)
    reference: str | None = None


def one_intake(base: str, headers: dict[str, str], tag: str, barrier: threading.Barrier | None) -> Intake:
    item = Intake(key=str(uuid.uuid4()))
    body = {**INTAKE, "title": f"{INTAKE['title']} {tag}"}
    give_up = time.monotonic() + 90
    with httpx.Client(base_url=base, timeout=10) as client:
        if barrier is not None:
            barrier.wait()
        while time.monotonic() < give_up:
            start = time.perf_counter()
            try:
                response = client.post("/api/v1/cases", json=body, headers={**headers, "Idempotency-Key": item.key})
            except httpx.TimeoutException:
                item.attempts.append(("timeout", time.perf_counter() - start))
                continue
            except httpx.HTTPError as exc:
                item.attempts.append((type(exc).__name__, time.perf_counter() - start))
                time.sleep(0.5)
                continue
            item.attempts.append((response.status_code, time.perf_counter() - start))
            if response.status_code == 201:
                item.reference = response.json()["reference"]
                return item
            if response.status_code != 503:
                return item
            time.sleep(float(response.headers.get("Retry-After", "1")))
    return item


def burst(url: str, workers: int, n: int, log: Path) -> list[str]:
    tag = uuid.uuid4().hex[:8]
    with serve(url, workers, log) as base:
        headers = login(base)
        probe = HealthProbe(base)
        probe.start()
        barrier = threading.Barrier(n)
        results: list[Intake] = []
        lock = threading.Lock()

        def run() -> None:
            item = one_intake(base, headers, tag, barrier)
            with lock:
                results.append(item)

        started = time.perf_counter()
        threads = [threading.Thread(target=run) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        probe.finish()
    engine = make_engine(url)
    with engine.connect() as conn:
        written = set(conn.execute(text("SELECT reference FROM \"case\" WHERE title = :t"),
                                   {"t": f"{INTAKE['title']} {tag}"}).scalars())  # fmt: skip
    engine.dispose()
    answered = {r.reference for r in results if r.reference}
    attempts = [a for r in results for a in r.attempts]
    statuses = Counter(str(s) for s, _ in attempts)
    slowest = max(t for _, t in attempts)
    first_answers = Counter(str(r.attempts[0][0]) for r in results)
    ok_status = set(statuses) <= {"201", "503"}
    return [
        f"| {workers} | {n} | {elapsed:.1f} s | {dict(first_answers)} | {dict(statuses)} | {slowest:.2f} s "
        f"| {check(slowest < 10 and ok_status, f'burst {workers}x{n}: answers within 10 s, 201/503')} "
        f"| {len(written)} / {len(answered)} / {n} "
        f"| {check(written == answered and len(answered) == n, f'burst {workers}x{n}: cases == 201s')} "
        f"| {p(probe.times, 0.5) * 1000:.1f} / {p(probe.times, 0.99) * 1000:.1f} / {max(probe.times) * 1000:.0f} ms "
        f"| {check(p(probe.times, 0.99) < 0.1, f'burst {workers}x{n}: healthz p99')} |"
    ]


def outage(cluster: Cluster, log: Path) -> list[str]:
    url = cluster.url
    events: list[tuple[float, str, str]] = []  # (t, kind, outcome)
    lock = threading.Lock()
    stop = threading.Event()
    with serve(url, 2, log) as base:
        headers = login(base)
        t0 = time.monotonic()

        def reader(i: int) -> None:
            with httpx.Client(base_url=base, timeout=10) as client:  # one keep-alive connection
                n = 0
                while not stop.is_set():
                    n += 1
                    try:
                        r = client.get("/api/public/v1/notices", params={"q": f"r{i}-{n}"})
                        outcome = f"{r.status_code}" + ("+RA" if r.status_code == 503 and "retry-after" in r.headers
                                                        else "")  # fmt: skip
                    except httpx.HTTPError as exc:
                        outcome = type(exc).__name__
                    with lock:
                        events.append((time.monotonic() - t0, "read", outcome))
                    time.sleep(0.05)

        def writer() -> None:
            with httpx.Client(base_url=base, timeout=10) as client:
                while not stop.is_set():
                    try:
                        r = client.post("/api/v1/cases", json=INTAKE,
                                        headers={**headers, "Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
                        outcome = f"{r.status_code}" + ("+RA" if r.status_code == 503 and "retry-after" in r.headers
                                                        else "")  # fmt: skip
                    except httpx.HTTPError as exc:
                        outcome = type(exc).__name__
                    with lock:
                        events.append((time.monotonic() - t0, "intake", outcome))
                    time.sleep(0.2)

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(20)]
        threads += [threading.Thread(target=writer) for _ in range(5)]
        for t in threads:
            t.start()
        time.sleep(5)
        down_at = time.monotonic() - t0
        cluster.stop()
        time.sleep(8)
        cluster.start()
        up_at = time.monotonic() - t0
        time.sleep(10)
        stop.set()
        for t in threads:
            t.join()
    phases = {"before": (0, down_at), "during": (down_at, up_at + 1), "after (+1 s on)": (up_at + 1, 1e9)}
    lines = []
    for name, (lo, hi) in phases.items():
        outcomes = Counter(o for t, _k, o in events if lo <= t < hi)
        lines.append(f"| {name} | {dict(outcomes)} |")
    after = Counter(o for t, _k, o in events if t >= up_at + 1)
    during = Counter(o for t, _k, o in events if down_at <= t < up_at + 1)
    first_ok = min((t for t, _k, o in events if t >= up_at and o in ("200", "201")), default=float("nan"))
    resets = sum(n for o, n in (during + after).items() if not o[0].isdigit())
    lines.append("")
    lines.append(f"- Back to service {first_ok - up_at:.2f} s after the database was up again.")
    lines.append(f"- After: no 5xx: {check(not any(o.startswith('5') for o in after), 'outage: 5xx after')}; "
                 f"during: only 2xx or 503 with Retry-After: "
                 f"{check(set(during) <= {'200', '201', '503+RA'}, 'outage: only 503 during')}; "
                 f"connection errors (resets, time-outs): {resets} "
                 f"{check(resets == 0, 'outage: connection errors')}")  # fmt: skip
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["burst", "outage"])
    parser.add_argument("--sizes", default="50,200")
    args = parser.parse_args()
    cluster = Cluster()
    log = cluster.root / "server.log"
    try:
        upgrade(cluster.url)
        engine = make_engine(cluster.url)
        with Session(engine) as session:
            standard_org(session, NOW_SEED)
            session.commit()
        engine.dispose()
        print(f"PostgreSQL cluster of its own on port {cluster.port}; nproc {os.cpu_count()}; "
              f"load average {os.getloadavg()[0]:.2f}\n")  # fmt: skip
        if args.only in (None, "burst"):
            print(
                "| workers | parallel intakes | wall time | first answers | all answers (with retries) | slowest "
                "| ≤10 s, 201/503 | cases / 201s / clients | = | /healthz p50 / p99 / max | p99<100 ms |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            for workers in (1, 2):
                for n in (int(x) for x in args.sizes.split(",")):
                    for line in burst(cluster.url, workers, n, log):
                        print(line, flush=True)
        if args.only in (None, "outage"):
            print("\nPostgreSQL stopped for 8 s under load (2 workers; 20 readers, 5 intake clients, keep-alive):\n")
            print("| phase | outcomes |\n|---|---|")
            for line in outage(cluster, log):
                print(line, flush=True)
        tracebacks = log.read_text(errors="replace").count("Traceback")
        print(f"\nServer log: {tracebacks} tracebacks.")
    finally:
        cluster.destroy()
    if failures:
        print("\nFAILED: " + "; ".join(failures))
        sys.exit(1)
    print("\nAll checks passed.")


if __name__ == "__main__":
    main()
