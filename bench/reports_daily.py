"""The dashboard's per-day aggregates at scale: refresh them, and check them against the live path.

    .venv/bin/python bench/reports_daily.py postgresql+psycopg://postgres@127.0.0.1:5432/crisisdesk_scale_reports \\
        refresh [--days 100]          # what the worker's "report aggregates" job does, timed per batch
    .venv/bin/python bench/reports_daily.py URL compare [--years 2026,2025,2023] [--users office,head]

``compare`` computes the dashboard and the units report of each user (the press office: the whole Sở's rows; a
unit head: their unit's scope) with the aggregates and live (``aggregates=False``) at one ``now`` and prints
whether they are equal, and their in-process times. Read-only except ``refresh`` (bench/README.md, "Third pass",
"Fifth pass").
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, select  # noqa: E402

from app.auth.service import load_actor  # noqa: E402
from app.db import make_engine, normalize_url  # noqa: E402
from app.org.models import User  # noqa: E402
from app.reports import daily, service  # noqa: E402
from app.reports.rules import report_period  # noqa: E402


def refresh(url: str, days: int) -> None:
    engine = make_engine(normalize_url(url))
    start, total = time.perf_counter(), 0
    while True:
        t = time.perf_counter()
        with Session(engine) as session:
            n = daily.refresh(session, now=datetime.now(UTC), limit=days)
            session.commit()
        total += n
        print(f"{n} days in {time.perf_counter() - t:.2f} s", flush=True)
        if n < days:
            break
    print(f"{total} days in {time.perf_counter() - start:.1f} s")


def compare(url: str, years: list[int], usernames: list[str]) -> int:
    engine = make_engine(normalize_url(url))
    now, failures = datetime.now(UTC), 0
    with Session(engine) as session:
        for username in usernames:
            reader = load_actor(session, session.exec(select(User).where(User.username == username)).one())
            for year in years:
                period = report_period(year)
                t = time.perf_counter()
                fast = service.dashboard(session, actor=reader, period=period, now=now, locale="vi")
                t_fast = time.perf_counter() - t
                t = time.perf_counter()
                live = service.dashboard(session, actor=reader, period=period, now=now, locale="vi", aggregates=False)
                t_live = time.perf_counter() - t
                units = service.unit_scorecards(session, actor=reader, period=period, now=now)
                units_live = service.unit_scorecards(session, actor=reader, period=period, now=now, aggregates=False)
                same = fast == live and units == units_live
                failures += not same
                print(f"{username} {year}: {'equal' if same else 'DIFFERENT'}; dashboard {t_fast * 1000:.0f} ms "
                      f"from the aggregates, {t_live * 1000:.0f} ms live; {fast.total} cases, "
                      f"{sum(u.cases_supported for u in units.items)} supported, "
                      f"{sum(u.notices for u in units.items)} notices in the units report")  # fmt: skip
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("command", choices=("refresh", "compare"))
    parser.add_argument("--days", type=int, default=100, help="days a refresh transaction")
    parser.add_argument("--years", default="2026,2025,2023")
    parser.add_argument("--users", default="office,head", help="usernames whose reports are compared")
    args = parser.parse_args()
    if args.command == "refresh":
        refresh(args.url, args.days)
        return 0
    return compare(args.url, [int(y) for y in args.years.split(",")], args.users.split(","))


if __name__ == "__main__":
    raise SystemExit(main())
