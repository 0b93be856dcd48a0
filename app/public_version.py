"""The public side's version: bumped in the transaction of every change the public can see, read (cheaply) by
each web process at most once a second to know whether its cached public responses are still right.

Infrastructure, like ``app/counters.py`` on which it stands: it imports no domain, so every domain may call it.
Callers: ``notices.service.issue_notice`` (every publication, correction and withdrawal, embargoed ones
included), ``spokespersons.service`` (appointments made or ended), ``stories.service`` (a story published) and
``org.service`` (accounts: a director's name, title, phone and e-mail are in the registry). The snapshot the edge
reads (this version plus the next scheduled change) is ``app/notices/snapshot.py``.

**After the commit, listeners hear of it.** A web process with Redis registers one with :func:`listen` (it
publishes the new version on a channel, so every process empties its public cache at once instead of within its
polling bound). A listener is called once per committed transaction that bumped the version, with the highest
version that transaction wrote, in the thread that committed, after the commit: never for a transaction (or a
savepoint) that was rolled back. Worked example: a publication bumps to 41 inside its request's transaction; the
unit of work commits; the listener hears 41. Had the commit failed, or the request raised, it would hear nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from app.counters import current_value, next_value

SCOPE = "public-version"
YEAR = 0  # the counter is not yearly: one row
_PENDING = "crisisdesk.public_version.pending"  # session.info key: [(transaction, version), …] not yet committed

Listener = Callable[[int], None]
_listeners: list[Listener] = []
log = logging.getLogger("crisisdesk.public")


def bump(session: Session) -> int:
    """Say that what the public sees changed (inside the caller's transaction: it counts only if it commits)."""
    value = next_value(session, scope=SCOPE, year=YEAR)
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, value))
    return value


def current(session: Session) -> int:
    """The version now (one read of the counter row; 0 before the first change)."""
    return current_value(session, scope=SCOPE, year=YEAR)


def listen(listener: Listener) -> None:
    """Call ``listener(version)`` after each commit that bumped the version (see the module's docstring)."""
    _listeners.append(listener)


def unlisten(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_rolled_back(session: OrmSession, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        pending[:] = [(t, v) for t, v in pending if not _inside(t, previous_transaction)]


@event.listens_for(OrmSession, "after_commit")
def _announce_committed(session: OrmSession) -> None:
    if session.get_nested_transaction() is not None:
        return  # a SAVEPOINT released: the transaction around it may still roll back
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    version = max(v for _t, v in pending)
    for listener in list(_listeners):
        try:
            listener(version)
        except Exception:  # the change is committed: a listener's failure must not turn it into an error
            log.exception("public version: a listener failed after the commit of version %s", version)


@event.listens_for(OrmSession, "after_transaction_end")
def _end(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended (committed: announced above; else nothing)
        session.info.pop(_PENDING, None)
