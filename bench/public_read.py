"""Benchmark: the public read side under a crisis-day rush, as ratios to the framework's ceiling.

One command:

    .venv/bin/python bench/public_read.py                       # SQLite file in a temporary folder
    .venv/bin/python bench/public_read.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

It loads N published notices (default 100,000; bulk Core inserts, realistic Vietnamese text, one case and one
statement each) into a fresh database (a SQLite file, or a PostgreSQL database it creates and drops), starts the
service the way production does (``crisisdesk serve --workers W``, rate limits off, JSON access log on, written to
a file) and, beside it, a bare async FastAPI app returning a small constant JSON document (``bench/ceiling_app.py``,
same uvicorn, same worker count): the framework's ceiling on this machine. Then it drives each with ``wrk`` from
the same machine, identical settings, in one run:

    one notice by number · a 304 revalidation (If-None-Match) · the first page of the list · a search

in rounds (default 3), each run of a measure right after a run of the ceiling, so that both see the same machine
(other jobs may load it: the script first waits, up to 5 minutes, for the load average to fall below 1), and
prints requests/second, p99 latency and the ratio to the ceiling (the median of the rounds' paired ratios) as a
Markdown table. It also measures the uncached path (cache misses: a distinct query string each time) with sequential
requests, and prints the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from app.db import make_engine, normalize_url  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.statements.rules import text_digest  # noqa: E402
from app.text import fold  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
BENCH_DB = "crisisdesk_bench_public"

TOPICS = ["policy_reform", "ethics_school_safety", "education_quality", "teachers_managers",
          "facilities_finance_tuition", "admin_reform_online_services", "digital_transformation", "other"]  # fmt: skip
OUTLETS = ["Báo Tuổi Trẻ", "Báo Thanh Niên", "VnExpress", "Báo Người Lao Động", "Báo Sài Gòn Giải Phóng",
           "Báo Giáo dục và Thời đại", "Báo Dân Trí", "Báo Pháp Luật TP.HCM", None]  # fmt: skip
SCHOOLS = ["Trường THCS Nguyễn Du", "Trường THPT Lê Quý Đôn", "Trường Tiểu học Lê Lợi", "Trường THPT Marie Curie",
           "Trường THCS Trần Văn Ơn", "Trường Mầm non Hoa Sen", "Trường THPT Nguyễn Thị Minh Khai",
           "Trường Tiểu học Kim Đồng", "Trường THCS Võ Trường Toản", "Trường THPT Bùi Thị Xuân"]  # fmt: skip
SUBJECTS = {
    "policy_reform": ["chương trình giáo dục phổ thông 2018", "đổi mới phương pháp dạy học", "sách giáo khoa mới"],
    "ethics_school_safety": ["bạo lực học đường", "an toàn thực phẩm trong bữa ăn bán trú", "tư vấn tâm lý học sinh"],
    "education_quality": ["kỳ thi tuyển sinh lớp 10", "kết quả kỳ thi tốt nghiệp THPT", "dạy thêm, học thêm"],
    "teachers_managers": ["tuyển dụng giáo viên", "chế độ phụ cấp nhà giáo", "bổ nhiệm cán bộ quản lý"],
    "facilities_finance_tuition": ["học phí năm học 2026–2027", "các khoản thu đầu năm học", "sửa chữa phòng học"],
    "admin_reform_online_services": ["tuyển sinh trực tuyến", "cấp bản sao văn bằng", "dịch vụ công trực tuyến"],
    "digital_transformation": ["sổ liên lạc điện tử", "học bạ số", "cơ sở dữ liệu ngành giáo dục"],
    "other": ["hoạt động ngoại khóa", "phong trào thi đua", "công tác phổ cập giáo dục"],
}
SENTENCES = [
    "Ngay khi nhận được thông tin, Sở Giáo dục và Đào tạo đã chỉ đạo {unit} phối hợp với {school} kiểm tra, xác minh.",
    "Qua làm việc, nhà trường đã báo cáo đầy đủ về {subject} và cam kết thực hiện đúng quy định hiện hành.",
    "Sở yêu cầu các cơ sở giáo dục công khai thông tin về {subject} để phụ huynh và học sinh được biết.",
    "Trường hợp phát hiện sai phạm, Sở sẽ xử lý nghiêm theo quy định và thông tin kịp thời đến báo chí.",
    "Sở ghi nhận phản ánh của {outlet} và cảm ơn cơ quan báo chí đã đồng hành cùng ngành giáo dục.",
    "Các đơn vị liên quan tiếp tục theo dõi, báo cáo kết quả khắc phục trước ngày {day}.",
    "Mọi thông tin chính thức về {subject} được đăng tải trên Cổng thông tin điện tử của Sở.",
]
UNITS = ["Phòng Giáo dục Trung học", "Phòng Giáo dục Tiểu học", "Phòng Kế hoạch - Tài chính", "Thanh tra Sở",
         "Phòng Tổ chức cán bộ", "Phòng Giáo dục Mầm non"]  # fmt: skip


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# --- the data -----------------------------------------------------------------------------------------------


def create_database(postgres: str | None, folder: Path) -> tuple[str, Callable[[], None]]:
    if postgres is None:
        return f"sqlite:///{folder}/bench.db", lambda: None
    admin = make_engine(normalize_url(postgres)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    url = make_url(normalize_url(postgres)).set(database=BENCH_DB).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def notice_text(rng: random.Random, topic: str, outlet: str | None) -> tuple[str, str]:
    subject = rng.choice(SUBJECTS[topic])
    school = rng.choice(SCHOOLS)
    title = f"Thông tin về {subject} tại {school}"
    day = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2026"
    paragraphs = []
    for _ in range(rng.randint(3, 5)):
        sentences = rng.sample(SENTENCES, 3)
        paragraphs.append(" ".join(s.format(unit=rng.choice(UNITS), school=school, subject=subject,
                                            outlet=outlet or "dư luận", day=day) for s in sentences))  # fmt: skip
    return title, "\n\n".join(paragraphs)


def load(engine: Engine, count: int, chunk: int = 5000) -> None:
    """``count`` published notices (one case and one statement each; one shared version and approval, which the
    public side never reads), numbered TC/TB per year like the real ones, one every ~5 minutes before NOW."""
    meta = __import__("sqlmodel").SQLModel.metadata
    user, case, statement = meta.tables["user"], meta.tables["case"], meta.tables["statement"]
    version, approval, notice = (
        meta.tables["statement_version"],
        meta.tables["statement_approval"],
        meta.tables["notice"],
    )
    rng = random.Random(20261127)
    with engine.begin() as conn:
        conn.execute(insert(user).values(id=1, username="director", full_name="Đặng Quốc Hưng", title="Giám đốc Sở",
                                         email="giamdoc@sgddt.example.gov.vn", phone="028 3829 1000", locale="vi",
                                         password_hash="!", active=True, created_at=NOW))  # fmt: skip
        conn.execute(insert(meta.tables["role_assignment"]).values(user_id=1, role="director", unit_id=None))
        conn.execute(insert(case).values(id=1, reference="VV-2000-00000", ref_year=2000, ref_seq=0, title="-",
                                         summary="", source_kind="press_article", topic="other", severity="routine",
                                         received_at=NOW, status="published", status_changed_at=NOW, created_at=NOW,
                                         updated_at=NOW, search_text=""))  # fmt: skip
        conn.execute(insert(statement).values(id=1, case_id=1, kind="response", status="published",
                                              current_version=1, withdraw=False, created_at=NOW, created_by_id=1,
                                              updated_at=NOW))  # fmt: skip
        conn.execute(insert(version).values(id=1, statement_id=1, number=1, title="-", text="-",
                                            text_sha256=text_digest("-"), author_id=1, created_at=NOW))  # fmt: skip
        conn.execute(insert(approval).values(
            id=1, statement_id=1, version_id=1, version_number=1, text_sha256=text_digest("-"), approver_id=1,
            approver_name="Đặng Quốc Hưng", approver_title="Giám đốc Sở", capacity="director",
            regime="decree-244-2026", checklist={}, approved_at=NOW))  # fmt: skip
    seqs: dict[tuple[int, str], int] = {}
    started = time.perf_counter()
    for first in range(0, count, chunk):
        cases, statements, notices = [], [], []
        for i in range(first, min(first + chunk, count)):
            ident = i + 2
            at = NOW - timedelta(minutes=5 * (count - i))
            local_year = (at + timedelta(hours=7)).year
            topic = TOPICS[i % len(TOPICS)]
            outlet = OUTLETS[i % len(OUTLETS)]
            kind = "response" if i % 3 else ("initial_information" if i % 2 else "rebuttal")
            ntype = "TB" if kind == "response" else "TC"
            seqs[(local_year, ntype)] = seq = seqs.get((local_year, ntype), 0) + 1
            number = f"{seq}/{ntype}-SGDĐT"
            title, body = notice_text(rng, topic, outlet)
            reference = f"VV-{local_year}-{i + 1:06d}"
            cases.append({"id": ident, "reference": reference, "ref_year": local_year, "ref_seq": i + 1,
                          "title": title, "summary": "", "source_kind": "press_article", "topic": topic,
                          "severity": "routine", "outlet": outlet, "received_at": at, "status": "published",
                          "status_changed_at": at, "created_at": at, "updated_at": at,
                          "search_text": fold(title)})  # fmt: skip
            statements.append({"id": ident, "case_id": ident, "kind": kind, "status": "published",
                               "current_version": 1, "withdraw": False, "created_at": at, "created_by_id": 1,
                               "updated_at": at})  # fmt: skip
            notices.append({
                "statement_id": ident, "case_id": ident, "version_id": 1, "approval_id": 1, "notice_type": ntype,
                "year": local_year, "seq": seq, "number": number, "slug": f"{local_year}-{ntype.lower()}-{seq}",
                "kind": kind, "title": title, "text": body, "text_sha256": text_digest(body), "published_at": at,
                "issued_at": at, "issued_by_id": 1, "spokesperson_name": "Võ Thanh Bình",
                "spokesperson_title": "Chánh Văn phòng Sở", "spokesperson_capacity": "standing_spokesperson",
                "case_reference": reference, "topic": topic, "outlet": outlet, "withdraws": False,
                "search_text": fold(" ".join(p for p in (number, title, body, outlet or "", reference) if p)),
            })  # fmt: skip
        with engine.begin() as conn:
            conn.execute(insert(case), cases)
            conn.execute(insert(statement), statements)
            conn.execute(insert(notice), notices)
        out(f"  loaded {min(first + chunk, count):,} notices ({time.perf_counter() - started:.0f} s)")
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("case", "statement", "notice"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                  f"(SELECT max(id) FROM \"{table}\"))"))  # fmt: skip
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))


# --- the servers --------------------------------------------------------------------------------------------


class Server:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.name, self.port = name, port
        self.log = log.open("wb")
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log, stderr=self.log, cwd=ROOT,
                                     start_new_session=True)  # fmt: skip

    def wait(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}{path}", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer on port {self.port}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


# --- wrk ----------------------------------------------------------------------------------------------------


def wrk(url: str, *, threads: int, connections: int, duration: str, script: Path | None = None) -> dict[str, Any]:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency"]
    if script is not None:
        argv += ["-s", str(script)]
    output = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: (.*)", output)
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,  # type: ignore[union-attr]
            "non_2xx_3xx": int(errors.group(1)) if errors else 0, "socket_errors": socket.group(1) if socket else "",
            "raw": output}  # fmt: skip


def wait_for_quiet(threshold: float, limit: float) -> float:
    """Wait (at most ``limit`` seconds) for the machine's 1-minute load average to fall below ``threshold``."""
    started = time.monotonic()
    while float(Path("/proc/loadavg").read_text().split()[0]) >= threshold and time.monotonic() - started < limit:
        time.sleep(5)
    return time.monotonic() - started


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cold(base: str, paths: Iterator[str], n: int) -> tuple[float, float]:
    """Median and 95th percentile (ms) of n sequential cache misses."""
    times = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(n):
            path = next(paths)
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


# --- the run ------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (the script makes and drops its own database)")
    parser.add_argument("--notices", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes, for both servers")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections")
    parser.add_argument("--duration", default="5s", help="wrk duration of each run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (ceiling, measure) pairs per measure")
    parser.add_argument(
        "--quiet-load",
        type=float,
        default=1.0,
        help="before measuring, wait until the 1-minute load average is below this",
    )
    parser.add_argument("--quiet-wait", type=float, default=300, help="… but at most this many seconds")
    parser.add_argument("--port", type=int, default=8300, help="the service's port; the ceiling's is port + 1")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (Debian package 'wrk')")

    folder = Path(tempfile.mkdtemp(prefix="crisisdesk-bench-public-"))
    url, drop = create_database(args.postgres, folder)
    servers: list[Server] = []
    try:
        label = "PostgreSQL" if args.postgres else "SQLite"
        out(f"# public read benchmark: {label}, {args.notices:,} notices, {args.workers} worker(s)")
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        load(engine, args.notices)
        engine.dispose()
        out(f"loaded in {time.perf_counter() - started:.0f} s")

        env = {**os.environ, "CRISISDESK_DATABASE_URL": url, "CRISISDESK_RATE_LIMIT_ENABLED": "false",
               "CRISISDESK_ENVIRONMENT": "production", "CRISISDESK_SECRET_KEY": secrets.token_urlsafe(32),
               "CRISISDESK_LOG_LEVEL": "INFO", "CRISISDESK_LOG_FORMAT": "json"}  # fmt: skip
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        service = Server("service", [str(BIN / "crisisdesk"), "serve", "--host", "127.0.0.1", "--port",
                                     str(args.port), "--workers", str(args.workers)], env, args.port,
                         folder / "service.log")  # fmt: skip
        servers.append(service)
        ceiling = Server("ceiling", [str(BIN / "uvicorn"), "bench.ceiling_app:app", "--host", "127.0.0.1", "--port",
                                     str(args.port + 1), "--workers", str(args.workers), "--no-access-log",
                                     "--log-level", "warning"], env, args.port + 1, folder / "ceiling.log")  # fmt: skip
        servers.append(ceiling)
        service.wait("/healthz")
        ceiling.wait("/")

        base = f"http://127.0.0.1:{args.port}"
        mid = args.notices // 2
        probe = httpx.get(f"{base}/api/public/v1/notices", params={"limit": 1, "q": "", "kind": "response"}).json()
        number = probe["items"][0]["number"] if probe["items"] else f"{mid}/TB-SGDĐT"
        targets = {
            "ceiling": f"http://127.0.0.1:{args.port + 1}/",
            "one notice by number": f"{base}/api/public/v1/notices/{quote(number, safe='')}",
            "304 revalidation": f"{base}/api/public/v1/notices/{quote(number, safe='')}",
            "first page of the list": f"{base}/api/public/v1/notices",
            "search": f"{base}/api/public/v1/notices?q={quote('học phí')}",
        }
        for name, target in targets.items():
            response = httpx.get(target)
            assert response.status_code == 200, (name, response.status_code, response.text[:200])
        etag = httpx.get(targets["304 revalidation"]).headers["etag"]
        assert httpx.get(targets["304 revalidation"], headers={"If-None-Match": etag}).status_code == 304
        lua = folder / "revalidate.lua"
        lua.write_text(f"wrk.headers[\"If-None-Match\"] = '{etag}'\n")
        out(f"notice: {number}; search: 'học phí' → {len(httpx.get(targets['search']).json()['items'])} on page 1")

        settings = {"threads": args.threads, "connections": args.connections, "duration": args.duration}
        order = ["one notice by number", "304 revalidation", "first page of the list", "search"]
        for target in (targets["ceiling"], targets["first page of the list"]):  # warm-up, not measured
            wrk(target, threads=args.threads, connections=args.connections, duration="3s")
        waited = wait_for_quiet(args.quiet_load, args.quiet_wait)
        load_before = load_average()
        rounds: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {name: [] for name in order}
        for round_no in range(1, args.rounds + 1):
            for name in order:  # each measure right after a ceiling run: the two see the same machine
                script = lua if name == "304 revalidation" else None
                pair = (wrk(targets["ceiling"], **settings), wrk(targets[name], script=script, **settings))
                rounds[name].append(pair)
                out(f"  round {round_no}: ceiling {pair[0]['rps']:>8,.0f} req/s p99 {pair[0]['p99_ms']:>7.2f} ms | "
                    f"{name:<24} {pair[1]['rps']:>8,.0f} req/s p99 {pair[1]['p99_ms']:>7.2f} ms")  # fmt: skip
        load_after = load_average()

        misses = iter(f"/api/public/v1/notices?cold={i}" for i in range(10_000))
        words = iter(f"/api/public/v1/notices?q={quote(w)}" for w in
                     [f"{s} {t}" for s in ("học", "trường", "thông tin", "giáo viên", "kỳ thi") for t in
                      ("phí", "bạo lực", "tuyển sinh", "sửa chữa", "học bạ", "phụ cấp", "ngoại khóa", "sách")]
                     + [f"trường {i}" for i in range(200)])  # fmt: skip
        cold_list = cold(base, misses, 30)
        cold_search = cold(base, words, 30)
        step = max(1, args.notices // 200)
        cold_notice = cold(base, iter(f"/api/public/v1/notices/{n}%2FTB-SGD%C4%90T" for n in range(1, 10**9, step)), 30)

        targets_ratio = {"one notice by number": 0.6, "304 revalidation": 0.8, "first page of the list": 0.4,
                         "search": 0.4}  # fmt: skip
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "?")  # fmt: skip
        out()
        out(f"{label}, {args.notices:,} notices; uvicorn workers: {args.workers}; wrk -t{args.threads} "
            f"-c{args.connections} -d{args.duration}, {args.rounds} rounds; nproc {os.cpu_count()}; "
            f"CPU {cpu}")  # fmt: skip
        out(f"load average before the measures: {load_before} (waited {waited:.0f} s for it); after: {load_after}")
        out()
        out("| measure | req/s | p99 | ceiling (paired runs): req/s, p99 | ratio to the ceiling | rounds' ratios | "
            "target | met |")  # fmt: skip
        out("|---|---:|---:|---:|---:|---|---:|---|")
        summary: dict[str, dict[str, Any]] = {}
        for name in order:
            pairs = rounds[name]
            ratios = [m["rps"] / c["rps"] for c, m in pairs]
            ratio = statistics.median(ratios)
            rps, c_rps = statistics.median(m["rps"] for _, m in pairs), statistics.median(c["rps"] for c, _ in pairs)
            p99 = statistics.median(m["p99_ms"] for _, m in pairs)
            c_p99 = statistics.median(c["p99_ms"] for c, _ in pairs)
            goal = targets_ratio[name]
            summary[name] = {"rps": rps, "p99_ms": p99, "ceiling_rps": c_rps, "ceiling_p99_ms": c_p99,
                             "ratio": ratio, "ratios": ratios, "target": goal}  # fmt: skip
            met = "yes" if ratio >= goal else "**no**"
            each = ", ".join(f"{r:.0%}" for r in ratios)
            out(f"| {name} | {rps:,.0f} | {p99:.2f} ms | {c_rps:,.0f}, {c_p99:.2f} ms | {ratio:.0%} | {each} | "
                f"≥ {goal:.0%} | {met} |")  # fmt: skip
        out()
        out("Uncached (cache misses, sequential requests; median / p95):")
        out(f"- first page with a new query string: {cold_list[0]:.1f} / {cold_list[1]:.1f} ms")
        out(f"- a search for new words: {cold_search[0]:.1f} / {cold_search[1]:.1f} ms")
        out(f"- one notice not yet cached: {cold_notice[0]:.1f} / {cold_notice[1]:.1f} ms")
        bad = {k: (m["non_2xx_3xx"], m["socket_errors"]) for k, pairs in rounds.items() for _, m in pairs
               if m["non_2xx_3xx"]}  # fmt: skip
        if bad:
            out(f"WARNING: error responses: {bad}")
        if args.json:
            args.json.write_text(json.dumps({"database": label, "notices": args.notices, "workers": args.workers,
                                             "wrk": settings, "load_before": load_before, "load_after": load_after,
                                             "results": summary,
                                             "cold_ms": {"list": cold_list, "search": cold_search,
                                                         "notice": cold_notice}}, indent=2))  # fmt: skip
    finally:
        for server in servers:
            server.stop()
        drop()
        if args.keep:
            out(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
