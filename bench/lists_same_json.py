"""Benchmark check: the JSON of the measured staff lists and cases (``bench/scale.py``'s ``lists`` and ``case``
groups, each list followed one cursor further) plus unit-scoped searches in every order, with a fixed clock, as
one line per request: status, user, path, SHA-256 and length of the bodies. Run it with two trees on the same
database and diff the outputs (issue 17: the answers must stay byte for byte the same).

    .venv/bin/python bench/lists_same_json.py --database crisisdesk_scale_lists > /tmp/after.txt
    cd /tmp/search-main-tree && PYTHONPATH=/tmp/search-main-tree /work/wt/search/.venv/bin/python \\
        bench/lists_same_json.py --database crisisdesk_scale_lists > /tmp/before.txt
    diff /tmp/before.txt /tmp/after.txt && echo identical
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench import scale  # noqa: E402

FIXED_NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="crisisdesk_scale")
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    url = f"{args.server}/{args.database}"
    settings = Settings(database_url=url, environment="development")
    values = scale._parameters(make_engine(url), settings.secret_key.get_secret_value())
    requests = [(user, path) for group, label, user, path in scale._requests(values)
                if group in ("lists", "case") and "HTML" not in label]  # fmt: skip
    words = quote("bạo lực")
    requests += [("handler", f"/api/v1/cases?q={words}&sort={s}") for s in ("received_at", "due", "updated_at",
                                                                            "-updated_at")]  # fmt: skip
    requests += [("head", f"/api/v1/cases?q={words}"), ("head", f"/api/v1/cases?q={quote('học sinh')}&limit=200"),
                 ("handler", f"/api/v1/cases?q={quote('ngựa vằn xyzzy')}"), ("handler", "/api/v1/cases?q=100%25_"),
                 ("handler", f"/api/v1/cases?q={words}&severity=hot")]  # fmt: skip
    # References as q (branch search2): exact, folded, a prefix of a hundred, a year, the mark alone, with words.
    old = values["old"]
    for q in (old, old.lower(), old[:-2], old[:7], "vv-", f"{old} {quote('bạo lực')}", f"x{old}", old[3:]):
        requests += [("office", f"/api/v1/cases?q={q}"), ("handler", f"/api/v1/cases?q={q}")]
    requests += [("office", f"/api/v1/cases?q={old[:-2]}&sort=received_at&limit=200"),
                 ("handler", f"/api/v1/cases?q={quote('học sinh')}&limit=200"),
                 ("handler", f"/api/v1/cases?q={quote('học sinh')}&limit=200&sort=received_at"),
                 ("head", f"/api/v1/cases?q={quote('học sinh')}&limit=200&sort=received_at")]  # fmt: skip
    app = create_app(settings, clock=lambda: FIXED_NOW)
    with TestClient(app) as client:
        logged = None
        for user, path in requests:
            if user != logged:
                client.headers.pop("Authorization", None)
                client.cookies.clear()
                scale._login(client, user)
                logged = user
            response = client.get(path)
            body = response.content
            answer = response.json()
            if isinstance(answer, dict) and answer.get("next_cursor"):
                body += client.get(f"{path}{'&' if '?' in path else '?'}cursor={quote(answer['next_cursor'])}").content
            print(f"{response.status_code} {user} {path} {hashlib.sha256(body).hexdigest()} {len(body)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
