"""Benchmark: the reports and the database metrics over 100,000 cases of one report year.

Loads N open cases (default 100,000) received in the 2026 report year, each with one running statutory 24-hour
clock (about 5 % overdue), and 2 × N notifications in every e-mail state, into a fresh database (SQLite file by
default, or a PostgreSQL server: the script creates and drops its own database there). Then it times:

* the database metrics read at every ``/metrics`` scrape (clocks overdue, the worker's queue, e-mails sent and
  failed, the heartbeat's age), median of 20 runs;
* the yearly report, the dashboard and the unit scorecards (the service calls behind the pages and the API),
  median of 3 runs.

    .venv/bin/python bench/reports_query.py                       # SQLite
    .venv/bin/python bench/reports_query.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.auth.permissions import Actor, Grant, Role  # noqa: E402
from app.db import make_engine, normalize_url  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.notifications.models import Notification  # noqa: E402
from app.notifications.service import email_outcomes, heartbeat, heartbeat_age, worker_queue_depth  # noqa: E402
from app.org.models import User  # noqa: E402
from app.reports import annual, service  # noqa: E402
from app.reports.metrics import overdue_clock_counts  # noqa: E402
from app.reports.rules import report_period  # noqa: E402
from tests.factories import bulk_cases_with_clocks  # noqa: E402

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
RECEIVED = NOW - timedelta(days=30)
OFFICE = Actor(user_id=1, username="office", full_name="Văn phòng Sở", grants=frozenset({Grant(Role.PRESS_OFFICER)}))
SPAN_MINUTES = 40 * 24 * 60
BENCH_DB = "crisisdesk_bench_reports"
STATES = ("sent", "sent", "sent", "none", "none", "failed", "pending", "sending")


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def due(i: int) -> datetime:
    return NOW + timedelta(minutes=(i * 7919) % SPAN_MINUTES - 2 * 24 * 60)


def create_database(postgres: str | None) -> tuple[str, Callable[[], None]]:
    if postgres is None:
        folder = tempfile.mkdtemp(prefix="crisisdesk-bench-")
        return f"sqlite:///{folder}/bench.db", lambda: None
    admin = make_engine(normalize_url(postgres)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        admin.dispose()

    return make_url(normalize_url(postgres)).set(database=BENCH_DB).render_as_string(hide_password=False), drop


def load(session: Session, n: int) -> None:
    user = User(username="office", full_name="Văn phòng Sở", password_hash="-", created_at=NOW)
    session.add(user)
    session.flush()
    bulk_cases_with_clocks(session, count=n, received_at=RECEIVED, due_at=due, now=NOW,
                           reminder_at=lambda i: due(i) - timedelta(hours=12))  # fmt: skip
    table = Notification.__table__  # type: ignore[attr-defined]
    for first in range(0, 2 * n, 5000):
        rows = [
            {"user_id": user.id, "stage": "due", "dedupe_key": f"bench:{i}", "title": "Nhắc việc", "body": "…",
             "created_at": NOW, "email_status": STATES[i % len(STATES)], "email_attempts": 0}
            for i in range(first, min(first + 5000, 2 * n))
        ]  # fmt: skip
        session.execute(insert(table), rows)
    heartbeat(session, worker_id="bench", now=NOW - timedelta(seconds=20))
    session.commit()


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL; the script creates and drops its own database")
    args = parser.parse_args()
    url, drop = create_database(args.postgres)
    try:
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        with Session(engine) as session:
            load(session, args.cases)
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        else:
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        out(f"{engine.dialect.name}: loaded {args.cases} cases and {2 * args.cases} notifications in "
            f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        period = report_period(2026)
        with Session(engine) as session:
            metrics = {
                "crisisdesk_clocks_overdue": lambda: overdue_clock_counts(session, NOW),
                "crisisdesk_worker_queue_depth": lambda: worker_queue_depth(session, NOW),
                "crisisdesk_emails_total": lambda: email_outcomes(session, NOW),
                "crisisdesk_worker_heartbeat_age_seconds": lambda: heartbeat_age(session, NOW),
            }
            for name, fn in metrics.items():
                median, p95 = timed(fn, 20)
                out(f"| {name} | {median:.1f} / {p95:.1f} ms | {fn()} |")
            reports: dict[str, Callable[[], Any]] = {
                "annual_report (year 2026)": lambda: annual.annual_report(session, actor=OFFICE, period=period,
                                                                           now=NOW, locale="vi"),
                "dashboard (year 2026)": lambda: service.dashboard(session, actor=OFFICE, period=period, now=NOW,
                                                                   locale="vi"),
                "unit_scorecards (year 2026)": lambda: service.unit_scorecards(session, actor=OFFICE, period=period,
                                                                               now=NOW),
            }  # fmt: skip
            for name, fn in reports.items():
                median, p95 = timed(fn, 3)
                session.expunge_all()
                out(f"| {name} | {median:.0f} ms (max {p95:.0f} ms) |")
            report = annual.annual_report(session, actor=OFFICE, period=period, now=NOW, locale="vi")
            five = report.indicators[4]
            out(f"indicator 5: {five.numerator}/{five.denominator}; dashboard total "
                f"{service.dashboard(session, actor=OFFICE, period=period, now=NOW, locale='vi').total}")  # fmt: skip
        engine.dispose()
    finally:
        drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
