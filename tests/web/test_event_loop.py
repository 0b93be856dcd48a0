"""No blocking database work on the event loop (issue 16, finding 1).

An ``async def`` route or dependency that touches the database synchronously stalls every request of its
process; under a burst it deadlocks with the transactions waiting for the loop (40 intakes froze a worker for a
minute). Two checks: every route's dependency tree is read (an async callable may not take the session), and
every test of the suite runs under ``tests/loopguard.py``, which fails a test whose async code ran a statement.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.web.deps import SessionDep, get_db, get_read_db
from app.web.openapi import api_routes
from tests import loopguard


def _is_async(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


# The two session dependencies are async only to end their sessions in threads (app/web/deps.py).
SESSIONS = (get_db, get_read_db)


def _offenders(app: FastAPI) -> list[str]:
    offenders = []
    routes = api_routes(app)
    assert len(routes) > 100
    for route in routes:
        for dependant in _walk(route.dependant):
            if dependant.call in SESSIONS or not _is_async(dependant.call):
                continue
            if any(sub.call in SESSIONS for sub in dependant.dependencies):
                offenders.append(f"{route.path}: {getattr(dependant.call, '__qualname__', dependant.call)}")
    return offenders


def test_no_async_route_or_dependency_takes_the_session(app: FastAPI) -> None:
    offenders = _offenders(app)
    assert not offenders, "async callables that take the database session (make them plain def):\n" + "\n".join(
        sorted(set(offenders)))  # fmt: skip


def test_the_guard_catches_an_async_route_that_queries(app: FastAPI) -> None:
    @app.get("/test-only/async-query")
    async def bad(session: SessionDep) -> dict[str, int]:
        return {"one": int(session.execute(text("SELECT 1")).scalar_one())}

    @app.get("/test-only/sync-query")
    def good(session: SessionDep) -> dict[str, int]:
        return {"one": int(session.execute(text("SELECT 1")).scalar_one())}

    assert _offenders(app) == [
        "/test-only/async-query: test_the_guard_catches_an_async_route_that_queries.<locals>.bad"
    ]
    with TestClient(app) as client:
        assert client.get("/test-only/sync-query").json() == {"one": 1}
        assert loopguard.violations == []
        assert client.get("/test-only/async-query").json() == {"one": 1}
    assert loopguard.violations and "SELECT 1" in loopguard.violations[0]
    loopguard.violations.clear()  # seen: the suite's own guard must not fail this test


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/public/v1/notices", "/staff/", "/notices", "/readyz"])
def test_common_requests_run_their_queries_off_the_loop(client: TestClient, path: str) -> None:
    client.get(path, headers={"Authorization": "Bearer nothing-valid"})
    assert loopguard.violations == []
