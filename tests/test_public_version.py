"""The public version's listeners hear of a bump after its transaction commits, never of one rolled back (whole
or in a savepoint): what the Redis push announces (app/public_version.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from app import public_version


@pytest.fixture
def heard() -> Iterator[list[int]]:
    versions: list[int] = []
    public_version.listen(versions.append)
    yield versions
    public_version.unlisten(versions.append)


def test_a_committed_bump_is_heard_once_after_the_commit(session: Session, heard: list[int]) -> None:
    first = public_version.bump(session)
    second = public_version.bump(session)
    assert heard == []  # not before the commit
    session.commit()
    assert heard == [second] == [first + 1]
    session.commit()  # nothing new: nothing heard
    assert heard == [second]


def test_a_rolled_back_bump_is_never_heard(session: Session, heard: list[int]) -> None:
    public_version.bump(session)
    session.rollback()
    session.commit()
    assert heard == []


def test_a_bump_in_a_rolled_back_savepoint_is_not_heard(session: Session, heard: list[int]) -> None:
    savepoint = session.begin_nested()
    public_version.bump(session)
    savepoint.rollback()
    session.commit()
    assert heard == []

    with session.begin_nested():  # released, then committed with its transaction: heard once, at the commit
        kept = public_version.bump(session)
    assert heard == []
    session.commit()
    assert heard == [kept]


def test_a_failing_listener_does_not_undo_the_commit(session: Session, heard: list[int]) -> None:
    def broken(version: int) -> None:
        raise RuntimeError("Redis client bug")

    public_version.listen(broken)
    try:
        version = public_version.bump(session)
        session.commit()  # no exception: the change is committed
    finally:
        public_version.unlisten(broken)
    assert heard == [version]
    assert public_version.current(session) == version
