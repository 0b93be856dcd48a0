"""What one staff home costs the web process, whatever the machine's load (issue 17: the director's home).

On a shared 2-core machine the wall time of a request swings with the other processes; the CPU time the web
process spends on it, the number of statements it runs and their time move much less. Each user's ``/staff/`` is
requested in-process (TestClient, the app's own code and pool) ``--runs`` times after three warm-ups; for each:
the statements of the last request, the median CPU time of the process per request (``time.process_time``: the
app's threads and the test client's), the median time in SQL (as the driver waits for it) and the wall time p50 /
p95.

    .venv/bin/python bench/home_cost.py --database crisisdesk_scale_director --users director,spokesperson
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402
from scale import SERVER, Capture, _login, database_url  # noqa: E402

from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="crisisdesk_scale")
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--users", default="office,handler,head,spokesperson,director,admin")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    app = create_app(Settings(database_url=database_url(args.server, args.database), environment="development"))
    capture = Capture()
    load = os.getloadavg()
    print(f"database {args.database}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.runs} runs each")
    print("| home | statements | CPU ms / request (p50) | SQL ms (p50) | wall p50 ms | wall p95 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    with TestClient(app) as client:
        for user in args.users.split(","):
            client.headers.pop("Authorization", None)
            client.cookies.clear()
            _login(client, user)
            for _ in range(3):
                client.get("/staff/")
            walls, cpus, sql, count = [], [], [], 0
            for _ in range(args.runs):
                with capture() as rows:
                    cpu, wall = time.process_time(), time.perf_counter()
                    assert client.get("/staff/").status_code == 200
                    cpus.append((time.process_time() - cpu) * 1000)
                    walls.append((time.perf_counter() - wall) * 1000)
                sql.append(sum(r[2] for r in rows))
                count = len(rows)
            walls.sort()
            p95 = walls[max(int(round(len(walls) * 0.95)) - 1, 0)]
            print(f"| {user} | {count} | {statistics.median(cpus):.1f} | {statistics.median(sql):.1f} | "
                  f"{statistics.median(walls):.1f} | {p95:.1f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
