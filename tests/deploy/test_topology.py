"""compose.yaml's deployment, started from plain processes (tests/deploy/topology.py): nginx with
deploy/nginx.conf.template in front of three ``crisisdesk serve``, two ``crisisdesk worker``, a PostgreSQL primary
and its streaming replica, Redis. Driven through nginx, as the public and the staff reach it:

* a notice published through one web process is served by the two others within 0.5 s (Redis pub/sub: their own
  check of the public version is set to 30 s here), and through nginx within that plus nginx's micro-cache second;
  the micro-cache keeps public reads, never staff ones;
* one client's read burst is limited once across the three processes (the bucket is in Redis), not three times;
* a client's own X-Forwarded-For is not believed: nginx replaces it, and a web process believes it from nginx only;
* the two workers share the reminders and the outbox: each e-mail claimed by one of them and sent once.

It runs once, in CI's PostgreSQL run (it starts PostgreSQL clusters of its own): 2½ to 3½ minutes on a shared
2-core machine, most of it five Python processes importing the app at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.db import make_engine
from app.notifications.models import EmailStatus, Notification, WorkerHeartbeat
from app.org.models import User
from tests.deploy.topology import Topology, client, started
from tests.factories import PASSWORD, approved_statement, bulk_cases_with_clocks, case_in_progress, standard_org

pytestmark = [
    pytest.mark.topology,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                       reason="the deployment test runs once, in the PostgreSQL run (it starts clusters of its own)"),
]  # fmt: skip

BURST = 50  # reads a client may make at once (CRISISDESK_RATE_LIMIT_READ_BURST) …
PER_SECOND = 1.0  # … then this many a second
PUSHED = 0.5  # a publication reaches every process within this (issue 17)
MICRO_CACHE = 1.0  # nginx keeps a public response this long (deploy/nginx.conf.template)
REMINDERS = 60
NOTICES = "/api/public/v1/notices"


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {timeout:.0f} s")
        time.sleep(0.1)


def ready_to_publish(engine: Engine) -> int:
    """The usual organisation, and a statement approved and ready for the press office to publish."""
    now = datetime.now(UTC) - timedelta(hours=1)
    with Session(engine) as session:
        standard_org(session, now)
        office = session.exec(select(User).where(User.username == "office")).one()
        office.email = "office@sgddt.example.gov.vn"  # the press office gets its notifications by e-mail
        session.add(office)
        case = case_in_progress(session, now=now, title="Kỳ thi tuyển sinh lớp 10: thông tin ban đầu")
        statement = approved_statement(session, case, kind="initial_information", at=now,
                                       text="Sở Giáo dục và Đào tạo thông tin ban đầu về kỳ thi.")  # fmt: skip
        session.commit()
        assert statement.id is not None
        return statement.id


def due_reminders(engine: Engine, count: int) -> None:
    """``count`` cases whose 24-hour clock passed half-way an hour ago: each owes the press office an e-mail."""
    now = datetime.now(UTC)
    received = now - timedelta(hours=13)
    with Session(engine) as session:
        bulk_cases_with_clocks(session, count=count, received_at=received, now=received,
                               due_at=lambda _i: received + timedelta(hours=24),
                               reminder_at=lambda _i: received + timedelta(hours=12))  # fmt: skip
        session.commit()


def numbers(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["number"] for item in response.json()["items"]]


def check_every_process_uses_redis_and_the_replica(topology: Topology) -> None:
    for i in range(3):
        ready = httpx.get(f"{topology.web(i)}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        report = ready.json()
        assert report["redis"]["status"] == "ok" and report["replica"]["status"] == "ok", report
        assert report["replica"]["used_for_reads"] is True
    assert httpx.get(f"{topology.nginx}/readyz", timeout=10).status_code == 200  # through nginx, never cached


def check_a_publication_reaches_every_reader(topology: Topology, statement_id: int) -> None:
    readers = {"nginx": client("127.0.0.10", topology.nginx)}
    readers |= {f"web{i + 1}": client(f"127.0.0.{11 + i}", topology.web(i)) for i in range(3)}
    for reader in readers.values():  # every cache (nginx's, each process's) holds the list without the notice
        assert numbers(reader.get(NOTICES)) == []

    with client("127.0.0.2", topology.web(0)) as office:  # the press office, on the first web process
        login = office.post("/api/v1/auth/token", data={"username": "office", "password": PASSWORD})
        assert login.status_code == 200, login.text
        published = office.post(f"/api/v1/statements/{statement_id}/publish",
                                headers={"Authorization": f"Bearer {login.json()['access_token']}"})  # fmt: skip
        assert published.status_code == 200, published.text
        at = time.monotonic()
        number = published.json()["number"]

    def reads(reader: httpx.Client) -> list[tuple[float, bool, str]]:
        """Until the first read that lists the notice (or 10 s): each read's start (seconds after the publication),
        whether it listed the notice and what nginx's cache said of it."""
        seen: list[tuple[float, bool, str]] = []
        while time.monotonic() - at < 10:
            start = time.monotonic() - at
            response = reader.get(NOTICES)
            seen.append((start, number in numbers(response), response.headers.get("X-Cache-Status", "")))
            if seen[-1][1]:
                break
            time.sleep(0.02)
        return seen

    with ThreadPoolExecutor(len(readers)) as pool:  # each reader polls on its own
        seen = dict(zip(readers, pool.map(reads, readers.values()), strict=True))
    for reader in readers.values():
        reader.close()
    # Each web process lists it within PUSHED of the publication: a read started by then did (what a loaded
    # machine adds to that read is not the system's delay).
    assert all(seen[name][-1][1] and seen[name][-1][0] <= PUSHED for name in readers if name != "nginx"), seen
    # nginx lists it once its copy of the second before has expired: every fresh answer (not the stale copy it gives
    # while one request refreshes it in the background, proxy_cache_use_stale updating) of a read started after
    # PUSHED + MICRO_CACHE lists it.
    assert seen["nginx"][-1][1], seen["nginx"]
    fresh_late = [listed for start, listed, cache in seen["nginx"]
                  if start > PUSHED + MICRO_CACHE and cache not in ("STALE", "UPDATING")]  # fmt: skip
    assert all(fresh_late), seen["nginx"]

    with client("127.0.0.3", topology.nginx) as staff:  # the staff side through nginx: never from its cache
        for _ in range(2):
            cases = staff.get("/api/v1/cases", headers={"Authorization": f"Bearer {login.json()['access_token']}"})
            assert cases.status_code == 200 and cases.headers["X-Cache-Status"] == "BYPASS", cases.headers


def check_the_micro_cache(topology: Topology) -> None:
    with client("127.0.0.15", topology.nginx) as reader:
        for path in (NOTICES, "/notices"):
            first, second = reader.get(path), reader.get(path)
            assert first.status_code == second.status_code == 200
            assert second.headers["X-Cache-Status"] == "HIT", path
            assert second.headers["ETag"] == first.headers["ETag"]
            assert reader.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
        form = reader.get("/inquiries")  # a form with a per-visitor token: never cached
        assert form.headers.get("X-Cache-Status") != "HIT"
        assert reader.get("/inquiries").headers.get("X-Cache-Status") != "HIT"


def burst(reader: httpx.Client, label: str, count: int, headers: Callable[[int], dict[str, str]] | None = None
          ) -> tuple[int, float, httpx.Response | None]:  # fmt: skip
    """``count`` reads, each of a URL of its own (so that each reaches a web process, past nginx's cache): how
    many were allowed, in how long, and one refusal."""
    start, allowed, refused = time.monotonic(), 0, None
    for i in range(count):
        response = reader.get(NOTICES, params={label: i}, headers=headers(i) if headers else None)
        assert response.status_code in (200, 429), response.text
        if response.status_code == 200:
            allowed += 1
        else:
            refused = response
    return allowed, time.monotonic() - start, refused


def within_one_limit(allowed: int, elapsed: float) -> bool:
    return BURST <= allowed <= BURST + PER_SECOND * elapsed + 2


def check_a_read_burst_is_limited_once_for_all_processes(topology: Topology) -> None:
    with client("127.0.0.20", topology.nginx) as reader:
        allowed, elapsed, refused = burst(reader, "burst", 3 * BURST)
    assert within_one_limit(allowed, elapsed), f"{allowed} of {3 * BURST} allowed in {elapsed:.1f} s (burst {BURST})"
    assert refused is not None and int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"] == "RateLimited"
    with client("127.0.0.21", topology.nginx) as neighbour:  # another client behind the same nginx: its own bucket
        assert neighbour.get(NOTICES, params={"neighbour": 1}).status_code == 200


def check_forwarded_for_from_a_client_is_not_believed(topology: Topology) -> None:
    def spoofed(i: int) -> dict[str, str]:
        return {"X-Forwarded-For": f"10.{i // 250}.{i % 250}.7"}

    with client("127.0.0.30", topology.nginx) as reader:  # through nginx, which replaces the header
        allowed, elapsed, _ = burst(reader, "through", 2 * BURST, spoofed)
    assert within_one_limit(allowed, elapsed), f"through nginx: {allowed} allowed in {elapsed:.1f} s"
    with client("127.0.0.31", topology.web(1)) as reader:  # straight to a web process, from an untrusted address
        allowed, elapsed, _ = burst(reader, "direct", 2 * BURST, lambda _i: {"X-Forwarded-For": "127.0.0.1"})
    assert within_one_limit(allowed, elapsed), f"straight to a process: {allowed} allowed in {elapsed:.1f} s"


def check_the_workers_share_the_outbox(topology: Topology, engine: Engine) -> None:
    def heartbeats() -> int:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(WorkerHeartbeat)).one())

    def unsent() -> int:
        waiting = (EmailStatus.PENDING, EmailStatus.SENDING)
        with Session(engine) as session:
            query = select(func.count()).select_from(Notification).where(col(Notification.email_status).in_(waiting))
            return int(session.exec(query).one())

    wait_until(lambda: heartbeats() == 2, 60, "two worker heartbeats")
    due_reminders(engine, REMINDERS)  # both workers are polling: they take the reminders and e-mails in turns
    wait_until(lambda: len(topology.sink.messages) >= REMINDERS and unsent() == 0, 60, f"{REMINDERS} e-mails sent")
    time.sleep(1)  # long enough for a second send of any of them to show up
    keys = topology.sink.keys()
    assert set(keys.values()) == {1}, [k for k, n in keys.items() if n > 1][:5]  # none sent twice
    with Session(engine) as session:
        claims = dict(session.exec(select(Notification.email_claimed_by, func.count())
                                   .where(Notification.email_status == EmailStatus.SENT)
                                   .group_by(col(Notification.email_claimed_by))).all())  # fmt: skip
        workers = set(session.exec(select(WorkerHeartbeat.worker_id)).all())
    assert sum(claims.values()) == len(keys) >= REMINDERS  # every e-mail sent is one row sent, by one worker
    assert set(claims) == workers, claims  # and both workers took their share


def test_the_deployment(tmp_path: Path) -> None:
    web_env = {
        "CRISISDESK_RATE_LIMIT_READ_BURST": str(BURST),
        "CRISISDESK_RATE_LIMIT_READ_PER_SECOND": str(PER_SECOND),
        "CRISISDESK_PUBLIC_CACHE_CHECK_SECONDS": "30",  # only the push can bring a publication in 0.5 s
    }
    with started(tmp_path, web_env=web_env, worker_env={"CRISISDESK_WORKER_BATCH_SIZE": "5"}) as topology:
        engine = make_engine(topology.primary_url)
        try:
            check_every_process_uses_redis_and_the_replica(topology)
            statement_id = ready_to_publish(engine)
            check_a_publication_reaches_every_reader(topology, statement_id)
            check_the_micro_cache(topology)
            check_a_read_burst_is_limited_once_for_all_processes(topology)
            check_forwarded_for_from_a_client_is_not_believed(topology)
            check_the_workers_share_the_outbox(topology, engine)
        finally:
            engine.dispose()
