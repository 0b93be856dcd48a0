"""The worker's subscription step: every due notice becomes queued mail for its subscribers, a batch per
transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.subscriptions.service import fan_out_step


def fan_out(engine: Engine, *, now: datetime, base_url: str, batch: int, should_stop: Callable[[], bool]) -> int:
    """Queue every due notice for its subscribers, one batch per transaction."""
    total = 0
    while not should_stop():
        with Session(engine, expire_on_commit=False) as session:
            covered = fan_out_step(session, now=now, base_url=base_url, batch=batch)
            session.commit()
        if covered == 0:
            return total
        total += covered
    return total
