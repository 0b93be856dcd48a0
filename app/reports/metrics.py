"""Database metrics read at scrape time (``app/metrics.py``): open cases and overdue clocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.cases.models import Case
from app.cases.workflow import OPEN_STATUSES
from app.clocks.models import TICKING_STATES, Clock, ClockOrigin
from app.metrics import database_metric

# --- database metrics (read at scrape time; see app/metrics.py) ---------------------------------------------------


@database_metric(
    "crisisdesk_open_cases",
    "Open cases (not yet published or closed) by severity and status.",
    ("severity", "status"),
)
def open_case_counts(session: Session, _now: datetime) -> list[tuple[tuple[str, str], float]]:
    rows = session.execute(
        select(Case.severity, Case.status, func.count())
        .where(col(Case.status).in_(OPEN_STATUSES))
        .group_by(col(Case.severity), col(Case.status))
    ).all()
    return [((severity.value, status.value), float(n)) for severity, status, n in rows]


@database_metric(
    "crisisdesk_clocks_overdue",
    "Clocks running or paused past their due time, by origin (statutory, internal, task).",
    ("origin",),
)
def overdue_clock_counts(session: Session, now: datetime) -> list[tuple[tuple[str], float]]:
    rows = session.execute(
        select(Clock.origin, func.count())
        .where(col(Clock.state).in_(list(TICKING_STATES)), col(Clock.due_at) < now)
        .group_by(col(Clock.origin))
    ).all()
    counts = dict.fromkeys(ClockOrigin, 0)
    for origin, n in rows:
        counts[ClockOrigin(origin)] = n
    return [((origin.value,), float(n)) for origin, n in counts.items()]
