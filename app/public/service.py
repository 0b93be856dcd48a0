"""The public side's version: bumped in the transaction of every change the public can see, read (cheaply) by
each web process at most once a second to know whether its cached public responses are still right.

Callers: ``notices.service.issue_notice`` (every publication, correction and withdrawal, embargoed ones
included), ``spokespersons.service`` (appointments made or ended) and ``org.service`` (accounts: a director's name,
title, phone and e-mail are in the registry).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.counters import current_value, next_value
from app.notices.models import Notice
from app.public.models import PublicSnapshot
from app.spokespersons.models import SpokespersonAppointment

SCOPE = "public-version"
YEAR = 0  # the counter is not yearly: one row


def bump(session: Session) -> int:
    """Say that what the public sees changed (inside the caller's transaction: it counts only if it commits)."""
    return next_value(session, scope=SCOPE, year=YEAR)


def snapshot(session: Session, now: datetime) -> PublicSnapshot:
    """The version and the next scheduled change after ``now`` (three indexed or tiny reads)."""
    version = current_value(session, scope=SCOPE, year=YEAR)
    upcoming: list[datetime] = []
    embargo = session.exec(select(func.min(Notice.published_at)).where(col(Notice.published_at) > now)).one()
    if embargo is not None:
        upcoming.append(embargo)
    a = SpokespersonAppointment
    rows = session.exec(
        select(a.valid_from, a.valid_until, a.ended_at).where(
            or_(col(a.valid_from) > now, col(a.valid_until) > now, col(a.ended_at) > now)
        )
    ).all()
    for row in rows:
        upcoming += [t for t in row if t is not None and t > now]
    return PublicSnapshot(version=version, next_change_at=min(upcoming) if upcoming else None)
