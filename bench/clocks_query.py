"""Benchmark: finding due and overdue clocks among 100,000 open cases uses an index, not a scan.

Loads N open cases (default 100,000), each with one running clock, into a fresh database (SQLite file by default,
or a PostgreSQL server: the script creates and drops its own database there), then for each query the app runs
prints the plan (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE) and the median time, and fails if a plan scans the table.

    .venv/bin/python bench/clocks_query.py                       # SQLite
    .venv/bin/python bench/clocks_query.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlalchemy.sql import Select  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from app.auth.permissions import Actor, Grant, Role  # noqa: E402
from app.cases.service import CaseFilters, CaseSort, _due_page, filtered_cases  # noqa: E402
from app.clocks.models import Clock, ClockState  # noqa: E402
from app.db import make_engine, normalize_url  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from tests.factories import bulk_cases_with_clocks  # noqa: E402

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
OFFICE = Actor(user_id=1, username="office", full_name="Văn phòng Sở", grants=frozenset({Grant(Role.PRESS_OFFICER)}))
SPAN_MINUTES = 40 * 24 * 60  # due times spread from 2 days ago to 38 days ahead: about 5 % overdue
BENCH_DB = "crisisdesk_bench_clocks"


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def due(i: int) -> datetime:
    return NOW + timedelta(minutes=(i * 7919) % SPAN_MINUTES - 2 * 24 * 60)


def reminder(i: int) -> datetime:
    return due(i) - timedelta(hours=12)


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

    url = make_url(normalize_url(postgres)).set(database=BENCH_DB).render_as_string(hide_password=False)
    return url, drop


def queries() -> dict[str, Callable[[Session], Select[Any]]]:
    def cases(filters: CaseFilters) -> Callable[[Session], Select[Any]]:
        def build(session: Session) -> Select[Any]:
            query = filtered_cases(session, actor=OFFICE, filters=filters)
            return _due_page(query, None).limit(51)  # type: ignore[return-value]

        return build

    return {
        "cases: overdue=true&sort=due (first page of 50)": cases(CaseFilters(overdue=True, sort=CaseSort.DUE, now=NOW)),
        "cases: due_within_hours=24&sort=due": cases(CaseFilters(due_within_hours=24, sort=CaseSort.DUE, now=NOW)),
        "cases: sort=due (first page of 50)": cases(CaseFilters(sort=CaseSort.DUE, now=NOW)),
        "worker: reminders due now (batch of 100, SKIP LOCKED)": lambda _s: (
            select(Clock)
            .where(Clock.state == ClockState.RUNNING, col(Clock.next_reminder_at) <= NOW)
            .order_by(col(Clock.next_reminder_at), col(Clock.id))
            .limit(100)
            .with_for_update(skip_locked=True)
        ),
        "clocks: running and overdue, nearest first": lambda _s: (
            select(Clock)
            .where(Clock.state == ClockState.RUNNING, col(Clock.due_at) < NOW)
            .order_by(col(Clock.due_at))
            .limit(50)
        ),
    }


def explain(session: Session, engine: Engine, stmt: Select[Any]) -> str:
    compiled = stmt.compile(dialect=engine.dialect)
    params = compiled.construct_params()
    processors = compiled._bind_processors  # the same conversion the driver gets in real use
    values = {k: processors[k](v) if k in processors else v for k, v in params.items()}
    conn = session.connection()
    if engine.dialect.name == "sqlite":
        positional = [values[name] for name in compiled.positiontup or []]
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string, tuple(positional)).all()
        return "\n".join(str(r[-1]) for r in rows)
    rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + compiled.string, values).all()
    return "\n".join(r[0] for r in rows)


def scans(plan: str, dialect: str) -> bool:
    if dialect == "sqlite":
        return any(re.match(r"^SCAN (case|clock)\b(?! USING)", line.strip()) for line in plan.splitlines())
    return bool(re.search(r"Seq Scan on (\"?case\"?|clock)\b", plan))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (the bench creates its own database there)")
    args = parser.parse_args()

    url, drop = create_database(args.postgres)
    try:
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        with Session(engine) as session:
            bulk_cases_with_clocks(session, count=args.cases, received_at=NOW - timedelta(days=3), now=NOW,
                                   due_at=due, reminder_at=reminder, chunk=5000)  # fmt: skip
            session.commit()
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
        out(f"{engine.dialect.name}: loaded {args.cases:,} open cases with a running clock "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        failed = False
        with Session(engine) as session:
            for label, build in queries().items():
                stmt = build(session)
                rows = len(session.execute(stmt).all())
                times = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    session.execute(stmt).all()
                    times.append((time.perf_counter() - t0) * 1000)
                session.rollback()
                plan = explain(session, engine, stmt)
                session.rollback()
                bad = scans(plan, engine.dialect.name)
                failed |= bad
                out(f"\n### {label}\nrows: {rows}; median {statistics.median(times):.2f} ms, "
                      f"p95 {sorted(times)[int(len(times) * 0.95) - 1]:.2f} ms over {args.runs} runs"
                      f"{'  ** TABLE SCAN **' if bad else ''}\n{plan}")  # fmt: skip
        engine.dispose()
        return 1 if failed else 0
    finally:
        drop()


if __name__ == "__main__":
    raise SystemExit(main())
