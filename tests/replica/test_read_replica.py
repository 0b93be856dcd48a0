"""Reads on a real streaming replica (``CRISISDESK_DATABASE_READ_URL``): a throwaway primary and a hot standby made
with ``pg_basebackup -R`` (the ``replicated_pg`` fixture), an app on them committing for real.

What is checked, through HTTP:
* a notice published on the primary reaches anonymous readers from the replica once the replica has it, and
  not before (replay paused: bounded staleness, within the lag bound); the staff who published see it at once
  (read-your-writes: their client carries the position of their write);
* a replica lagging beyond the bound, or stopped, is not read: the primary answers, never a 5xx, and /readyz
  says so while the service stays ready;
* the public cache never goes back to an older page when the replica, behind, is used again;
* the staff's exports read the replica, and the writer's own export sees its write.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlmodel import Session

from app.db import make_engine, utcnow
from app.main import create_app
from app.web.public.fastpath import CrisisDeskApp
from tests.conftest import make_settings
from tests.factories import appoint_spokesperson, case_in_progress, standard_org, token
from tests.statements.helpers import Api
from tests.support.pgcluster import ReplicatedPair

NOTICES = "/api/public/v1/notices"


def wait_until(condition: Callable[[], bool], timeout: float = 15.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def pair(replicated_pg: ReplicatedPair) -> ReplicatedPair:
    """The pair with the usual organisation and a standing spokesperson, committed on the primary."""
    engine = make_engine(replicated_pg.primary.url)
    with Session(engine, expire_on_commit=False) as session:
        standard_org(session, utcnow())
        appoint_spokesperson(session, now=utcnow())
        session.commit()
    engine.dispose()
    replicated_pg.wait_replayed()
    return replicated_pg


@pytest.fixture
def make_app(pair: ReplicatedPair) -> Iterator[Callable[..., FastAPI]]:
    """Apps on the pair with the real clock; the public cache checks its version every 0.1 s, the replica's lag
    is measured every 0.2 s."""
    made: list[FastAPI] = []

    def _make(max_lag: float = 30.0) -> FastAPI:
        settings = make_settings(pair.primary.url, database_read_url=pair.standby.url, public_cache_check_seconds=0.1,
                                 database_read_max_lag_seconds=max_lag, database_read_check_seconds=0.2)  # fmt: skip
        app = create_app(settings, clock=utcnow)
        made.append(app)
        return app

    yield _make
    for app in made:
        app.state.sessions.engine.dispose()
        app.state.replica.dispose()


def new_case(pair: ReplicatedPair) -> str:
    engine = make_engine(pair.primary.url)
    with Session(engine, expire_on_commit=False) as session:
        reference = case_in_progress(session, now=utcnow()).reference
        session.commit()
    engine.dispose()
    return reference


def replica(client: TestClient) -> dict[str, Any]:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text  # the replica never makes the service unready
    report: dict[str, Any] = response.json()["replica"]
    return report


def numbers(client: TestClient) -> list[str]:
    response = client.get(NOTICES)
    assert response.status_code == 200, response.text
    return [item["number"] for item in response.json()["items"]]


def reads(database: str) -> float:
    """Read sessions opened on ``database`` so far (this process, every app)."""
    return REGISTRY.get_sample_value("crisisdesk_db_read_sessions_total", {"database": database}) or 0.0


def client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver")


def publisher(staff_client: TestClient) -> Api:
    """The staff API of the publication path, every user logged in (log-ins are writes too)."""
    api = Api(staff_client)
    for user in ("handler", "head", "spokesperson", "office"):
        api.headers(user)
    return api


def test_a_notice_reaches_readers_from_the_replica_once_there_and_its_publisher_at_once(
    pair: ReplicatedPair, make_app: Callable[..., FastAPI]
) -> None:
    app = make_app(max_lag=30.0)
    with client(app) as staff_client, client(app) as anon:
        staff = publisher(staff_client)
        wait_until(lambda: replica(anon)["status"] == "ok", what="the replica in use")
        before = numbers(anon)
        reference = new_case(pair)
        pair.wait_replayed()
        pair.pause_replay()
        try:
            notice = staff.published(reference)  # on the primary; the replica does not apply it
            # The publisher's client carries its write's position: its reads go to the primary.
            assert notice["number"] in numbers(staff_client)
            assert staff_client.get(f"/notices/{notice['slug']}").status_code == 200
            assert staff_client.get(f"{NOTICES}/{notice['slug']}").status_code == 200
            # An anonymous reader is served by the replica, within the bound: not yet there.
            time.sleep(0.3)  # past the cache's version check and the replica's lag check
            on_replica = reads("replica")
            assert numbers(anon) == before
            assert anon.get(f"{NOTICES}/{notice['slug']}").status_code == 404
            assert reads("replica") > on_replica
            assert replica(anon)["replay_paused"] is True
        finally:
            pair.resume_replay()
        # Once the replica has it, the version the cache reads there moves, and every reader sees it.
        wait_until(lambda: notice["number"] in numbers(anon), what="the notice on the replica")
        assert anon.get(f"/notices/{notice['slug']}").status_code == 200
        assert replica(anon)["status"] == "ok"


def test_cached_reads_answered_early_never_serve_the_client_that_just_wrote(
    pair: ReplicatedPair, make_app: Callable[..., FastAPI]
) -> None:
    """The early path (app/web/public/fastpath.py) answers anonymous readers from the cache, but a client with a
    read-after mark goes through the stack, whose edge renders for it from the primary."""
    app = make_app(max_lag=30.0)
    assert isinstance(app, CrisisDeskApp)
    with client(app) as staff_client, client(app) as anon:
        staff = publisher(staff_client)
        wait_until(lambda: replica(anon)["status"] == "ok", what="the replica in use")
        before = numbers(anon)

        def answered_early() -> bool:
            """A read answered from the cache, early. The cache checks its version every 0.1 s: on a loaded
            machine the next read can come after that, and the stack answers it (and checks): read again."""
            answered = app.early_answers
            assert numbers(anon) == before
            return app.early_answers == answered + 1

        wait_until(answered_early, what="an anonymous read answered early")
        reference = new_case(pair)
        pair.wait_replayed()
        pair.pause_replay()
        try:
            notice = staff.published(reference)
            assert "crisisdesk_read_after" in staff_client.cookies
            answered = app.early_answers
            assert notice["number"] in numbers(staff_client)
            assert app.early_answers == answered  # the stack answered the writer
            time.sleep(0.3)  # past the cache's version check, read on the replica that has not replayed it
            assert numbers(anon) == before
        finally:
            pair.resume_replay()
        wait_until(lambda: notice["number"] in numbers(anon), what="the notice on the replica")


def test_a_replica_beyond_the_lag_bound_is_not_read(pair: ReplicatedPair, make_app: Callable[..., FastAPI]) -> None:
    app = make_app(max_lag=1.0)
    with client(app) as staff_client, client(app) as anon:
        staff = publisher(staff_client)
        wait_until(lambda: replica(anon)["status"] == "ok", what="the replica in use")
        reference = new_case(pair)
        pair.pause_replay()
        try:
            notice = staff.published(reference)
            wait_until(lambda: replica(anon)["status"] == "lagging", what="the replica reported lagging")
            report = replica(anon)
            assert report["used_for_reads"] is False
            assert report["behind_bytes"] > 0
            on_primary = reads("primary")
            assert notice["number"] in numbers(anon)  # from the primary
            assert reads("primary") > on_primary
        finally:
            pair.resume_replay()
        wait_until(lambda: replica(anon)["status"] == "ok", what="the replica back in use")
        assert notice["number"] in numbers(anon)


def test_a_stopped_replica_sends_every_read_to_the_primary(
    pair: ReplicatedPair, make_app: Callable[..., FastAPI]
) -> None:
    app = make_app(max_lag=30.0)
    with client(app) as staff_client, client(app) as anon:
        staff = publisher(staff_client)
        wait_until(lambda: replica(anon)["status"] == "ok", what="the replica in use")
        numbers(anon)  # a connection to the replica in the pool
        reference = new_case(pair)
        pair.standby.stop()
        try:
            notice = staff.published(reference)
            slug = notice["slug"]
            paths = [NOTICES, f"{NOTICES}/{slug}", "/api/public/v1/notices.atom", "/api/public/v1/spokespersons",
                     "/notices", f"/notices/{slug}", "/spokespersons", "/api/public/v1/stories"]  # fmt: skip
            for path in paths:
                assert anon.get(path).status_code == 200, path
            assert notice["number"] in numbers(anon)
            assert staff.get("/api/v1/reports/dashboard", "office").status_code == 200
            report = replica(anon)
            assert report["status"] == "down"
            assert report["reason"]
        finally:
            pair.standby.start()
        wait_until(lambda: replica(anon)["status"] == "ok", what="the replica back in use")
        assert notice["number"] in numbers(anon)


def test_the_public_cache_never_goes_back_to_an_older_page(
    pair: ReplicatedPair, make_app: Callable[..., FastAPI]
) -> None:
    """The version read on the primary (replica away) is newer than what the replica holds when it is back: the
    pages rendered after that read at least from where that version was read — the primary, until the replica
    catches up. Otherwise the older page would be kept under the newer version."""
    app = make_app(max_lag=30.0)
    with client(app) as staff_client, client(app) as anon:
        staff = publisher(staff_client)
        wait_until(lambda: replica(anon)["status"] == "ok", what="the replica in use")
        numbers(anon)
        reference = new_case(pair)
        pair.wait_replayed()
        # Commits reach the replica an hour late (kept across its restart, unlike a paused replay).
        pair.standby.sql("ALTER SYSTEM SET recovery_min_apply_delay = '1h'")
        pair.standby.sql("SELECT pg_reload_conf()")
        try:
            notice = staff.published(reference)
            pair.standby.stop()
            time.sleep(0.2)
            assert notice["number"] in numbers(anon)  # the version and the page, from the primary
            pair.standby.start()
            wait_until(lambda: replica(anon)["status"] == "ok", what="the replica back in use, behind")
            time.sleep(0.3)  # the cache reads its version on the replica again: an older one
            for _ in range(5):
                assert notice["number"] in numbers(anon)
                assert anon.get(f"/notices/{notice['slug']}").status_code == 200
        finally:
            pair.standby.sql("ALTER SYSTEM RESET recovery_min_apply_delay")
            pair.standby.sql("SELECT pg_reload_conf()")
        pair.wait_replayed()


def test_exports_read_the_replica_and_the_writer_sees_its_write(
    pair: ReplicatedPair, make_app: Callable[..., FastAPI]
) -> None:
    app = make_app(max_lag=30.0)
    with client(app) as writer, client(app) as other:
        office_writer, office_other = token(writer, "office"), token(other, "office")
        pair.wait_replayed()
        app.state.replica.check(force=True)  # knows the replica has the logins
        pair.pause_replay()
        try:
            created = writer.post("/api/v1/cases", headers=office_writer, json={
                "title": "Phản ánh qua bản sao", "summary": "Kiểm tra đọc từ bản sao.", "source_kind": "press_article",
                "topic": "other", "severity": "routine"})  # fmt: skip
            assert created.status_code == 201, created.text
            reference = created.json()["reference"]
            assert "crisisdesk_read_after" in writer.cookies
            time.sleep(0.3)
            assert reference in writer.get("/api/v1/cases/export.csv", headers=office_writer).text  # the primary
            assert reference not in other.get("/api/v1/cases/export.csv", headers=office_other).text  # the replica
            dashboard = other.get("/api/v1/reports/dashboard", headers=office_other)
            assert dashboard.status_code == 200
        finally:
            pair.resume_replay()
        wait_until(lambda: reference in other.get("/api/v1/cases/export.csv", headers=office_other).text,
                   what="the case in the other export")  # fmt: skip


def test_a_forged_read_after_mark_is_ignored(pair: ReplicatedPair, make_app: Callable[..., FastAPI]) -> None:
    app = make_app(max_lag=30.0)
    with client(app) as anon:
        wait_until(lambda: replica(anon)["status"] == "ok", what="the replica in use")
        numbers(anon)
        anon.cookies.set("crisisdesk_read_after", f"{2**62}.{'0' * 22}")
        time.sleep(0.3)
        on_primary = reads("primary")
        for _ in range(3):
            numbers(anon)
        assert reads("primary") == on_primary  # served by the cache and the replica, never pushed to the primary
