"""Benchmark: the CPU one cached public read costs the process, in-process, against the raw ceiling.

    .venv/bin/python bench/public_hit_cost.py                      # SQLite in a temporary folder
    .venv/bin/python bench/public_hit_cost.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

It loads a few thousand notices (``bench/public_read.py``'s loader; a hit does not depend on the count), builds the
app as ``crisisdesk serve`` does (JSON access log on, its stream sent to /dev/null; rate limits on with a burst no
run exhausts, so the limiter's cost is counted), asks each of the eight reads of ``public_read.py`` once to fill the
cache, then calls the ASGI app directly in a loop with the scope uvicorn would build and a ``send`` that keeps
nothing: no sockets, no HTTP parsing, so what is measured is the application's own work per request. The raw
ceiling (``bench/raw_ceiling_app.py`` answering the service's own bytes) is measured the same way. The figure is
CPU time per call (``time.process_time``), the median of ``--blocks`` blocks of ``--calls`` calls each: CPU time,
not wall time, so a loaded machine inflates it less (it still does, through caches and frequency); the
proportions are what counts. ``--profile`` prints a cProfile of one measure's loop.

What served directly means for the wrk figures: uvicorn itself spends tens of µs a request (parsing, the writes);
for a read to run at ≥ 90 % of the raw ceiling, the application may add about a ninth of that.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import json
import logging
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from public_read import create_database, load, measure_urls  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.logs import configure_logging  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.settings import Settings  # noqa: E402

ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def scope_for(target: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """The scope uvicorn (httptools) builds for ``GET target``."""
    path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 51234),
        "scheme": "http",
        "method": "GET",
        "root_path": "",
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk"), *headers],
        "state": {},
    }


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


class Keep:
    """A ``send`` that keeps the last response (to check it), nothing more."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = message["headers"]
        else:
            self.body = message.get("body", b"")


async def drop(message: dict[str, Any]) -> None:  # noqa: ARG001
    return None


async def call(app: ASGI, scope: dict[str, Any]) -> Keep:
    kept = Keep()
    await app(dict(scope), receive, kept)
    return kept


async def cost(app: ASGI, scope: dict[str, Any], calls: int, blocks: int) -> float:
    """µs of CPU per call: the median of the blocks."""
    per_block = []
    for _ in range(blocks):
        started = time.process_time()
        for _ in range(calls):
            await app(scope.copy(), receive, drop)
        per_block.append((time.process_time() - started) / calls * 1e6)
        await asyncio.sleep(0)  # let the access log's flush run, as the event loop would
    return statistics.median(per_block)


def raw_ceiling(answers: dict[str, Any]) -> ASGI:
    path = Path(tempfile.mkstemp(suffix=".json")[1])
    path.write_text(json.dumps(answers))
    os.environ["RAW_CEILING_RESPONSES"] = str(path)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import raw_ceiling_app

    return raw_ceiling_app.app  # type: ignore[no-any-return]


async def run(args: argparse.Namespace, url: str) -> None:
    from app.main import create_app

    # As `crisisdesk serve` configures it (after the migrations: Alembic's env.py configures logging its own way).
    configure_logging("INFO", "json")
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
    settings = Settings(database_url=url, environment="production", secret_key=secrets.token_urlsafe(32),
                        rate_limit_read_burst=100_000, rate_limit_read_per_second=100_000,
                        rate_limit_enabled=not args.no_limits)  # fmt: skip
    app = create_app(settings)
    ceiling_app = None
    if args.fastapi_ceiling:
        import ceiling_app as fastapi_ceiling

        ceiling_app = fastapi_ceiling.app
    probe = await call(app, scope_for("/api/public/v1/notices?limit=1&kind=response", []))
    item = json.loads(probe.body)["items"][0]
    paths = measure_urls(item["number"], item["slug"])
    answers: dict[str, Any] = {}
    scopes: dict[str, dict[str, Any]] = {}
    for name, target in paths.items():
        first = await call(app, scope_for(target, []))
        assert first.status == 200, (name, first.status)
        headers: list[tuple[bytes, bytes]] = []
        key = target
        if name == "304 revalidation":
            etag = dict(first.headers)[b"etag"]
            headers = [(b"if-none-match", etag)]
            key = f"{target} If-None-Match"
        scopes[name] = scope_for(target, headers)
        again = await call(app, scopes[name])
        assert again.status == (304 if headers else 200), (name, again.status)
        answers[key] = [again.status, [[k.decode("latin-1"), v.decode("latin-1")] for k, v in again.headers],
                        base64.b64encode(again.body).decode()]  # fmt: skip
    raw = raw_ceiling(answers)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        await cost(app, scopes[args.profile], args.calls, 1)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(int(os.environ.get("PROFILE_LINES", "25")))
        return
    sys.stdout.write(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.calls} calls × "
                     f"{args.blocks} blocks, median µs CPU a call\n\n")  # fmt: skip
    fastapi_column = "FastAPI ceiling | " if ceiling_app else ""
    sys.stdout.write(f"| measure | raw ceiling | {fastapi_column}service | ratio |\n")
    sys.stdout.write("|---|---:|" + ("---:|" if ceiling_app else "") + "---:|---:|\n")
    for name, scope in scopes.items():  # paired: the ceiling, then the measure
        raw_us = await cost(raw, scope, args.calls, args.blocks)
        fastapi_us = await cost(ceiling_app, scope, args.calls, args.blocks) if ceiling_app else None
        service_us = await cost(app, scope, args.calls, args.blocks)
        extra = f"{fastapi_us:.1f} | " if fastapi_us is not None else ""
        sys.stdout.write(f"| {name} | {raw_us:.1f} | {extra}{service_us:.1f} | {raw_us / service_us:.0%} |\n")
    sys.stdout.write(f"\nload average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (the script makes and drops its own database)")
    parser.add_argument("--notices", type=int, default=3000)
    parser.add_argument("--calls", type=int, default=5000, help="calls per block")
    parser.add_argument("--blocks", type=int, default=7, help="blocks per measure (the median is given)")
    parser.add_argument("--no-limits", action="store_true", help="rate limits off (as bench/public_read.py)")
    parser.add_argument("--fastapi-ceiling", action="store_true", help="also the bare FastAPI endpoint")
    parser.add_argument("--profile", metavar="MEASURE", help="cProfile one measure's loop instead (e.g. 'Atom feed')")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crisisdesk-hit-cost-") as folder:
        url, drop_database = create_database(args.postgres, Path(folder))
        try:
            upgrade(url)
            engine = make_engine(url)
            load(engine, args.notices)
            engine.dispose()
            try:
                import uvloop

                uvloop.run(run(args, url))
            except ImportError:
                asyncio.run(run(args, url))
        finally:
            drop_database()


if __name__ == "__main__":
    main()
