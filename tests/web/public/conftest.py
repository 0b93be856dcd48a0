"""The public side's tests: the usual organisation with a standing spokesperson, a staff API client to publish,
and anonymous clients (a fresh TestClient sends no cookie and no token)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.main import create_app
from tests.conftest import FIXED_NOW, Clock, JoinedSessions, make_settings
from tests.factories import appoint_spokesperson, case_in_progress, standard_org
from tests.shared_routes import share_routes
from tests.statements.helpers import Api

NOTICES = "/api/public/v1/notices"
SEARCH_HIT, SEARCH_MISS = "học phí", "khủng long bạo chúa"

# The cache's bound in the default settings: what a test waits (on the test clock) to see a change.
BOUND = {"seconds": 1.01}


@pytest.fixture
def staff(client: TestClient, session: Session) -> Api:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW)
    return Api(client)


@pytest.fixture
def anon(app: FastAPI) -> Iterator[TestClient]:
    """A reader with no account: no cookie, no token."""
    with TestClient(app, base_url="https://testserver") as c:
        yield c


@pytest.fixture
def publish(staff: Api, session: Session) -> Callable[..., dict[str, Any]]:
    """Publish a notice on a new case (or ``reference``) through the staff API; returns the notice."""

    def _publish(text: str = "Nội dung trả lời.", *, reference: str | None = None, kind: str = "response",
                 **case_fields: Any) -> dict[str, Any]:  # fmt: skip
        if reference is None:
            reference = case_in_progress(session, now=FIXED_NOW, **case_fields).reference
        return staff.published(reference, kind=kind, text=text)

    return _publish


@pytest.fixture
def make_app(db_url: str, engine: Engine, connection: Connection, clock: Clock) -> Callable[..., FastAPI]:
    """An app with other settings (rate limits on, trusted proxies…), on the test's database and clock."""

    def _make(**overrides: object) -> FastAPI:
        application = share_routes(create_app(make_settings(db_url, **overrides), engine=engine, clock=clock))
        application.state.sessions = JoinedSessions(connection, engine)
        return application

    return _make


@pytest.fixture
def reads(publish: Callable[..., dict[str, Any]]) -> dict[str, str]:
    """The eight reads of bench/public_read.py, on two published notices."""
    notice = publish("Hướng dẫn thu học phí năm học 2026-2027.")
    publish("Thông báo lịch thi tuyển sinh lớp 10.")
    return {
        "notice": f"{NOTICES}/{quote(notice['number'], safe='')}",
        "list": NOTICES,
        "search hit": f"{NOTICES}?q={quote(SEARCH_HIT)}",
        "search miss": f"{NOTICES}?q={quote(SEARCH_MISS)}",
        "atom": f"{NOTICES}.atom",
        "html notice": f"/notices/{notice['slug']}",
        "html list": "/notices",
        "html search": f"/notices?q={quote(SEARCH_HIT)}",
    }
