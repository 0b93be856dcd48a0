"""What the public sees, as a whole: its version (``app/public_version.py``) and when it next changes by itself —
an embargoed notice's minute, an appointment taking effect or running out. Read by the public edge's cache."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app import public_version
from app.notices.models import Notice
from app.spokespersons.models import SpokespersonAppointment


@dataclass(frozen=True)
class PublicSnapshot:
    """``version`` goes up with every change of what the public sees (a notice issued — a publication, a
    correction, a withdrawal, embargoed or not — or a change to the spokesperson registry). ``next_change_at`` is
    the next moment when what the public sees changes without anyone acting: an embargoed notice's minute, an
    appointment taking effect or running out. A response rendered at ``version`` stays right until either moves."""

    version: int
    next_change_at: datetime | None


def snapshot(session: Session, now: datetime) -> PublicSnapshot:
    """The version and the next scheduled change after ``now`` (three indexed or tiny reads)."""
    version = public_version.current(session)
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
