"""Benchmark: the CPU one request costs, per class of the crisis day (issue 16), in the server and in PostgreSQL.

    .venv/bin/python bench/write_cost.py            # 500 of each read, 100 of each write, one after the other

A throwaway PostgreSQL cluster (tests/support/pgcluster.py) with the demo data, one ``crisisdesk serve`` process
(rate limits off), one client sending the requests one at a time. For each class: the server process's CPU time
(user + system) and that of the cluster's backends of the database, divided by the number of requests. CPU time,
unlike latency, hardly depends on what else the machine runs, so the figures hold on a shared machine; multiplied
by the crisis day's rates they say how many cores its writers need before a single reader is served.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import psutil  # noqa: E402

from tests.support.pgcluster import Cluster  # noqa: E402
from tests.support.serve import serve, stop_all  # noqa: E402

CHECKLIST = {"checklist": {"no_state_secret": True, "no_private_data": True, "no_pending_proceedings": True}}


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def main() -> int:
    cluster = Cluster()
    env = {**os.environ, "DATABASE_URL": cluster.url, "CRISISDESK_ENVIRONMENT": "development",
           "CRISISDESK_SECRET_KEY": "write-cost-" + uuid.uuid4().hex * 2, "CRISISDESK_RATE_LIMIT_ENABLED": "false",
           "CRISISDESK_LOG_LEVEL": "WARNING"}  # fmt: skip
    cli = [sys.executable, "-c", "from app.cli import main; main()"]
    web = None
    try:
        for command in ("migrate", "demo"):
            subprocess.run([*cli, command], env=env, check=True, stdout=subprocess.DEVNULL)
        web = serve("web", env, cluster.root / "server.log")
        web.wait_up()
        client = httpx.Client(base_url=web.url, timeout=30)
        tokens = {
            who: client.post("/api/v1/auth/token", data={"username": who, "password": "demo"}).json()["access_token"]
            for who in ("office", "head", "handler", "spokesperson")
        }

        def auth(who: str, key: bool = False) -> dict[str, str]:
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            return headers | ({"Idempotency-Key": str(uuid.uuid4())} if key else {})

        def backends() -> list[int]:
            pids = cluster.sql("SELECT pid FROM pg_stat_activity WHERE datname = 'crisisdesk'")
            return [int(pid) for pid in pids.split()]

        numbers = [n["number"] for n in client.get("/api/public/v1/notices?limit=100").json()["items"]]
        refs: list[str] = []
        statements: list[int] = []

        def ok(response: httpx.Response, status: int = 200) -> Any:
            assert response.status_code == status, response.text
            return response.json() if status != 304 else None

        def inquiry(i: int) -> None:
            body = {"outlet": "Báo Thanh Niên", "reporter_name": f"Phóng viên {i}", "contact": f"pv{i}@tn.example.vn",
                    "press_card_number": f"0{i:04d}/BTN",
                    "question": f"Câu hỏi số {i}: đề nghị Sở cho biết kết quả?"}  # fmt: skip
            ok(client.post("/api/public/v1/inquiries", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}), 201)

        def intake(i: int) -> None:
            body = {"title": f"Vụ việc thử {i}", "summary": "Bài báo phản ánh.", "source_kind": "press_article",
                    "topic": "other", "severity": "hot"}  # fmt: skip
            refs.append(ok(client.post("/api/v1/cases", json=body, headers=auth("office", key=True)), 201)["reference"])

        def draft(i: int) -> None:
            body = {"kind": "response", "text": f"Sở Giáo dục và Đào tạo trả lời về vụ việc {refs[i]}."}
            answer = client.post(f"/api/v1/cases/{refs[i]}/statements", json=body, headers=auth("handler", True))
            statements.append(ok(answer, 201)["id"])

        classes: list[tuple[str, int, Callable[[int], None]]] = [
            ("read: public list (cached)", 500, lambda _: ok(client.get("/api/public/v1/notices"))),
            ("read: a notice (cached)", 500,
             lambda i: ok(client.get("/api/public/v1/notices/" + numbers[i % len(numbers)]))),
            ("/healthz", 500, lambda _: ok(client.get("/healthz"))),
            ("inquiry (POST)", 100, inquiry),
            ("staff: intake", 100, intake),
            ("staff: read", 100, lambda i: ok(client.get(f"/api/v1/cases/{refs[i]}", headers=auth("office")))),
            ("staff: assign", 100, lambda i: ok(client.post(f"/api/v1/cases/{refs[i]}/transitions",
                                                            json={"action": "assign", "lead_unit": "GDTrH"},
                                                            headers=auth("office")))),
            ("staff: accept", 100, lambda i: ok(client.post(f"/api/v1/cases/{refs[i]}/transitions",
                                                            json={"action": "accept"}, headers=auth("head")))),
            ("staff: draft", 100, draft),
            ("staff: submit", 100,
             lambda i: ok(client.post(f"/api/v1/statements/{statements[i]}/submit", headers=auth("head")))),
            ("staff: approve", 100, lambda i: ok(client.post(f"/api/v1/statements/{statements[i]}/approve",
                                                             json=CHECKLIST, headers=auth("spokesperson")))),
        ]  # fmt: skip
        print(f"Machine: nproc {os.cpu_count()}, load average before {os.getloadavg()[0]:.2f}\n")
        print("| request | n | server CPU ms | PostgreSQL CPU ms | wall ms |\n|---|---:|---:|---:|---:|")
        server = [web.process.pid]
        for label, count, call in classes:
            pg = backends()
            before = (cpu_seconds(server), cpu_seconds(pg), time.perf_counter())
            for i in range(count):
                call(i)
            pg_after = cpu_seconds(pg)  # the same backends: a new one (pool growth) would count from zero
            after = (cpu_seconds(server), pg_after, time.perf_counter())
            cost = [(b - a) / count * 1000 for a, b in zip(before, after, strict=True)]
            print(f"| {label} | {count} | {cost[0]:.1f} | {cost[1]:.1f} | {cost[2]:.1f} |", flush=True)
        print(f"\nload average after {os.getloadavg()[0]:.2f}")
    finally:
        if web is not None:
            stop_all([web])
        cluster.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
