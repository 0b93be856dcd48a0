"""Benchmark: the reports side at a million cases (issue 17, item 4) — through the HTTP API and pages.

Measures p50/p95 against an already loaded database (``bench/scale.py`` on the ``scale`` branch loads
``crisisdesk_scale``; this script loads nothing and writes nothing but the login sessions and tokens of the users
it signs in as): it starts one ``crisisdesk serve`` on that database, signs in, and times

* ``GET /api/v1/reports/dashboard`` (the press office; and a unit head: unit-scoped, and the head's units report),
* ``GET /api/v1/reports/units``, ``GET /api/v1/reports/annual`` (totals and the first 100 lines of each indicator),
  a deep page of the yearly report's lines (``/annual/4/cases`` 20 pages down) and the whole line list streamed as
  CSV (``/annual/cases.csv``: time and size),
* the pages ``/staff/reports`` (the reports page), ``/staff/reports/annual`` and each role's home ``/staff/``.

    .venv/bin/python bench/scale_reports.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/crisisdesk_scale \\
        --user office=PASSWORD --user director=PASSWORD --user head=PASSWORD [--runs 20] [--year 2026]

``--user role=password`` names a user by username (the first ``office``-like user is the press office, etc.: the
usernames are given as ``username=password``; a username containing ``head`` is measured as the unit head, one
containing ``director`` as the director). It prints one Markdown table. Run it with the machine otherwise idle and
note ``uptime``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.serve import Web, serve  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def start(url: str, root: Path, log: Path) -> Web:
    env = {**os.environ, "CRISISDESK_DATABASE_URL": url, "CRISISDESK_ENVIRONMENT": "development",
           "CRISISDESK_LOG_LEVEL": "WARNING", "CRISISDESK_COOKIE_SECURE": "false"}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    web = serve("web", env, log, cwd=root)
    web.wait_up()
    return web


def signed_in(base: str, username: str, password: str) -> httpx.Client:
    """A client with both a staff session (cookie) and an API token."""
    client = httpx.Client(base_url=base, timeout=600)
    page = client.get("/staff/login")
    match = CSRF_RE.search(page.text)
    assert match, "no csrf_token on the login page"
    response = client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": match.group(1), "next": "/staff/"},
    )
    assert response.status_code == 303, (response.status_code, response.text[:300])
    token = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    token.raise_for_status()
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def timed(fn: Callable[[], httpx.Response], runs: int) -> tuple[float, float, int]:
    fn().raise_for_status()  # warm
    times = []
    size = 0
    for _ in range(runs):
        started = time.perf_counter()
        response = fn()
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        size = len(response.content)
    times.sort()
    return statistics.median(times), times[max(int(round(len(times) * 0.95)) - 1, 0)], size


def deep_cursor(client: httpx.Client, year: int, pages: int) -> str | None:
    cursor = None
    for _ in range(pages):
        params: dict[str, str | int] = {"year": year, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        response = client.get("/api/v1/reports/annual/4/cases", params=params)
        if response.status_code != 200:
            return None
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    return cursor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--user", action="append", default=[], help="username=password (repeat)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--app-root", default=str(ROOT), help="serve the app of this tree (e.g. main's, for 'before')")
    parser.add_argument("--only", default="", help="comma-separated names to measure (default: all)")
    args = parser.parse_args()
    users = dict(u.split("=", 1) for u in args.user)
    web = start(args.database_url, Path(args.app_root).resolve(), Path(tempfile.mkstemp(suffix=".log")[1]))
    base = web.url
    try:
        clients = {name: signed_in(base, name, password) for name, password in users.items()}
        office = next(c for n, c in clients.items() if "head" not in n and "director" not in n)
        year = {"year": args.year}
        checks: list[tuple[str, Callable[[], httpx.Response], int]] = [
            ("api dashboard (press office)", lambda: office.get("/api/v1/reports/dashboard", params=year), args.runs),
            ("api units report", lambda: office.get("/api/v1/reports/units", params=year), args.runs),
            (
                "api yearly report (totals + 100 lines each)",
                lambda: office.get("/api/v1/reports/annual", params=year),
                max(args.runs // 2, 3),
            ),
            ("page /staff/reports (the reports page)", lambda: office.get("/staff/reports", params=year), args.runs),
            (
                "page /staff/reports/annual",
                lambda: office.get("/staff/reports/annual", params=year),
                max(args.runs // 2, 3),
            ),
            ("home /staff/ (press office)", lambda: office.get("/staff/"), args.runs),
        ]
        cursor = deep_cursor(office, args.year, 20)
        if cursor:
            checks.append(
                (
                    "api yearly report lines, page 21 (/annual/4/cases)",
                    lambda: office.get(
                        "/api/v1/reports/annual/4/cases", params={**year, "limit": 100, "cursor": cursor}
                    ),
                    args.runs,
                )
            )
        checks.append(
            (
                "api yearly report, every line as CSV",
                lambda: office.get("/api/v1/reports/annual/cases.csv", params=year),
                3,
            )
        )
        for name, client in clients.items():
            if "head" in name:
                checks.append(
                    (
                        f"api dashboard (unit head {name})",
                        lambda c=client: c.get(  # type: ignore[misc]
                            "/api/v1/reports/dashboard", params=year
                        ),
                        args.runs,
                    )
                )
                checks.append(
                    (
                        f"api units report (unit head {name})",
                        lambda c=client: c.get("/api/v1/reports/units", params=year),  # type: ignore[misc]
                        args.runs,
                    )
                )
                checks.append(
                    (
                        f"home /staff/ (unit head {name})",
                        lambda c=client: c.get("/staff/"),  # type: ignore[misc]
                        args.runs,
                    )
                )
            if "director" in name:
                checks.append(
                    (
                        f"home /staff/ (director {name})",
                        lambda c=client: c.get("/staff/"),  # type: ignore[misc]
                        args.runs,
                    )
                )
        only = {s.strip() for s in args.only.split(",") if s.strip()}
        out(f"| measure ({args.year}) | p50 | p95 | runs | bytes |")
        out("|---|---|---|---|---|")
        for label, fn, runs in checks:
            if only and not any(o in label for o in only):
                continue
            try:
                p50, p95, size = timed(fn, runs)
            except httpx.HTTPStatusError as exc:  # an endpoint the served tree does not have (measuring "before")
                out(f"| {label} | — | — | {exc.response.status_code} | |")
                continue
            out(f"| {label} | {p50:.0f} ms | {p95:.0f} ms | {runs} | {size:,} |")
        for client in clients.values():
            client.close()
    finally:
        web.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
