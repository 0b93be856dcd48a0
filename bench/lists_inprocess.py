"""Benchmark: a staff list page's service calls in process, warm, this tree against another (issue 17).

Loads ``app/cases/queries.py`` of another tree (e.g. main's, from ``git archive``) beside this tree's, in the same
process and on the same session, checks that both give the same read models for the same page, then times
``list_cases`` and ``case_reads`` of each in alternating rounds: wall time and the process's CPU time (which a loaded
machine inflates less than wall time).

    .venv/bin/python bench/lists_inprocess.py --database crisisdesk_scale_lists --other /tmp/main-tree \\
        [--user handler] [--filters '{"assignee": "handler"}']
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, col, select  # noqa: E402

from app.auth.service import load_actor  # noqa: E402
from app.cases import queries  # noqa: E402
from app.cases import reads as read_models  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.org.models import User  # noqa: E402


def _other_queries(tree: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("other_queries", Path(tree) / "app/cases/queries.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["other_queries"] = module
    spec.loader.exec_module(module)
    module.CaseFilters.model_rebuild(_types_namespace=vars(module))
    if (Path(tree) / "app/cases/reads.py").exists():  # the read models in a module of their own since 7 Dec 2026
        spec = importlib.util.spec_from_file_location("other_reads", Path(tree) / "app/cases/reads.py")
        assert spec and spec.loader
        reads_module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(reads_module)
        module.case_reads = reads_module.case_reads
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="crisisdesk_scale")
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--other", required=True, help="the other tree (its app/cases/queries.py)")
    parser.add_argument("--user", default="office")
    parser.add_argument("--filters", default="{}", help="CaseFilters fields as JSON")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    engine = make_engine(f"{args.server}/{args.database}")
    trees: dict[str, Any] = {"other": _other_queries(args.other),
                             "this": SimpleNamespace(**vars(queries), case_reads=read_models.case_reads)}  # fmt: skip
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with Session(engine) as session:
        user = session.exec(select(User).where(col(User.username) == args.user)).one()
        actor = load_actor(session, user)
        now = datetime.now(UTC)
        pages = {}
        for name, module in trees.items():
            filters = module.CaseFilters(now=now, **json.loads(args.filters))
            pages[name] = (module, filters, module.list_cases(session, actor=actor, filters=filters)[0])
        reads = {name: [r.model_dump() for r in m.case_reads(session, actor=actor, cases=c, now=now)]
                 for name, (m, _f, c) in pages.items()}  # fmt: skip
        assert reads["other"] == reads["this"], "the two trees read the page differently"
        times: dict[str, dict[str, list[float]]] = {name: {"list": [], "reads": [], "cpu": []} for name in pages}
        for _ in range(args.rounds):
            for name, (module, filters, cases) in pages.items():
                cpu = time.process_time()
                for _ in range(args.calls):
                    t0 = time.perf_counter()
                    module.list_cases(session, actor=actor, filters=filters)
                    t1 = time.perf_counter()
                    module.case_reads(session, actor=actor, cases=cases, now=now)
                    times[name]["list"].append((t1 - t0) * 1000)
                    times[name]["reads"].append((time.perf_counter() - t1) * 1000)
                times[name]["cpu"].append((time.process_time() - cpu) * 1000 / args.calls)
    print(f"{args.user} {args.filters}, {len(pages['this'][2])} cases a page")
    for name, t in times.items():
        print(f"{name}: list_cases p50 {statistics.median(t['list']):.2f} ms; case_reads min {min(t['reads']):.2f} "
              f"p50 {statistics.median(t['reads']):.2f} ms; CPU of both, min {min(t['cpu']):.2f} "
              f"median {statistics.median(t['cpu']):.2f} ms")  # fmt: skip
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
