"""The public side's version: bumped in the transaction of every change the public can see, read (cheaply) by
each web process at most once a second to know whether its cached public responses are still right.

Infrastructure, like ``app/counters.py`` on which it stands: it imports no domain, so every domain may call it.
Callers: ``notices.service.issue_notice`` (every publication, correction and withdrawal, embargoed ones
included), ``spokespersons.service`` (appointments made or ended) and ``org.service`` (accounts: a director's name,
title, phone and e-mail are in the registry). The snapshot the edge reads (this version plus the next scheduled
change) is ``app/notices/snapshot.py``.
"""

from __future__ import annotations

from sqlmodel import Session

from app.counters import current_value, next_value

SCOPE = "public-version"
YEAR = 0  # the counter is not yearly: one row


def bump(session: Session) -> int:
    """Say that what the public sees changed (inside the caller's transaction: it counts only if it commits)."""
    return next_value(session, scope=SCOPE, year=YEAR)


def current(session: Session) -> int:
    """The version now (one read of the counter row; 0 before the first change)."""
    return current_value(session, scope=SCOPE, year=YEAR)
