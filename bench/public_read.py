"""Benchmark: the public read side under a crisis-day rush, as ratios to two ceilings.

One command per engine:

    .venv/bin/python bench/public_read.py --workers 1 2 --nginx             # SQLite file in a temporary folder
    .venv/bin/python bench/public_read.py --workers 1 2 --nginx \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

It loads N published notices (default 100,000; bulk Core inserts, realistic Vietnamese text, one case and one
statement each) into a fresh database (a SQLite file, or a PostgreSQL database it creates and drops), then, for each
worker count and (``--nginx``) for three processes behind nginx, starts the service the way production does
(``crisisdesk serve``, rate limits off, JSON access log on, written to a file) and beside it two ceilings under the
same uvicorn with the same worker count:

- the framework's ceiling, a bare async FastAPI endpoint returning a small constant JSON document
  (``bench/ceiling_app.py``);
- the raw ceiling, a bare ASGI callable returning constant bytes (``bench/raw_ceiling_app.py``): what uvicorn
  itself costs, the fastest anything can answer through it.

Behind nginx each set is three single-worker processes behind its own nginx, configured from the deployment's
template (``deploy/nginx.conf.template``, filled by ``deploy/nginx.py``: the same file compose.yaml and the
topology test use), and the ceilings are asked for the measure's own path, so that nginx's micro-cache treats
both alike.

It drives each with ``wrk`` (Debian package: ``apt-get install wrk``) from the same machine, identical settings:

    one notice by number · a 304 revalidation (If-None-Match) · the first page of the list · a search that finds
    notices · a search that finds none · the Atom feed · a notice's HTML page · the HTML list page

in rounds (default 3), tightly paired: each run of a measure comes right after a run of each ceiling, so that the
three see the same minute of the machine, and the 1-minute load average is recorded with each triple. It prints
requests/second, p99 latency and the ratios to both ceilings (the median of the rounds' paired ratios) as a
Markdown table per topology; served directly, also the CPU time (user + system, the process and its workers) the
service and the raw ceiling spend per request during their runs, and its ratio: what each answer costs the
process, which a loaded machine moves much less than it moves requests/second. By default it first waits (up to
5 minutes) for the load average to fall below 1; ``--no-wait`` measures on a shared, loaded machine as it is. It
also measures the uncached path (cache misses: a distinct query string each time) with sequential requests.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import os
import pwd
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
from dataclasses import dataclass, field
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


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants (uvicorn's workers)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        times[child] = (int(fields[11]) + int(fields[12])) / tick
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(times.get(p, 0.0) for p in tree)


def wrk_cpu(url: str, pid: int | None, **settings: Any) -> dict[str, Any]:
    """``wrk`` and, served directly (``pid``: the server's process), the server's CPU µs per request: what it
    costs the process whatever else the machine runs (a shared machine's load moves req/s much more)."""
    before = tree_cpu(pid) if pid is not None else 0.0
    result = wrk(url, **settings)
    if pid is not None:
        requests = re.search(r"(\d+) requests in", result["raw"])
        count = int(requests.group(1)) if requests else 0
        result["cpu_us"] = (tree_cpu(pid) - before) / count * 1e6 if count else None
    return result


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


# --- the topologies -----------------------------------------------------------------------------------------

# Every public read, in the order measured. The first four are issue 5's (with their targets against the FastAPI
# ceiling); issue 17 asks each of the eight for ≥ 90 % of the raw ASGI ceiling.
MEASURES = ["one notice by number", "304 revalidation", "first page of the list", "search (hit)", "search (miss)",
            "Atom feed", "HTML notice page", "HTML list page"]  # fmt: skip
FASTAPI_TARGETS = {"one notice by number": 0.6, "304 revalidation": 0.8, "first page of the list": 0.4,
                   "search (hit)": 0.4}  # fmt: skip
RAW_TARGET = 0.9
SEARCH_HIT, SEARCH_MISS = "học phí", "khủng long bạo chúa"


@dataclass
class Topology:
    """One way of serving: ``crisisdesk serve --workers W`` beside its two ceilings (same uvicorn, same worker
    count), or three single-worker processes of each behind nginx (one nginx per set, the same template)."""

    name: str
    service: str  # base URL
    fastapi: str
    raw: str
    via_nginx: bool
    servers: list[Server] = field(default_factory=list)
    number: str = ""  # the notice measured (its number and slug)
    slug: str = ""

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()


Prepare = Callable[["Topology", str], dict[str, str]]


def uvicorn_argv(module: str, port: int, workers: int) -> list[str]:
    return [str(BIN / "uvicorn"), module, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--no-access-log", "--log-level", "warning"]  # fmt: skip


def serve_argv(port: int, workers: int) -> list[str]:
    return [str(BIN / "crisisdesk"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]


def start_direct(workers: int, port: int, env: dict[str, str], folder: Path, prepare: Prepare) -> Topology:
    top = Topology(f"{workers} worker{'s' if workers > 1 else ''}", f"http://127.0.0.1:{port}",
                   f"http://127.0.0.1:{port + 1}", f"http://127.0.0.1:{port + 2}", via_nginx=False)  # fmt: skip
    try:
        top.servers += [
            Server("service", serve_argv(port, workers), env, port, folder / f"service-w{workers}.log"),
            Server("ceiling", uvicorn_argv("bench.ceiling_app:app", port + 1, workers), env, port + 1,
                   folder / f"ceiling-w{workers}.log"),
        ]  # fmt: skip
        top.servers[0].wait("/healthz")
        top.servers[1].wait("/")
        raw_env = prepare(top, top.service)
        top.servers.append(Server("raw ceiling", uvicorn_argv("bench.raw_ceiling_app:app", port + 2, workers),
                                  raw_env, port + 2, folder / f"raw-w{workers}.log"))  # fmt: skip
        top.servers[2].wait("/")
    except BaseException:
        top.stop()
        raise
    return top


def load_nginx_template(deploy: Path) -> Callable[[dict[str, str]], str]:
    """The deployment's own nginx template, filled by the deployment's own helper (``deploy/nginx.py``): the bench
    measures the configuration compose.yaml and the topology test run, not a copy of it."""
    spec = importlib.util.spec_from_file_location("crisisdesk_deploy_nginx", deploy / "nginx.py")
    if spec is None or spec.loader is None or not (deploy / "nginx.conf.template").exists():
        raise SystemExit(f"no nginx template in {deploy} (deploy/nginx.conf.template and deploy/nginx.py)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (deploy / "nginx.conf.template").read_text()
    return lambda values: str(module.fill(text, values))


def start_nginx(port: int, env: dict[str, str], folder: Path, deploy: Path, prepare: Prepare) -> Topology:
    """Three single-worker processes of each server, each set behind its own nginx (ports port+10, +11, +12)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    fill = load_nginx_template(deploy)
    service_env = {**env, "CRISISDESK_TRUSTED_PROXIES": "127.0.0.1/32"}
    top = Topology("3 processes behind nginx", f"http://127.0.0.1:{port + 10}", f"http://127.0.0.1:{port + 11}",
                   f"http://127.0.0.1:{port + 12}", via_nginx=True)  # fmt: skip
    try:
        sets = {"service": (0, lambda p: serve_argv(p, 1), "/healthz", service_env),
                "ceiling": (3, lambda p: uvicorn_argv("bench.ceiling_app:app", p, 1), "/", env),
                "raw": (6, lambda p: uvicorn_argv("bench.raw_ceiling_app:app", p, 1), "/", env)}  # fmt: skip
        for index, (name, (offset, argv, health, set_env)) in enumerate(sets.items()):
            if name == "raw":  # the raw ceilings answer with the bytes an upstream service answers
                set_env = prepare(top, f"http://127.0.0.1:{port}")
            ports = [port + offset + i for i in range(3)]
            for p in ports:
                top.servers.append(Server(f"{name}:{p}", argv(p), set_env, p, folder / f"{name}-{p}.log"))
            for server in top.servers[-3:]:
                server.wait(health)
            run = folder / f"nginx-{name}"
            run.mkdir()
            conf = run / "nginx.conf"
            conf.write_text(fill({
                "NGINX_USER": pwd.getpwuid(os.getuid()).pw_name, "NGINX_LISTEN": f"127.0.0.1:{port + 10 + index}",
                "NGINX_RUN_DIR": str(run), "NGINX_ACCESS_LOG": str(run / "access.log"),
                **{f"CRISISDESK_WEB_{i + 1}": f"127.0.0.1:{p}" for i, p in enumerate(ports)},
            }))  # fmt: skip
            server = Server(f"nginx ({name})", [nginx, "-p", str(run), "-c", str(conf), "-g", "daemon off;"], env,
                            port + 10 + index, run / "nginx.log")  # fmt: skip
            top.servers.append(server)
            server.wait("/nginx-health")
    except BaseException:
        top.stop()
        raise
    return top


def measure_urls(number: str, slug: str) -> dict[str, str]:
    api = "/api/public/v1"
    encoded = quote(number, safe="")
    return {
        "one notice by number": f"{api}/notices/{encoded}",
        "304 revalidation": f"{api}/notices/{encoded}",
        "first page of the list": f"{api}/notices",
        "search (hit)": f"{api}/notices?q={quote(SEARCH_HIT)}",
        "search (miss)": f"{api}/notices?q={quote(SEARCH_MISS)}",
        "Atom feed": f"{api}/notices.atom",
        "HTML notice page": f"/notices/{slug}",
        "HTML list page": "/notices",
    }


def run_topology(top: Topology, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    paths = measure_urls(top.number, top.slug)
    for name, path in paths.items():
        response = httpx.get(top.service + path)
        assert response.status_code == 200, (top.name, name, response.status_code, response.text[:200])
    assert httpx.get(top.service + paths["search (miss)"]).json()["items"] == [], "the search miss found notices"
    etag = httpx.get(top.service + paths["304 revalidation"]).headers["etag"]
    revalidated = httpx.get(top.service + paths["304 revalidation"], headers={"If-None-Match": etag})
    assert revalidated.status_code == 304, revalidated.status_code
    lua = folder / "revalidate.lua"
    lua.write_text(f"wrk.headers[\"If-None-Match\"] = '{etag}'\n")

    def ceiling_url(base: str, path: str) -> str:
        # The ceilings are asked for the measure's own path: the raw one answers it with the service's own bytes,
        # and behind nginx the micro-cache treats the three alike.
        return base + path

    settings = {"threads": args.threads, "connections": args.connections, "duration": args.duration}
    for url in (ceiling_url(top.fastapi, "/"), ceiling_url(top.raw, "/"), top.service + paths["HTML list page"]):
        wrk(url, threads=args.threads, connections=args.connections, duration="2s")  # warm-up, not measured
    waited = 0.0 if args.no_wait else wait_for_quiet(args.quiet_load, args.quiet_wait)
    load_before = load_average()
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in MEASURES}
    for round_no in range(1, args.rounds + 1):
        for name in MEASURES:  # tightly paired: both ceilings, then the measure, on the same minute of the machine
            path = paths[name]
            load = float(load_average().split()[0])
            script = lua if name == "304 revalidation" else None
            pids = [None if top.via_nginx else server.proc.pid for server in top.servers]
            fastapi = wrk_cpu(ceiling_url(top.fastapi, path), pids[1], script=script, **settings)
            raw = wrk_cpu(ceiling_url(top.raw, path), pids[2], script=script, **settings)
            measured = wrk_cpu(top.service + path, pids[0], script=script, **settings)
            rounds[name].append({"load": load, "fastapi": fastapi, "raw": raw, "measure": measured})
            out(f"  {top.name} round {round_no} (load {load:5.2f}): FastAPI {fastapi['rps']:>7,.0f} | raw "
                f"{raw['rps']:>7,.0f} | {name:<22} {measured['rps']:>7,.0f} req/s p99 {measured['p99_ms']:>7.2f} ms "
                f"→ {measured['rps'] / raw['rps']:.0%} of raw")  # fmt: skip
    load_after = load_average()

    out()
    out(f"**{top.name}** — load average before the measures {load_before} (waited {waited:.0f} s), after "
        f"{load_after}; wrk -t{args.threads} -c{args.connections} -d{args.duration}, {args.rounds} rounds")  # fmt: skip
    out()
    cpu = not top.via_nginx
    cpu_columns = " CPU µs/request: service, raw | CPU ratio |" if cpu else ""
    out("| measure | req/s | p99 | FastAPI ceiling req/s | ratio | raw ceiling req/s | ratio | rounds' ratios to raw "
        f"| load (1 min) | ≥ 90 % of raw |{cpu_columns}")  # fmt: skip
    out("|---|---:|---:|---:|---:|---:|---:|---|---|---|" + ("---:|---:|" if cpu else ""))
    summary: dict[str, Any] = {}
    for name in MEASURES:
        runs = rounds[name]
        to_raw = [r["measure"]["rps"] / r["raw"]["rps"] for r in runs]
        to_fastapi = [r["measure"]["rps"] / r["fastapi"]["rps"] for r in runs]
        med = {k: statistics.median(r[k]["rps"] for r in runs) for k in ("measure", "fastapi", "raw")}
        p99 = statistics.median(r["measure"]["p99_ms"] for r in runs)
        loads = [r["load"] for r in runs]
        ratio_raw, ratio_fastapi = statistics.median(to_raw), statistics.median(to_fastapi)
        errors = sum(r["measure"]["non_2xx_3xx"] for r in runs)
        summary[name] = {"rps": med["measure"], "p99_ms": p99, "fastapi_rps": med["fastapi"], "raw_rps": med["raw"],
                         "ratio_fastapi": ratio_fastapi, "ratio_raw": ratio_raw, "ratios_raw": to_raw,
                         "ratios_fastapi": to_fastapi, "loads": loads, "errors": errors}  # fmt: skip
        met = "yes" if ratio_raw >= RAW_TARGET else "**no**"
        each = ", ".join(f"{r:.0%}" for r in to_raw)
        extra = ""
        if cpu and all(r[k].get("cpu_us") for r in runs for k in ("measure", "raw")):
            cpu_service = statistics.median(r["measure"]["cpu_us"] for r in runs)
            cpu_raw = statistics.median(r["raw"]["cpu_us"] for r in runs)
            summary_cpu = {"cpu_us": cpu_service, "raw_cpu_us": cpu_raw}
            extra = f" {cpu_service:.1f}, {cpu_raw:.1f} | {cpu_raw / cpu_service:.0%} |"
        else:
            summary_cpu = {}
        summary[name].update(summary_cpu)
        loads_seen = f"{min(loads):.1f}–{max(loads):.1f}"
        out(f"| {name} | {med['measure']:,.0f} | {p99:.2f} ms | {med['fastapi']:,.0f} | {ratio_fastapi:.0%} | "
            f"{med['raw']:,.0f} | {ratio_raw:.0%} | {each} | {loads_seen} | {met} |{extra}")  # fmt: skip
    bad = {name: s["errors"] for name, s in summary.items() if s["errors"]}
    if bad:
        out(f"WARNING: non-2xx/3xx responses: {bad}")
    return {"topology": top.name, "load_before": load_before, "load_after": load_after, "waited_s": waited,
            "results": summary}  # fmt: skip


# --- the run ------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (the script makes and drops its own database)")
    parser.add_argument("--notices", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1],
                        help="uvicorn worker counts to measure, one after the other (e.g. 1 2)")  # fmt: skip
    parser.add_argument("--nginx", action="store_true",
                        help="also measure 3 single-worker processes of each server behind nginx")  # fmt: skip
    parser.add_argument(
        "--nginx-deploy",
        type=Path,
        default=ROOT / "deploy",
        help="the folder with nginx.conf.template and nginx.py (default: the repository's deploy/)",
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections")
    parser.add_argument("--duration", default="5s", help="wrk duration of each run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (ceilings, measure) runs per measure")
    parser.add_argument("--quiet-load", type=float, default=1.0,
                        help="before measuring, wait until the 1-minute load average is below this")  # fmt: skip
    parser.add_argument("--quiet-wait", type=float, default=300, help="… but at most this many seconds")
    parser.add_argument("--no-wait", action="store_true",
                        help="do not wait for a quiet machine (a shared one): the pairing and the load average "
                             "recorded with each figure are then what makes the ratios readable")  # fmt: skip
    parser.add_argument(
        "--port",
        type=int,
        default=8300,
        help="the service's port; the ceilings' are port + 1 and + 2 (nginx: port … port + 12)",
    )
    parser.add_argument(
        "--raw-small",
        action="store_true",
        help="the raw ceiling answers a small constant document (default: each measure's own bytes)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: `apt-get install wrk` (Debian package 'wrk')")
    if args.nginx and shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        raise SystemExit("--nginx needs nginx: `apt-get install nginx-light` (or 'nginx')")

    folder = Path(tempfile.mkdtemp(prefix="crisisdesk-bench-public-"))
    url, drop = create_database(args.postgres, folder)
    topologies: list[Topology] = []
    try:
        label = "PostgreSQL" if args.postgres else "SQLite"
        out(f"# public read benchmark: {label}, {args.notices:,} notices, workers {args.workers}"
            f"{' and 3 behind nginx' if args.nginx else ''}")  # fmt: skip
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
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "?")  # fmt: skip
        out(f"{label}, {args.notices:,} notices; nproc {os.cpu_count()}; CPU {cpu}")
        results: list[dict[str, Any]] = []
        cold_ms: dict[str, tuple[float, float]] = {}

        def prepare(top: Topology, service: str) -> dict[str, str]:
            """The notice to measure, and the raw ceiling's environment: the service's own answers to copy."""
            probe = httpx.get(f"{service}/api/public/v1/notices", params={"limit": 1, "kind": "response"}).json()
            top.number, top.slug = probe["items"][0]["number"], probe["items"][0]["slug"]
            if args.raw_small:
                return env
            answers = folder / f"answers-{top.name.replace(' ', '-')}.json"
            record_answers(service, measure_urls(top.number, top.slug), answers)
            return {**env, "RAW_CEILING_RESPONSES": str(answers)}

        plan: list[Callable[[], Topology]] = [
            (lambda w=w: start_direct(w, args.port, env, folder, prepare))  # type: ignore[misc]
            for w in args.workers
        ]
        if args.nginx:
            plan.append(lambda: start_nginx(args.port, env, folder, args.nginx_deploy, prepare))
        for start in plan:
            top = start()
            topologies.append(top)
            results.append(run_topology(top, args, folder))
            if not cold_ms and not top.via_nginx:
                cold_ms = measure_cold(top.service, args.notices)
            top.stop()
            topologies.remove(top)
        if cold_ms:
            out()
            out("Uncached (cache misses, sequential requests; median / p95):")
            out(f"- first page with a new query string: {cold_ms['list'][0]:.1f} / {cold_ms['list'][1]:.1f} ms")
            out(f"- a search for new words: {cold_ms['search'][0]:.1f} / {cold_ms['search'][1]:.1f} ms")
            out(f"- one notice not yet cached: {cold_ms['notice'][0]:.1f} / {cold_ms['notice'][1]:.1f} ms")
        if args.json:
            args.json.write_text(json.dumps({"database": label, "notices": args.notices, "cpu": cpu,
                                             "topologies": results, "cold_ms": cold_ms}, indent=2))  # fmt: skip
    finally:
        for top in topologies:
            top.stop()
        drop()
        if args.keep:
            out(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def record_answers(service: str, paths: dict[str, str], file: Path) -> None:
    """The service's answers (status, headers, body) to each measure, for the raw ceiling to send as they are."""
    answers: dict[str, Any] = {}
    with httpx.Client(base_url=service, timeout=60) as client:
        for name, path in paths.items():
            first = client.get(path)
            key, response = path, first
            if name == "304 revalidation":
                key = f"{path} If-None-Match"
                response = client.get(path, headers={"If-None-Match": first.headers["etag"]})
            answers[key] = [response.status_code,
                            [[k.decode("latin-1"), v.decode("latin-1")] for k, v in response.headers.raw],
                            base64.b64encode(response.content).decode()]  # fmt: skip
    file.write_text(json.dumps(answers))


def measure_cold(base: str, notices: int) -> dict[str, tuple[float, float]]:
    misses = iter(f"/api/public/v1/notices?cold={i}" for i in range(10_000))
    words = iter(f"/api/public/v1/notices?q={quote(w)}" for w in
                 [f"{s} {t}" for s in ("học", "trường", "thông tin", "giáo viên", "kỳ thi") for t in
                  ("phí", "bạo lực", "tuyển sinh", "sửa chữa", "học bạ", "phụ cấp", "ngoại khóa", "sách")]
                 + [f"trường {i}" for i in range(200)])  # fmt: skip
    step = max(1, notices // 200)
    return {
        "list": cold(base, misses, 30),
        "search": cold(base, words, 30),
        "notice": cold(base, iter(f"/api/public/v1/notices/{n}%2FTB-SGD%C4%90T" for n in range(1, 10**9, step)), 30),
    }


if __name__ == "__main__":
    main()
