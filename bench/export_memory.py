"""Benchmark: exporting the case list (CSV and XLSX) keeps the server's memory flat, whatever the number of rows.

For each size (default 10,000 and 100,000 cases) it builds a fresh database (a SQLite file, or a PostgreSQL
database next to the one given with --database-url), bulk-loads the cases (Core inserts, not the HTTP API),
starts `crisisdesk serve` (one process), streams GET /api/v1/cases/export.csv and /export.xlsx as the press
office, and samples the server's resident memory (RSS, psutil) every 20 ms. It prints one Markdown table.

    .venv/bin/python bench/export_memory.py                       # SQLite, 10k and 100k rows
    .venv/bin/python bench/export_memory.py --rows 100000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres   # PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.models import TokenKind  # noqa: E402
from app.auth.permissions import Role  # noqa: E402
from app.auth.service import issue_token, password_hasher  # noqa: E402
from app.cases.models import Case, CaseSupportingUnit, CaseTag  # noqa: E402
from app.cases.vocabulary import Severity, SourceKind, Topic  # noqa: E402
from app.cases.workflow import CaseStatus  # noqa: E402
from app.counters import SequenceCounter  # noqa: E402
from app.db import make_engine, normalize_url  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.org.models import GrantIn, Unit, UnitKind, UserCreate  # noqa: E402
from app.org.service import create_user  # noqa: E402

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
UNITS = [
    ("VP", "Văn phòng Sở", UnitKind.OFFICE),
    ("GDTrH", "Phòng Giáo dục Trung học", UnitKind.DIVISION),
    ("GDTH", "Phòng Giáo dục Tiểu học", UnitKind.DIVISION),
    ("GDMN", "Phòng Giáo dục Mầm non", UnitKind.DIVISION),
    ("TCCB", "Phòng Tổ chức cán bộ", UnitKind.DIVISION),
    ("KHTC", "Phòng Kế hoạch - Tài chính", UnitKind.DIVISION),
    ("TTr", "Thanh tra Sở", UnitKind.INSPECTORATE),
]
TITLES = [
    "Phụ huynh phản ánh thu học phí vượt quy định tại trường",
    "Clip học sinh bị bắt nạt lan truyền trên mạng xã hội",
    "Báo đăng bài về sai sót trong đề thi tuyển sinh lớp 10",
    "Giáo viên bị tố cáo ép học thêm",
    "Trường học xuống cấp, mái phòng học bị dột",
]
SUMMARY = (
    "Nội dung phản ánh được tiếp nhận qua đường dây nóng và các trang mạng xã hội; đơn vị chủ trì cần xác minh, "
    "báo cáo sự việc và đề xuất nội dung trả lời báo chí theo quy chế phát ngôn của Sở. "
) * 2


@dataclass
class Result:
    rows: int
    fmt: str
    size: int
    seconds: float
    first_byte: float
    baseline_mb: float
    peak_mb: float


def create_database(base_url: str | None, name: str, workdir: Path) -> str:
    if base_url is None:
        return f"sqlite:///{workdir / (name + '.db')}"
    admin = make_engine(base_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(normalize_url(base_url)).set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str | None, name: str) -> None:
    if base_url is None:
        return
    admin = make_engine(base_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def load(url: str, rows: int) -> str:
    """The units, one press officer (with an API token, returned), and ``rows`` cases bulk-inserted."""
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(42)
    with Session(engine) as session:
        units = []
        for code, name, kind in UNITS:
            unit = Unit(code=code, name=name, kind=kind, created_at=NOW)
            session.add(unit)
            units.append(unit)
        session.flush()
        user = create_user(
            session,
            data=UserCreate(
                username="office",
                full_name="Nguyễn Thị Thu Hà",
                password="bench-password-123",
                roles=[GrantIn(role=Role.PRESS_OFFICER, unit="VP")],
            ),  # fmt: skip
            now=NOW,
            hasher=password_hasher(1, 1024),
            actor=None,
        )
        raw, _token = issue_token(session, user=user, kind=TokenKind.API, now=NOW, ttl=None, name="bench")
        session.commit()
        unit_ids = [u.id for u in units[1:]]
    statuses, severities, topics, sources = list(CaseStatus), list(Severity), list(Topic), list(SourceKind)
    batch = 5000
    with engine.begin() as conn:
        for start in range(0, rows, batch):
            cases, tags, supporting = [], [], []
            for i in range(start, min(start + batch, rows)):
                received = NOW - timedelta(minutes=7 * i + rng.randint(0, 5))
                ident = i + 1
                lead = rng.choice(unit_ids)
                cases.append(
                    {
                        "id": ident,
                        "reference": f"VV-2026-{ident:06d}",
                        "ref_year": 2026,
                        "ref_seq": ident,
                        "title": f"{rng.choice(TITLES)} ({ident})",
                        "summary": SUMMARY,
                        "source_kind": rng.choice(sources),
                        "topic": rng.choice(topics),
                        "severity": rng.choice(severities),
                        "outlet": "Báo Tuổi Trẻ" if i % 3 == 0 else None,
                        "reporter_name": "Lê Thị Mỹ Duyên" if i % 3 == 0 else None,
                        "received_at": received,
                        "lead_unit_id": lead,
                        "status": rng.choice(statuses),
                        "status_changed_at": received,
                        "created_at": received,
                        "updated_at": received,
                        "search_text": f"vv-2026-{ident:06d}",
                    }
                )
                if i % 3 == 0:
                    tags.append({"case_id": ident, "tag": "báo chí"})
                if i % 5 == 0:
                    supporting.append(
                        {
                            "case_id": ident,
                            "unit_id": rng.choice([u for u in unit_ids if u != lead]),
                            "received_at": received,
                        }
                    )
            conn.execute(insert(Case.__table__), cases)  # type: ignore[attr-defined]
            if tags:
                conn.execute(insert(CaseTag.__table__), tags)  # type: ignore[attr-defined]
            if supporting:
                conn.execute(insert(CaseSupportingUnit.__table__), supporting)  # type: ignore[attr-defined]
        conn.execute(insert(SequenceCounter.__table__).values(scope="case", year=2026, value=rows))  # type: ignore[attr-defined]
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('\"case\"', 'id'), :n)"), {"n": rows})
    engine.dispose()
    return raw


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0
        self.running = True

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "CRISISDESK_ENVIRONMENT": "test", "CRISISDESK_LOG_LEVEL": "WARNING"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def measure(port: int, token: str, rows: int, pid: int) -> list[Result]:
    headers = {"Authorization": f"Bearer {token}"}
    results = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=600) as client:
        client.get("/api/v1/cases?limit=5").raise_for_status()  # warm up: imports, caches, pool
        for fmt in ("csv", "xlsx"):
            sampler = Sampler(pid)
            baseline = sampler.rss()
            sampler.start()
            started = time.perf_counter()
            first_byte = 0.0
            size = 0
            with client.stream("GET", f"/api/v1/cases/export.{fmt}") as response:
                response.raise_for_status()
                for chunk in response.iter_bytes():
                    if not size:
                        first_byte = time.perf_counter() - started
                    size += len(chunk)
            seconds = time.perf_counter() - started
            sampler.running = False
            sampler.join()
            results.append(Result(rows, fmt, size, seconds, first_byte, baseline / 2**20, sampler.peak / 2**20))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="10000,100000", help="comma-separated sizes (default 10000,100000)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL (default: SQLite files)")
    parser.add_argument("--port", type=int, default=8250)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="crisisdesk-bench-"))
    results: list[Result] = []
    try:
        for rows in (int(r) for r in args.rows.split(",")):
            name = f"crisisdesk_bench_export_{rows}"
            url = create_database(args.database_url, name, workdir)
            started = time.perf_counter()
            token = load(url, rows)
            print(f"loaded {rows} cases in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            server = serve(url, args.port)
            try:
                results += measure(args.port, token, rows, server.pid)
            finally:
                server.terminate()
                server.wait(timeout=30)
                drop_database(args.database_url, name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    database = "PostgreSQL" if args.database_url else "SQLite"
    print("\n| database | rows | format | size | total time | first byte | RSS before | peak RSS | growth |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {database} | {r.rows:,} | {r.fmt} | {r.size / 2**20:.1f} MiB | {r.seconds:.1f} s | "
            f"{r.first_byte * 1000:.0f} ms | {r.baseline_mb:.0f} MiB | {r.peak_mb:.0f} MiB | "
            f"{r.peak_mb - r.baseline_mb:+.0f} MiB |"
        )


if __name__ == "__main__":
    main()
