"""The public edge with Redis (``CRISISDESK_REDIS_URL``), through the HTTP app: the rate limits live in Redis (so two
apps share them: 429 with ``Retry-After``, keys that expire), a publication is pushed to the public cache at once
(the polling bound set to 30 s and the test clock standing still, only the push can show it), and an unreachable
Redis changes nothing but the limits' scope and ``/readyz``, with one warning in the log.

The shared Redis on 127.0.0.1:6379 with a key prefix of the test's own (skipped, saying so, when none answers);
the test of Redis going away and coming back uses a redis-server of its own (tests/support/redis_server.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW
from tests.factories import appoint_spokesperson, case_in_progress, standard_org
from tests.statements.helpers import Api
from tests.support.net import free_port
from tests.support.redis_server import SHARED_URL, RedisServer, shared_redis_or_skip, unique_prefix

NOTICES = "/api/public/v1/notices"


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own on the shared Redis; its keys are removed at the end."""
    client = shared_redis_or_skip()
    prefix = unique_prefix()
    yield prefix
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.destroy()


def wait_for(app: FastAPI, status: str, timeout: float = 5.0) -> None:
    """Until the app's link to Redis (connected by the task its lifespan starts) is ``status``."""
    deadline = time.monotonic() + timeout
    while app.state.redis.status != status:
        assert time.monotonic() < deadline, f"the Redis link is still {app.state.redis.status}, not {status}"
        time.sleep(0.02)


def limited(url: str, prefix: str, **overrides: object) -> dict[str, object]:
    return {"rate_limit_enabled": True, "rate_limit_read_burst": 3, "rate_limit_read_per_second": 0.1,
            "redis_url": url, "redis_key_prefix": prefix, "redis_retry_seconds": 0.1, **overrides}  # fmt: skip


def test_two_apps_share_one_bucket_in_redis(make_app: Callable[..., FastAPI], prefix: str) -> None:
    one, two = make_app(**limited(SHARED_URL, prefix)), make_app(**limited(SHARED_URL, prefix))
    with TestClient(one, base_url="https://testserver") as a, TestClient(two, base_url="https://testserver") as b:
        wait_for(one, "ok")
        wait_for(two, "ok")
        assert [c.get(NOTICES).status_code for c in (a, b, a)] == [200, 200, 200]  # the burst of 3, from both apps
        refused = b.get(NOTICES, headers={"Accept-Language": "en"})
        assert refused.status_code == 429
        wait = int(refused.headers["Retry-After"])
        assert wait in (9, 10)  # one token at 0.1 a second
        assert refused.json() == {"error": "RateLimited", "detail": f"Too many requests. Try again in {wait} seconds."}
        assert refused.headers["Cache-Control"] == "no-store"
        assert a.get(NOTICES).status_code == 429  # one bucket, whichever app asks

    shared = shared_redis_or_skip()
    key = f"{prefix}rate:read:testclient"
    assert float(shared.hget(key, "tokens") or -1) < 1
    assert 0 < shared.pttl(key) <= 31_000  # it expires once it would be full again: 3 tokens at 0.1 a second
    shared.close()


def test_inquiries_have_their_own_shared_bucket(make_app: Callable[..., FastAPI], prefix: str) -> None:
    settings = limited(SHARED_URL, prefix, rate_limit_inquiry_burst=1)
    one, two = make_app(**settings), make_app(**settings)
    with TestClient(one, base_url="https://testserver") as a, TestClient(two, base_url="https://testserver") as b:
        wait_for(one, "ok")
        wait_for(two, "ok")
        first = a.post("/api/public/v1/inquiries", json={})
        assert first.status_code == 422  # refused for its content, but it took the one token
        second = b.post("/api/public/v1/inquiries", json={})
        assert second.status_code == 429
        assert int(second.headers["Retry-After"]) in (179, 180)  # 20 an hour: one every 3 minutes
        assert a.get(NOTICES).status_code == 200  # reads are another bucket


def test_a_publication_is_pushed_to_the_public_cache_at_once(
    make_app: Callable[..., FastAPI], session: Session, prefix: str
) -> None:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW)
    reference = case_in_progress(session, now=FIXED_NOW).reference
    app = make_app(redis_url=SHARED_URL, redis_key_prefix=prefix, public_cache_check_seconds=30)
    with TestClient(app, base_url="https://testserver") as client:
        wait_for(app, "ok")
        assert client.get(NOTICES).json()["items"] == []  # cached; the test clock never reaches the 30 s check
        assert client.get(NOTICES).json()["items"] == []
        notice = Api(client).published(reference)
        published = time.monotonic()
        while not client.get(NOTICES).json()["items"]:
            assert time.monotonic() - published < 0.5, "the push did not reach the cache within 0.5 s"
            time.sleep(0.01)
        assert client.get(NOTICES).json()["items"][0]["number"] == notice["number"]
        scraped = client.get("/metrics").text
        assert "crisisdesk_redis_up 1.0" in scraped
        pushes = [line for line in scraped.splitlines() if line.startswith("crisisdesk_public_pushes_total ")]
        assert pushes and float(pushes[0].split()[1]) >= 1


def test_without_redis_the_app_serves_on_its_own_and_says_so(
    make_app: Callable[..., FastAPI], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="crisisdesk.redis")
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = make_app(**limited(nowhere, unique_prefix(), rate_limit_read_burst=2))
    with TestClient(app, base_url="https://testserver") as client:
        deadline = time.monotonic() + 5
        while not any(r.name == "crisisdesk.redis" for r in caplog.records):
            assert time.monotonic() < deadline, "no warning about Redis"
            time.sleep(0.02)
        assert [client.get(NOTICES).status_code for _ in range(3)] == [200, 200, 429]  # this process's own bucket
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"
        assert ready.json()["redis"] == {"status": "unavailable", "affects_readiness": False}
        time.sleep(0.5)  # several reconnection attempts (every 0.1 s)
    warnings = [r for r in caplog.records if r.name == "crisisdesk.redis" and r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].getMessage().startswith("Redis unavailable (ConnectionError)")
    assert warnings[0].exc_info is None  # a line, not a traceback


def test_redis_going_away_and_coming_back(
    make_app: Callable[..., FastAPI], session: Session, own_redis: RedisServer
) -> None:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW)
    reference = case_in_progress(session, now=FIXED_NOW).reference
    app = make_app(**limited(own_redis.url, unique_prefix(), rate_limit_read_burst=100, public_cache_check_seconds=30))
    with TestClient(app, base_url="https://testserver") as client:
        wait_for(app, "ok")
        assert client.get("/readyz").json()["redis"]["status"] == "ok"
        own_redis.stop()
        wait_for(app, "unavailable")
        assert [client.get(NOTICES).status_code for _ in range(5)] == [200] * 5
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json()["redis"]["status"]) == (200, "unavailable")

        own_redis.start()
        wait_for(app, "ok")
        assert client.get(NOTICES).json()["items"] == []
        Api(client).published(reference)
        published = time.monotonic()
        while not client.get(NOTICES).json()["items"]:
            assert time.monotonic() - published < 0.5, "no push after Redis came back"
            time.sleep(0.01)


def test_readyz_says_off_without_redis(client: TestClient) -> None:
    assert client.get("/readyz").json()["redis"] == {"status": "off", "affects_readiness": False}


@pytest.mark.parametrize("hung", [False, True], ids=["answering", "hung"])
def test_an_app_always_stops(make_app: Callable[..., FastAPI], own_redis: RedisServer, hung: bool) -> None:
    """The shutdown cancels the listener wherever it is: in a read, a ping that times out because Redis hangs
    (SIGSTOP: its connections stay open and nothing answers), the pause between two attempts. A cancellation that
    lands inside a Redis call's own timeout came out as that timeout and the listener went on for ever (seen once in
    CI as a test hung at shutdown): stopped twenty times at varied moments, each shutdown must end."""
    for attempt in range(20):
        app = make_app(**limited(own_redis.url, unique_prefix(), redis_retry_seconds=0.1))
        client = TestClient(app, base_url="https://testserver")
        client.__enter__()
        wait_for(app, "ok")
        if hung:
            own_redis.pause()
        time.sleep(0.01 * (attempt % 10))
        stopping = threading.Thread(target=client.__exit__, args=(None, None, None), daemon=True)
        stopping.start()
        stopping.join(timeout=30)
        if hung:
            own_redis.resume()
        assert not stopping.is_alive(), f"shutdown {attempt + 1} never ended"
