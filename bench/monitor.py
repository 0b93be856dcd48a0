"""Press monitoring, measured (bench/README.md, "Press monitoring"):

1. ``poll``: 300 sources served by local HTTP servers (127.0.0.1, ephemeral ports; 30 "hosts" of 10 feeds), 20
   items each, 500 watch terms: the wall time and CPU of one full poll cycle of ``crisisdesk monitor`` (fetch,
   parse, match, cluster, store), then nine more cycles in which every feed slides by 5 new items, with the
   process's resident memory after each (it must stay flat);
2. ``match``: the matching cost per item with the 500 terms (target: under 1 ms);
3. ``cluster``: pairwise precision and recall of the clustering on the labelled set ``tests/data/
   monitor_clusters.json`` (target: both at least 0.9);
4. ``emerging``: the emerging-issue score on synthetic daily series (Poisson at the topic's own level) with
   injected bursts: detection rate and false alarms per month.

    .venv/bin/python bench/monitor.py                 # all four, SQLite in a temporary folder
    .venv/bin/python bench/monitor.py --only match cluster emerging
    .venv/bin/python bench/monitor.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/crisisdesk_bench_monitor
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.monitor import rules  # noqa: E402
from app.monitor.demo import TERMS  # noqa: E402

LABELLED = json.loads((ROOT / "tests" / "data" / "monitor_clusters.json").read_text(encoding="utf-8"))["items"]
SCHOOL_NAMES = [
    "Nguyễn Du",
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Lê Quý Đôn",
    "Nguyễn Trãi",
    "Quang Trung",
    "Chu Văn An",
    "Trần Phú",
    "Lý Thường Kiệt",
    "Hai Bà Trưng",
    "Nguyễn Huệ",
    "Võ Thị Sáu",
    "Phan Bội Châu",
    "Phan Chu Trinh",
    "Trưng Vương",
    "Bạch Đằng",
    "Hùng Vương",
    "Kim Đồng",
    "Lương Thế Vinh",
    "Nguyễn Văn Trỗi",
    "Điện Biên",
    "Đinh Tiên Hoàng",
    "Ngô Quyền",
    "Lê Văn Tám",
    "Tô Hiến Thành",
    "Nguyễn Khuyến",
    "Nguyễn Đình Chiểu",
    "Võ Trường Toản",
    "Huỳnh Thúc Kháng",
    "Nguyễn Hữu Thọ",
    "Trần Quốc Toản",
    "Lạc Long Quân",
    "Âu Cơ",
    "Hoàng Hoa Thám",
    "Nguyễn Thái Học",
    "Phú Mỹ",
    "Bình Chánh",
    "Tân Kiên",
    "Cần Thạnh",
    "Tân Thông Hội",
    "Hoa Sen",
    "Hoa Mai",
    "Colette",
    "Đoàn Thị Điểm",
    "Bùi Thị Xuân",
    "Nguyễn Thượng Hiền",
    "Gia Định",
    "Nam Sài Gòn",
]


def terms_500() -> list[rules.TermSpec]:
    specs = [rules.TermSpec(i, t, topic.value if topic else None, None) for i, (t, topic, _u) in enumerate(TERMS)]
    kinds = [
        "Trường THCS",
        "Trường THPT",
        "Trường tiểu học",
        "Trường mầm non",
        "Trường THPT chuyên",
        "phường",
        "xã",
        "Trung tâm giáo dục thường xuyên",
        "đường",
        "Phòng Văn hóa - Xã hội phường",
    ]
    n = len(specs)
    for kind in kinds:
        for name in SCHOOL_NAMES:
            if n >= 500:
                break
            specs.append(rules.TermSpec(n, f"{kind} {name}", None, n))
            n += 1
    return specs[:500]


# --- 1. one poll cycle --------------------------------------------------------------------------------------


VOCABULARY = sorted({w for i in LABELLED for w in f"{i['title']} {i['text']}".split() if w.isalpha()})


def article(source: int, k: int) -> tuple[str, str]:
    """A distinct story (as most of a day's articles are): words of the labelled set's vocabulary, drawn at random,
    and a name of a school; a title of 12 words and a text of 120."""
    rng = random.Random(source * 100_003 + k)
    school = rng.choice(SCHOOL_NAMES)
    title = " ".join(rng.choices(VOCABULARY, k=10)) + f" Trường THCS {school}"
    text = " ".join(rng.choices(VOCABULARY, k=120))
    return title, text


SLIDE = {"items": 5}


def feed_xml(source: int, cycle: int) -> bytes:
    """20 items; each cycle the window slides by ``SLIDE`` (5: five new items per feed and cycle; 0: the same
    feed every time, everything already seen)."""
    items = []
    start = cycle * SLIDE["items"]
    for k in range(start, start + 20):
        title, text = article(source, k)
        url = f"https://bao{source % 40}.example.vn/giao-duc/bai-{source}-{k}.htm"
        items.append(
            f"<item><guid>{escape(url)}</guid><link>{escape(url)}</link><title>{escape(title)}</title>"
            f"<description>{escape(text)}</description>"
            f"<pubDate>Fri, 27 Nov 2026 0{k % 10}:00:00 +0000</pubDate></item>"
        )
    head = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Báo {source}</title>'
    body = "".join(reversed(items))
    return (head + f"<link>https://e.vn</link><description>x</description>{body}</channel></rss>").encode()


@contextmanager
def servers(hosts: int, state: dict[str, int]) -> Iterator[list[int]]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/robots.txt":
                body, status = b"User-agent: *\nAllow: /\n", 200
            else:
                body, status = feed_xml(int(self.path.split("/")[-1].split(".")[0]), state["cycle"]), 200
            self.send_response(status)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    started = []
    for _ in range(hosts):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
    try:
        yield [s.server_address[1] for s in started]
    finally:
        for s in started:
            s.shutdown()
            s.server_close()


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def bench_poll(database_url: str | None, sources: int, hosts: int, cycles: int, step_minutes: int = 30) -> None:
    from sqlalchemy import update
    from sqlmodel import Session, func, select

    from app.db import make_engine
    from app.migrate import upgrade
    from app.monitor.fetcher import Fetcher
    from app.monitor.models import MonitorCluster, MonitorItem, MonitorSource, SourceKind, WatchTerm
    from app.settings import Settings

    tmp = tempfile.mkdtemp()
    url = database_url or f"sqlite:///{tmp}/bench.db"
    if database_url and database_url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        admin = make_engine(make_url(database_url).set(database="postgres").render_as_string(hide_password=False))
        name = make_url(database_url).database
        with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    upgrade(url)
    engine = make_engine(url, pool_size=12, max_overflow=4)
    now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    state = {"cycle": 0}
    with servers(hosts, state) as ports:
        with Session(engine) as s:
            for i in range(sources):
                port = ports[i % hosts]
                s.add(MonitorSource(name=f"Báo {i}", url=f"http://127.0.0.1:{port}/feed/{i}.rss", kind=SourceKind.FEED,
                                    outlet=f"Báo {i % 40}", created_at=now, next_poll_at=now))  # fmt: skip
            for spec in terms_500():
                s.add(WatchTerm(term=spec.term, folded=" ".join(rules.words(spec.term)), created_at=now))
            s.commit()
        settings = Settings(database_url=url, monitor_host_interval_seconds=1.0, monitor_concurrency=8,
                            monitor_timeout_seconds=20)  # type: ignore[call-arg]  # fmt: skip
        print(f"{sources} sources on {hosts} local hosts, 20 items each, 500 terms; database {url.split(':')[0]}")
        print("cycle | wall s | CPU s (this process) | new items | RSS MiB")
        for cycle in range(cycles):
            state["cycle"] = cycle
            with Session(engine) as s:
                s.execute(update(MonitorSource).values(next_poll_at=now))
                s.commit()
            fetcher = Fetcher(settings, engine=engine, clock=lambda at=now: at)
            wall, cpu = time.perf_counter(), time.process_time()
            report = fetcher.run_cycle()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            fetcher.close()
            print(f"{cycle + 1:5d} | {wall:6.1f} | {cpu:6.1f} | {report.new_items:9d} | {rss_mib():7.1f}"
                  + (f"  ({report.failed} failed)" if report.failed else ""))  # fmt: skip
            now += timedelta(minutes=step_minutes)
        with Session(engine) as s:
            items = s.exec(select(func.count()).select_from(MonitorItem)).one()
            clusters = s.exec(select(func.count()).select_from(MonitorCluster)).one()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"stored {items} items in {clusters} clusters; peak RSS {peak:.0f} MiB")
    engine.dispose()


# --- 2. matching --------------------------------------------------------------------------------------------


def bench_match() -> None:
    matcher = rules.Matcher(terms_500())
    texts = [(i["title"], i["text"] * 4) for i in LABELLED]  # ~400 words: a feed item with its full lead
    words = statistics.mean(len(rules.words(t + " " + x)) for t, x in texts)
    for title, text in texts[:20]:
        matcher.match(title, text)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for title, text in texts:
            matcher.match(title, text)
        runs.append((time.perf_counter() - start) / len(texts) * 1000)
    build = time.perf_counter()
    rules.Matcher(terms_500())
    build = (time.perf_counter() - build) * 1000
    print(f"matching: {len(matcher)} terms, {len(texts)} items of {words:.0f} words on average: "
          f"median {statistics.median(runs):.3f} ms per item (best {min(runs):.3f}); "
          f"building the matcher {build:.1f} ms")  # fmt: skip


# --- 3. clustering ------------------------------------------------------------------------------------------


def bench_cluster() -> None:
    index = rules.ClusterIndex()
    predicted: list[int] = []
    start = time.perf_counter()
    for i, item in enumerate(LABELLED):
        feats = rules.cluster_features(item["title"], item["text"])
        cluster, _score = index.best(feats)
        cluster = i if cluster is None else cluster
        index.add(i, cluster, feats)
        predicted.append(cluster)
    elapsed = (time.perf_counter() - start) / len(LABELLED) * 1000
    truth = [i["story"] for i in LABELLED]
    p, r = rules.pairwise_scores(truth, predicted)
    print(f"clustering: {len(LABELLED)} items, {len(set(truth))} stories, {len(set(predicted))} clusters found; "
          f"pairwise precision {p:.3f}, recall {r:.3f} (threshold {rules.CLUSTER_THRESHOLD}); "
          f"{elapsed:.2f} ms per item")  # fmt: skip
    by_form: dict[str, list[bool]] = {}
    first: dict[str, int] = {}
    for item, c in zip(LABELLED, predicted, strict=True):
        first.setdefault(item["story"], c)
    for item, c in zip(LABELLED, predicted, strict=True):
        by_form.setdefault(item["form"], []).append(c == first[item["story"]])
    print("  joined its story's first cluster, by form: "
          + ", ".join(f"{f} {sum(v)}/{len(v)}" for f, v in sorted(by_form.items())))  # fmt: skip


# --- 4. emerging issues -------------------------------------------------------------------------------------


def poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def bench_emerging(years: int = 20) -> None:
    for factor in (3, 5):
        _emerging(years, factor)


def _emerging(years: int, factor: int) -> None:
    rng = random.Random(13)
    days = 365
    print(f"emerging: {years} synthetic topic-years per level; bursts of 1–3 days at ×{factor} the level, about one "
          "a month")  # fmt: skip
    print("level (mentions/day) | bursts | detected | on its first day | false alarms / month")
    for level in (0.5, 1, 2, 5, 10, 20):
        bursts = detected = first_day = alarms = quiet_days = 0
        for _ in range(years):
            burst_days: dict[int, int] = {}
            day = rng.randint(20, 40)
            while day < days:
                length = rng.randint(1, 3)
                for d in range(day, min(day + length, days)):
                    burst_days[d] = day
                day += length + rng.randint(20, 40)
            series = [poisson(rng, level * (factor if d in burst_days else 1)) for d in range(days)]
            starts = sorted(set(burst_days.values()))
            hit: set[int] = set()
            for d in range(rules.BASELINE_DAYS, days):
                history = [series[d - k] for k in range(1, rules.BASELINE_DAYS + 1)]
                flagged = rules.emerging_score(series[d], history).flagged
                if d in burst_days:
                    if flagged and burst_days[d] not in hit:
                        hit.add(burst_days[d])
                        first_day += d == burst_days[d]
                else:
                    quiet_days += 1
                    alarms += flagged
            bursts += len([s for s in starts if s >= rules.BASELINE_DAYS])
            detected += len(hit)
        print(f"{level:20g} | {bursts:6d} | {detected / bursts:7.0%} | {first_day / bursts:15.0%} | "
              f"{alarms / (quiet_days / 30.4):.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=["poll", "match", "cluster", "emerging"])
    parser.add_argument("--database-url")
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--hosts", type=int, default=30)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--slide", type=int, default=5, help="new items per feed and cycle after the first")
    parser.add_argument("--step-minutes", type=int, default=30, help="simulated time between two cycles")
    args = parser.parse_args()
    SLIDE["items"] = args.slide
    only = set(args.only or ["poll", "match", "cluster", "emerging"])
    print(f"nproc {os.cpu_count()}; Python {sys.version.split()[0]}")
    if "match" in only:
        bench_match()
    if "cluster" in only:
        bench_cluster()
    if "emerging" in only:
        bench_emerging()
    if "poll" in only:
        bench_poll(args.database_url, args.sources, args.hosts, args.cycles, args.step_minutes)


if __name__ == "__main__":
    main()
