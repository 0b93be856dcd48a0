"""Test set-up: a real database built by the migrations, on SQLite (default) or PostgreSQL (TEST_DATABASE_URL).

Each test runs inside an outer transaction that is rolled back at the end; the app's own commits only release
SAVEPOINTs (SQLAlchemy's "joining a session into an external transaction"). Tests marked ``isolated_db`` get a
fresh database of their own, for real commits (concurrency).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app.db import make_engine, normalize_url
from app.demo import load_demo
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from tests import loopguard
from tests.shared_routes import share_routes
from tests.support import pgcluster
from tests.support.smtp import SmtpSink

# 27/11/2026 09:00 in Hồ Chí Minh City (a Friday).
FIXED_NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


class Clock:
    """A settable clock for the app under test."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


loopguard.install()


@pytest.fixture(autouse=True)
def no_database_on_event_loop() -> Iterator[None]:
    """Fails the test if any database statement ran on an event loop's thread (see tests/loopguard.py)."""
    loopguard.violations.clear()
    loopguard.ignored_loop = loopguard.running_loop()  # Playwright's, after a browser test on this worker
    yield
    found, loopguard.violations[:] = list(loopguard.violations), []
    assert not found, "blocking database I/O on the event loop:\n" + found[0]


# --- what runs in both legs of CI --------------------------------------------------------------------------

# Tests whose subject does not depend on the database engine run once, in the SQLite leg (the README's `make test`):
# the browser tests (Chromium on the pages; the queries under them are tested over HTTP on both engines) and the
# modules marked ``engine_independent`` (pure rules, the architecture, the message catalog), which may not open the
# test database. TEST_ENGINE_INDEPENDENT=1 runs them on PostgreSQL too. CONTRIBUTING.md, "CI time", says why.
ONCE_MARKERS = ("browser", "engine_independent")


def _once_elsewhere() -> bool:
    return bool(os.environ.get("TEST_DATABASE_URL")) and not os.environ.get("TEST_ENGINE_INDEPENDENT")


def pytest_report_header(config: pytest.Config) -> str | None:
    if _once_elsewhere():
        return "PostgreSQL leg: the tests marked browser / engine_independent are deselected (they run on SQLite)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("engine_independent") and "databases" in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(f"{item.nodeid} is marked engine_independent but uses the test database")
    if not _once_elsewhere():
        return
    once = [item for item in items if any(item.get_closest_marker(m) for m in ONCE_MARKERS)]
    if once:
        config.hook.pytest_deselected(items=once)
        skipped = set(once)
        items[:] = [item for item in items if item not in skipped]


# --- databases ----------------------------------------------------------------------------------------------


def _worker_suffix() -> str:
    """Unique per run and per xdist worker, so that parallel runs on one server never share a database."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


class Databases:
    """Creates and drops the test databases of one run."""

    def __init__(self, base_url: str | None, tmp: Path) -> None:
        self.base_url = normalize_url(base_url) if base_url else None
        self.tmp = tmp
        self.created: list[str] = []
        # Databases a test is done with, dropped meanwhile by one thread (``release``); ``drop_all`` drops the rest.
        self._dropper: ThreadPoolExecutor | None = None
        self._dropping: list[Future[None]] = []

    @property
    def is_postgres(self) -> bool:
        return self.base_url is not None

    def _admin(self) -> Engine:
        assert self.base_url is not None
        return make_engine(self.base_url).execution_options(isolation_level="AUTOCOMMIT")

    def create(self, name: str, template: str | None = None) -> str:
        if self.base_url is None:
            path = self.tmp / f"{name}.db"
            if template:
                shutil.copy(self.tmp / f"{template}.db", path)
            return f"sqlite:///{path}"
        admin = self._admin()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        admin.dispose()
        self.created.append(name)
        return make_url(self.base_url).set(database=name).render_as_string(hide_password=False)

    def release(self, name: str) -> None:
        """Drop ``name`` (a test is done with it) on a thread of this run's own, while the tests go on: a drop
        takes ~0.1 s of the server's disk, and the ~75 databases a process made, dropped one after the other at the
        end, held each PostgreSQL test process ~10 s past its last test."""
        if self.base_url is None:
            return
        if self._dropper is None:
            self._dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-databases")
        self._dropping.append(self._dropper.submit(self._drop, [name]))

    def _drop(self, names: list[str]) -> None:
        admin = self._admin()
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    def drop_all(self) -> None:
        if self.base_url is None:
            return
        for dropping in self._dropping:
            dropping.exception()  # waits; a drop that failed is made again below
        if self._dropper is not None:
            self._dropper.shutdown()
        self._drop(self.created)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(os.environ.get("TEST_DATABASE_URL"), tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def template_db(databases: Databases) -> str:
    """A database migrated to head and never connected to again: the template for isolated tests."""
    name = f"crisisdesk_tmpl_{_worker_suffix()}"
    url = databases.create(name)
    upgrade(url)
    return name


@pytest.fixture(scope="session")
def db_url(databases: Databases, template_db: str) -> str:
    return databases.create(f"crisisdesk_test_{_worker_suffix()}", template=template_db)


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url, pool_size=5, max_overflow=20)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def demo_engine(databases: Databases, template_db: str) -> Iterator[Engine]:
    """A database with the demo loaded and committed, once per test process. A module whose tests read the demo
    overrides ``engine`` with it (``def engine(demo_engine): return demo_engine``); each test still rolls back."""
    url = databases.create(f"crisisdesk_demo_{_worker_suffix()}", template=template_db)
    eng = make_engine(url, pool_size=5, max_overflow=20)
    with Session(eng, expire_on_commit=False) as session:
        load_demo(session, settings=make_settings(url), now=FIXED_NOW)
        session.commit()
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as s:
        yield s


class JoinedSessions:
    """The app's session factory in tests: every session joins the test's outer transaction."""

    def __init__(self, connection: Connection, engine: Engine) -> None:
        self.connection = connection
        self.engine = engine

    def __call__(self, *, write: bool) -> Session:
        return Session(bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


# --- the app ------------------------------------------------------------------------------------------------


def make_settings(db_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": db_url,
        "argon2_time_cost": 1,
        "argon2_memory_cost": 1024,
        "rate_limit_enabled": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(db_url: str) -> Settings:
    return make_settings(db_url)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: Settings, engine: Engine, connection: Connection, clock: Clock) -> FastAPI:
    application = share_routes(create_app(settings, engine=engine, clock=clock))
    application.state.sessions = JoinedSessions(connection, engine)
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=True) as c:
        yield c


@pytest.fixture
def isolated_url(databases: Databases, template_db: str) -> Iterator[str]:
    """A fresh migrated database for a test that commits for real (dropped once the test is done with it)."""
    name = f"crisisdesk_iso_{uuid.uuid4().hex[:10]}"
    yield databases.create(name, template=template_db)
    databases.release(name)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on 127.0.0.1 (``smtp_sink.port``) that keeps every message it receives."""
    with SmtpSink() as sink:
        yield sink


# --- a primary with a streaming replica -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def replicated_pg() -> Iterator[pgcluster.ReplicatedPair]:
    """A throwaway PostgreSQL primary (database ``crisisdesk``, migrated to head) and a hot standby streaming from
    it, on free ports, made and destroyed per test module (``tests/support/pgcluster.py``). The tests that take it
    start their own clusters, so they run once: in the PostgreSQL leg (``TEST_DATABASE_URL``)."""
    if not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"):
        pytest.skip("starts its own PostgreSQL primary and replica: runs in the PostgreSQL leg (TEST_DATABASE_URL)")
    if not pgcluster.available():
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    with pgcluster.replicated_pair() as pair:
        upgrade(pair.primary.url)
        pair.wait_replayed()
        yield pair
