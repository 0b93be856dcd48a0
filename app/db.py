"""Database plumbing: the engine factory, column types and the unit of work.

One factory serves production, the CLI and the tests, so SQLite behaves the same everywhere:
foreign keys on, WAL, a busy timeout, and SQLAlchemy's pysqlite recipe (we emit BEGIN ourselves) so that
transactions and SAVEPOINTs work. Write requests begin with ``BEGIN IMMEDIATE`` on SQLite: a writer takes the
write lock before it reads, so two racing writers queue instead of failing with "database is locked".
"""

from __future__ import annotations

import asyncio
import enum
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import JSON, DateTime, String, TypeDecorator, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel, create_engine

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

E = TypeVar("E", bound=enum.Enum)

# A JSON column that is JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class StrEnumType(TypeDecorator[E]):
    """Stores an enum's ``.value`` as a plain string (no native PG ENUM: ALTER TYPE and SQLite do not mix)."""

    impl = String(40)
    cache_ok = True

    def __init__(self, enum_cls: type[E], length: int = 40) -> None:
        super().__init__(length)
        self.enum_cls = enum_cls

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(self.enum_cls(value).value)

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_cls(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], E | None] | None:
        """``process_result_value`` as one call a value, the member found by its value in the enum's own map
        (a page of 50 cases reads ~300 enum values: ``Enum.__call__`` was a third of their cost)."""
        if self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype):
            return super().result_processor(dialect, coltype)  # a driver that converts strings itself
        members: dict[Any, E] = self.enum_cls._value2member_map_  # type: ignore[assignment]
        enum_cls = self.enum_cls

        def process(value: Any) -> E | None:
            if value is None:
                return None
            try:
                return members[value]
            except KeyError:
                return enum_cls(value)  # a value of no member: the same ValueError as before

        return process


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both databases (SQLite keeps no offset: we re-attach UTC on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("UTCDateTime needs a datetime")
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        result: datetime = value.replace(tzinfo=None) if dialect.name == "sqlite" else value
        return result

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], datetime | None] | None:
        """``process_result_value`` as one call a value. On PostgreSQL the connection's time zone is UTC
        (``make_engine``), so psycopg gives each timestamp with ``datetime.UTC`` already: it is kept as it is,
        converted only if a connection says otherwise (a pooler that drops the start-up options)."""
        if dialect.name != "postgresql" or self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype):
            return super().result_processor(dialect, coltype)  # SQLite: the text parsed, then UTC attached

        def process(value: Any) -> datetime | None:
            if value is None or value.tzinfo is UTC:
                return value  # type: ignore[no-any-return]
            return self.process_result_value(value, dialect)

        return process


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` / ``postgres://`` URLs and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    echo: bool = False,
    pool_timeout: float = 30.0,
    lock_timeout: float | None = None,
    connect_timeout: int | None = None,
) -> Engine:
    """The engine. ``pool_timeout``: the longest wait for a pooled connection (then ``sqlalchemy.exc.TimeoutError``);
    ``lock_timeout`` (PostgreSQL): the longest wait for a lock, e.g. a counter row (then ``LockNotAvailable``);
    ``connect_timeout``: the longest wait to connect. The web app answers each of them 503 + Retry-After."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        busy = lock_timeout if lock_timeout is not None else 30.0  # how long a writer waits for the write lock
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": busy},
            poolclass=NullPool if path in (None, "", ":memory:") else None,
        )
        _install_sqlite_recipe(engine, busy)
        return engine
    connect_args: dict[str, Any] = {}
    if connect_timeout is not None:
        connect_args["connect_timeout"] = connect_timeout
    # Every statement planned for its own parameters: psycopg prepares a statement run five times on a connection,
    # and PostgreSQL's generic plan for it then guesses what a parameter matches (a search's ``LIKE $1``, a page's
    # ``LIMIT $2``): the eleventh same search of a pooled connection took 0.4-1.4 s instead of 12-30 ms at a
    # million cases. Values stay bound parameters; planning a list's statement costs well under a millisecond.
    # Timestamps come back in UTC (``UTCDateTime`` then keeps them as psycopg gives them).
    options = ["-c plan_cache_mode=force_custom_plan", "-c TimeZone=UTC"]
    if lock_timeout is not None:
        options.append(f"-c lock_timeout={int(lock_timeout * 1000)}")
    connect_args["options"] = " ".join(options)
    return create_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,  # a connection that died with the server is replaced on checkout, not handed out
        pool_recycle=1800,
        connect_args=connect_args,
    )


def _install_sqlite_recipe(engine: Engine, busy_seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (pysqlite recipe)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def writer(engine: Engine) -> Engine:
    """The same engine, but SQLite transactions take the write lock up front (``BEGIN IMMEDIATE``)."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_begin="IMMEDIATE")


class SessionFactory:
    """Opens the sessions of the web app: read-only requests and writing requests.

    Tests replace it with one bound to a connection in an outer transaction.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def __call__(self, *, write: bool) -> Session:
        return Session(bind=self._writer if write else self.engine, expire_on_commit=False)


def unit_of_work(factory: SessionFactory, *, write: bool) -> Iterator[Session]:
    """Commit once if the request handler returned normally; roll back otherwise."""
    session = factory(write=write)
    try:
        yield session
    except BaseException:
        _end(session, commit=False)
        raise
    _end(session, commit=write)


@asynccontextmanager
async def unit_of_work_in(
    factory: SessionFactory, *, write: bool, lane: anyio.CapacityLimiter
) -> AsyncIterator[Session]:
    """``unit_of_work`` for async callers: the same commit-or-roll-back, each database call (commit, rollback,
    close) run in a thread of ``lane``, never on the event loop."""
    async with ending_in(factory(write=write), write=write, lane=lane) as session:
        yield session


@asynccontextmanager
async def ending_in(session: Session, *, write: bool, lane: anyio.CapacityLimiter) -> AsyncIterator[Session]:
    """The end of ``session``'s unit of work, for async callers: commit (``write``) or roll back if the caller
    returned normally, roll back otherwise, then close; in ONE thread of ``lane`` (``_end``). A session that was
    never used holds no connection: it is closed at once, with no thread. (Two hops, the commit or roll back and
    then the close, each waited for a thread and for the event loop: on a loaded machine a read request's end took
    two trips through the scheduler where one does.)"""
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(partial(_end, session, commit=False), limiter=lane)
        raise
    if in_use(session):
        await anyio.to_thread.run_sync(partial(_end, session, commit=write), limiter=lane)
    else:
        session.close()  # no transaction, no connection: nothing to send


def _end(session: Session, *, commit: bool) -> None:
    """Commit or roll back, then close; a commit that fails is rolled back before the close."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def in_use(session: Session) -> bool:
    """Whether ``session`` began a transaction (it read or wrote something); one that did not has nothing to
    commit and holds no connection."""
    return session.in_transaction()


class Admission:
    """At most as many requests in their unit of work as the pool has connections; the others wait here, on the
    event loop, holding no thread, for at most ``timeout`` seconds (then ``PoolTimeout``: the app answers 503).

    Without it, a burst of writes fills the request thread pool with threads blocked on the connection pool or on a
    row lock (a yearly counter), and the transaction that holds the lock cannot get the thread it needs to
    serialise its answer (FastAPI validates a plain ``def`` route's answer in that same pool) before it commits:
    everyone waits for the pool's time-out. Admitted requests never wait for a connection, so threads stay free."""

    def __init__(self, slots: int, timeout: float) -> None:
        self.slots, self.timeout = slots, timeout
        # One per event loop, made in it (a server has one loop; tests' clients may each run their own).
        self._semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = anyio.Semaphore(self.slots)
        try:
            with anyio.fail_after(self.timeout):
                await semaphore.acquire()
        except TimeoutError:
            raise PoolTimeout(f"{self.slots} requests held every connection for {self.timeout:g} s") from None
        try:
            yield
        finally:
            semaphore.release()


def utcnow() -> datetime:
    """The real clock. Code receives time as an argument; only the clock dependency and the CLI call this."""
    return datetime.now(UTC)


def discard_changes(session: Session) -> None:
    """A form is shown again with its errors: undo whatever the failed service call had flushed, so that the
    unit of work commits nothing of it (the web layer calls this, never ``session.rollback()`` itself)."""
    session.rollback()
