"""Benchmark: a crisis day, all at once, on PostgreSQL with ``crisisdesk serve --workers 2`` (issue 16).

    .venv/bin/python bench/crisis_day.py                      # 180 s of the mix, after 60 s of the readers alone
    .venv/bin/python bench/crisis_day.py --duration 60 --alone 30 --readers 1000

On a throwaway PostgreSQL cluster of its own (tests/support/pgcluster.py, ``initdb`` under /tmp, an ephemeral port),
loaded with the demo data (``crisisdesk demo``), the service runs the way production does (``serve --workers 2``, the
default pool; rate limits off: the clients all come from 127.0.0.1). Then, from load processes on the same
machine (asyncio + httpx, one keep-alive connection per client):

* **readers**: N anonymous clients (default 1,000), each reading back to back the public list, a notice, the
  Atom feed and the ``/notices`` page, at random;
* **journalists**: 100 clients sending written inquiries (1–3 s apart), each with an ``Idempotency-Key``;
* **staff**: 40 clients working cases end to end: intake (with a key), assign, accept, a draft (with a key),
  submit, approve (0.2–1 s apart, as people click);
* **publisher**: one publication every 10 seconds (with a key) of an approved statement;
* **/healthz** asked every 50 ms.

A client answered 503 or timed out (10 s) retries the same request with the same key after ``Retry-After``.
First the readers alone (``--alone`` seconds), then the whole mix (``--duration``); the ratio is the readers'
requests per second in the mix over alone. Afterwards the database is read: the cases and inquiries written must
be exactly those answered 201 — one per key, however many retries (no write answered with an error and committed
anyway, no duplicate). Prints Markdown for bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import json as jsonlib
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.db import make_engine  # noqa: E402
from tests.support.net import free_port  # noqa: E402
from tests.support.pgcluster import Cluster  # noqa: E402

SECRET = "crisis-day-" + uuid.uuid4().hex + uuid.uuid4().hex
TIMEOUT = 10.0
# One tag for the run: the load processes are spawned (they import this module again) and inherit it by the environment.
TAG = os.environ.setdefault("CRISISDESK_BENCH_TAG", uuid.uuid4().hex[:8])
CHECKLIST = {"checklist": {"no_state_secret": True, "no_private_data": True, "no_pending_proceedings": True}}
Sample = tuple[str, str, float, float]  # (class, outcome, seconds, at)


class Reply:
    def __init__(self, status_code: int, headers: dict[str, str], body: bytes) -> None:
        self.status_code, self.headers, self.body = status_code, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: httpx's AsyncClient costs too much CPU per request
    to drive 1,000 clients from a 2-core machine (it measured itself, not the server)."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        try:
            return await asyncio.wait_for(self._request(method, path, json, headers or {}), TIMEOUT)
        except BaseException:
            await self.close()  # a half-read answer leaves the connection unusable
            raise

    async def _request(self, method: str, path: str, body_json: Any, headers: dict[str, str]) -> Reply:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        body = b"" if body_json is None else jsonlib.dumps(body_json).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(body)}"]
        if body_json is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed by the server")
        status = int(status_line.split()[1])
        answer: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            answer[name.strip().lower()] = value.strip()
        if answer.get("transfer-encoding") == "chunked":
            data = b""
            while (size := int((await self.reader.readline()).strip(), 16)) > 0:
                data += await self.reader.readexactly(size)
                await self.reader.readline()
            await self.reader.readline()
        else:
            data = await self.reader.readexactly(int(answer.get("content-length", "0")))
        if answer.get("connection") == "close":
            await self.close()
        return Reply(status, answer, data)


def serve(url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "CRISISDESK_ENVIRONMENT": "development", "CRISISDESK_SECRET_KEY": SECRET,
           "CRISISDESK_RATE_LIMIT_ENABLED": "false", "CRISISDESK_LOG_LEVEL": "WARNING"}  # fmt: skip
    with log.open("ab") as err:
        process = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "serve", "--port",
                                    str(port), "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=err,
                                   start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(log.read_text()[-3000:])


async def call(client: Client, samples: list[Sample], cls: str, method: str, path: str,
               retry: bool = False, **kwargs: Any) -> Reply | None:  # fmt: skip
    """One request (retried on 503 or a time-out with the same headers, hence the same Idempotency-Key), for at
    most 60 s."""
    give_up = time.time() + 60
    while True:
        start = time.perf_counter()
        try:
            response = await client.request(method, path, **kwargs)
            samples.append((cls, str(response.status_code), time.perf_counter() - start, time.time()))
        except TimeoutError:
            samples.append((cls, "timeout", time.perf_counter() - start, time.time()))
            response = None
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            samples.append((cls, type(exc).__name__, time.perf_counter() - start, time.time()))
            response = None
        if not retry or (response is not None and response.status_code != 503) or time.time() > give_up:
            return response
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")) if response is not None else 1.0)


async def readers(base: str, count: int, until: float, numbers: list[str]) -> list[Sample]:
    samples: list[Sample] = []

    async def one() -> None:
        async with Client(base) as client:
            while time.time() < until:
                kind = random.random()
                if kind < 0.4:
                    await call(client, samples, "read: list", "GET", "/api/public/v1/notices")
                elif kind < 0.7:
                    number = random.choice(numbers)
                    await call(
                        client, samples, "read: notice", "GET", f"/api/public/v1/notices/{quote(number, safe='')}"
                    )
                elif kind < 0.85:
                    await call(client, samples, "read: feed", "GET", "/api/public/v1/notices.atom")
                else:
                    await call(client, samples, "read: /notices page", "GET", "/notices")

    await asyncio.gather(*(one() for _ in range(count)))
    return samples


async def writers(base: str, until: float, tokens: dict[str, str], journalists: int, staff: int) -> list[Sample]:
    samples: list[Sample] = []
    approved: asyncio.Queue[int] = asyncio.Queue()

    def auth(who: str, key: bool = False) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if key:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return headers

    async def journalist(i: int) -> None:
        async with Client(base) as client:
            n = 0
            while time.time() < until:
                n += 1
                body = {"outlet": "Báo Thanh Niên", "reporter_name": f"Phóng viên {i}",
                        "contact": f"pv{i}@tn.example.vn", "press_card_number": f"0{i:04d}/BTN",
                        "question": f"Câu hỏi thử tải {TAG} số {i}-{n}: đề nghị Sở cho biết kết quả?"}  # fmt: skip
                await call(client, samples, "inquiry (POST)", "POST", "/api/public/v1/inquiries", retry=True,
                           json=body, headers={"Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
                await asyncio.sleep(random.uniform(1, 3))

    async def worker() -> None:
        async with Client(base) as client:
            while time.time() < until:
                intake = {"title": f"Vụ việc thử tải {TAG}", "summary": "Bài báo phản ánh.",
                          "source_kind": "press_article", "topic": "other", "severity": "hot"}  # fmt: skip
                r = await call(client, samples, "staff: intake", "POST", "/api/v1/cases", retry=True, json=intake,
                               headers=auth("office", key=True))  # fmt: skip
                if r is None or r.status_code != 201:
                    continue
                ref = r.json()["reference"]
                steps: list[tuple[str, str, str, dict[str, Any] | None, str]] = [
                    ("staff: read", "GET", f"/api/v1/cases/{ref}", None, "office"),
                    ("staff: transition", "POST", f"/api/v1/cases/{ref}/transitions",
                     {"action": "assign", "lead_unit": "GDTrH"}, "office"),
                    ("staff: transition", "POST", f"/api/v1/cases/{ref}/transitions", {"action": "accept"}, "head"),
                ]  # fmt: skip
                ok = True
                for cls, method, path, body, who in steps:
                    await asyncio.sleep(random.uniform(0.2, 1.0))
                    r = await call(client, samples, cls, method, path, retry=True, json=body, headers=auth(who))
                    ok = ok and r is not None and r.status_code < 300
                if not ok:
                    continue
                draft = {"kind": "response", "text": f"Sở Giáo dục và Đào tạo trả lời về vụ việc {ref}."}
                r = await call(client, samples, "staff: draft", "POST", f"/api/v1/cases/{ref}/statements", retry=True,
                               json=draft, headers=auth("handler", key=True))  # fmt: skip
                if r is None or r.status_code != 201:
                    continue
                sid = r.json()["id"]
                await asyncio.sleep(random.uniform(0.2, 1.0))
                r = await call(client, samples, "staff: submit", "POST", f"/api/v1/statements/{sid}/submit", retry=True,
                               headers=auth("head"))  # fmt: skip
                await asyncio.sleep(random.uniform(0.2, 1.0))
                r = await call(client, samples, "staff: approve", "POST", f"/api/v1/statements/{sid}/approve",
                               retry=True, json=CHECKLIST, headers=auth("spokesperson"))  # fmt: skip
                if r is not None and r.status_code == 200:
                    approved.put_nowait(sid)

    async def publisher() -> None:
        async with Client(base) as client:
            next_at = time.time() + 10
            while time.time() < until:
                await asyncio.sleep(max(0.0, next_at - time.time()))
                next_at += 10
                try:
                    sid = approved.get_nowait()
                except asyncio.QueueEmpty:
                    samples.append(("publish (every 10 s)", "nothing approved yet", 0.0, time.time()))
                    continue
                await call(client, samples, "publish (every 10 s)", "POST", f"/api/v1/statements/{sid}/publish",
                           retry=True, headers=auth("office", key=True))  # fmt: skip

    async def health() -> None:
        async with Client(base) as client:
            while time.time() < until:
                await call(client, samples, "/healthz", "GET", "/healthz")
                await asyncio.sleep(0.05)

    tasks = [journalist(i) for i in range(journalists)] + [worker() for _ in range(staff)]
    await asyncio.gather(*tasks, publisher(), health())
    return samples


def _readers_process(args: tuple[str, int, float, list[str]]) -> list[Sample]:
    return asyncio.run(readers(*args))


def _writers_process(args: tuple[str, float, dict[str, str], int, int]) -> list[Sample]:
    return asyncio.run(writers(*args))


def run_phase(base: str, seconds: float, readers_count: int, numbers: list[str], tokens: dict[str, str] | None,
              journalists: int, staff: int, processes: int) -> tuple[list[Sample], float]:  # fmt: skip
    until = time.time() + seconds
    jobs: list[tuple[Any, Any]] = []
    share = readers_count // processes
    for i in range(processes):
        count = share + (readers_count % processes if i == 0 else 0)
        jobs.append((_readers_process, (base, count, until, numbers)))
    if tokens is not None:
        jobs.append((_writers_process, (base, until, tokens, journalists, staff)))
    started = time.time()
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        pending = [pool.apply_async(fn, (args,)) for fn, args in jobs]
        samples = [s for p in pending for s in p.get(timeout=seconds + 300)]
    return samples, time.time() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def table(samples: list[Sample], seconds: float) -> list[str]:
    by_class: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_class[s[0]].append(s)
    lines = ["| class | requests | req/s | p50 | p99 | outcomes |", "|---|---|---|---|---|---|"]
    for cls in sorted(by_class):
        rows = [s for s in by_class[cls] if s[2] > 0]
        times = [s[2] for s in rows]
        outcomes = dict(Counter(s[1] for s in by_class[cls]).most_common())
        lines.append(f"| {cls} | {len(rows)} | {len(rows) / seconds:.1f} | {pct(times, 0.5) * 1000:.0f} ms "
                     f"| {pct(times, 0.99) * 1000:.0f} ms | {outcomes} |")  # fmt: skip
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=180)
    parser.add_argument("--alone", type=float, default=60)
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--journalists", type=int, default=100)
    parser.add_argument("--staff", type=int, default=40)
    parser.add_argument("--processes", type=int, default=2, help="load processes for the readers")
    args = parser.parse_args()
    cluster = Cluster()
    log = cluster.root / "server.log"
    env = {**os.environ, "DATABASE_URL": cluster.url, "CRISISDESK_ENVIRONMENT": "development"}
    server = None
    try:
        subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "migrate"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "demo"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        server, base = serve(cluster.url, log)
        tokens = {}
        for who in ("office", "head", "handler", "spokesperson"):
            r = httpx.post(base + "/api/v1/auth/token", data={"username": who, "password": "demo"}, timeout=30)
            r.raise_for_status()
            tokens[who] = r.json()["access_token"]
        numbers = [
            n["number"] for n in httpx.get(base + "/api/public/v1/notices?limit=100", timeout=30).json()["items"]
        ]
        load_before = os.getloadavg()
        print(f"Machine: nproc {os.cpu_count()}; load average before {load_before[0]:.2f}; PostgreSQL cluster of its "
              f"own on port {cluster.port}; {len(numbers)} published notices to read.\n")  # fmt: skip
        alone, alone_seconds = run_phase(base, args.alone, args.readers, numbers, None, 0, 0, args.processes)
        print(f"### Readers alone ({args.readers} clients, {alone_seconds:.0f} s)\n")
        print("\n".join(table(alone, alone_seconds)))
        mixed, mixed_seconds = run_phase(base, args.duration, args.readers, numbers, tokens, args.journalists,
                                         args.staff, args.processes)  # fmt: skip
        print(f"\n### The crisis-day mix ({args.readers} readers, {args.journalists} journalists, {args.staff} staff, "
              f"a publication every 10 s; {mixed_seconds:.0f} s)\n")  # fmt: skip
        print("\n".join(table(mixed, mixed_seconds)))
        reads_alone = sum(1 for s in alone if s[0].startswith("read")) / alone_seconds
        reads_mixed = sum(1 for s in mixed if s[0].startswith("read")) / mixed_seconds
        five = sum(1 for s in alone + mixed if s[1].startswith("5"))
        timeouts = sum(1 for s in alone + mixed if not s[1][0].isdigit() and s[1] != "nothing approved yet")
        health = [s[2] for s in mixed if s[0] == "/healthz"]
        print(f"\n- Readers' throughput in the mix / alone: {reads_mixed:.1f} / {reads_alone:.1f} req/s = "
              f"**{reads_mixed / reads_alone:.2f}**.")  # fmt: skip
        print(f"- 5xx: {five}; time-outs and connection errors: {timeouts}; "
              f"/healthz p99 {pct(health, 0.99) * 1000:.0f} ms (max {max(health or [0]) * 1000:.0f} ms).")  # fmt: skip
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=30)
    try:
        engine = make_engine(cluster.url)
        with engine.connect() as conn:
            cases = conn.execute(text("SELECT count(*) FROM \"case\" WHERE title = :t"),
                                 {"t": f"Vụ việc thử tải {TAG}"}).scalar_one()  # fmt: skip
            inquiries = conn.execute(text("SELECT count(*) FROM \"case\" WHERE title LIKE :t"),
                                     {"t": f"%thử tải {TAG}%"}).scalar_one()  # fmt: skip
            replays = conn.execute(text("SELECT count(*) FROM idempotency_key")).scalar_one()
        engine.dispose()
        intakes_201 = sum(1 for s in mixed if s[0] == "staff: intake" and s[1] == "201")
        inquiries_201 = sum(1 for s in mixed if s[0] == "inquiry (POST)" and s[1] == "201")
        print(f"- Written vs answered 201: cases {cases} / {intakes_201}; inquiries {inquiries} / {inquiries_201} "
              f"({replays} idempotency keys stored).")  # fmt: skip
        tracebacks = log.read_text(errors="replace").count("Traceback")
        print(f"- Server log: {tracebacks} tracebacks; load average after {os.getloadavg()[0]:.2f}.")
        shutil.copy(log, "/tmp/crisis_day_server.log")
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()
