"""The plans behind the reports: each SQL statement of the dashboard, the units report and the yearly report, timed
in process on a loaded database, with ``EXPLAIN (ANALYZE, BUFFERS)`` of the slow ones (PostgreSQL).

    .venv/bin/python bench/reports_plans.py postgresql+psycopg://postgres@127.0.0.1:5432/crisisdesk_scale \\
        dashboard,units,annual [office] [--year 2026]

Read-only (the EXPLAIN ANALYZE of a SELECT runs it); the figures of bench/README.md, "A million cases (issue 17)".
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app.auth.service import load_actor  # noqa: E402
from app.db import make_engine, normalize_url  # noqa: E402
from app.org.models import User  # noqa: E402
from app.reports import annual, service  # noqa: E402
from app.reports.rules import report_period  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("calls", help="comma-separated: dashboard, units, annual")
    parser.add_argument("username", nargs="?", default="office")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--explain-over", type=float, default=30.0, help="plan the statements slower than this (ms)")
    parser.add_argument("--plan-lines", type=int, default=40, help="print this many lines of each plan")
    args = parser.parse_args()
    engine = make_engine(normalize_url(args.url))
    statements: list[tuple[float, str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, _statement: str, _parameters: Any, _context: Any, _many: bool) -> None:
        conn.info["started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append(((time.perf_counter() - conn.info["started"]) * 1000, statement, parameters))

    now = datetime.now(UTC)
    period = report_period(args.year)
    with Session(engine) as session:
        actor = load_actor(session, session.exec(select(User).where(User.username == args.username)).one())
        calls: dict[str, Callable[[], Any]] = {
            "dashboard": lambda: service.dashboard(session, actor=actor, period=period, now=now, locale="vi"),
            "units": lambda: service.unit_scorecards(session, actor=actor, period=period, now=now),
            "annual": lambda: annual.annual_report(session, actor=actor, period=period, now=now, locale="vi"),
        }
        for name in args.calls.split(","):
            statements.clear()
            started = time.perf_counter()
            calls[name]()
            print(f"## {name}: {(time.perf_counter() - started) * 1000:.0f} ms in {len(statements)} statements")
            for ms, sql, params in sorted(statements, key=lambda s: -s[0])[:4]:
                print(f"--- {ms:.0f} ms: {' '.join(sql.split())[:300]}")
                if ms > args.explain_over:
                    plan = session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).all()
                    for (line,) in plan[: args.plan_lines]:
                        print("    " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
