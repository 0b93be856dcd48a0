"""The clocks' due-time arithmetic, pure: a clock's effective start (moved on by its pauses) and its due time on a
working-day calendar (``workdays.rules``). The clock engine (``service.py``) stores what these compute.

Worked example: a clock of 5 working days started Friday 10:00, paused 2 hours → effective start Friday 12:00;
its due time is what ``workdays.rules.due_at`` says for 5 working days from then (plus any extension).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from app.workdays import rules as workdays
from app.workdays.rules import Calendar, PeriodUnit


class ClockTimes(Protocol):
    """What the arithmetic reads of a clock (``clocks.models.Clock`` has it; no table is imported here)."""

    @property
    def start_at(self) -> datetime | None: ...
    @property
    def paused_seconds(self) -> int: ...
    @property
    def unit(self) -> PeriodUnit: ...
    @property
    def length(self) -> int: ...
    @property
    def extension(self) -> int: ...
    @property
    def fixed_due_at(self) -> datetime | None: ...


def effective_start(clock: ClockTimes) -> datetime | None:
    """The start moved on by the time the clock spent paused."""
    if clock.start_at is None:
        return None
    return clock.start_at + timedelta(seconds=clock.paused_seconds)


def compute_due(clock: ClockTimes, cal: Calendar) -> datetime | None:
    start = effective_start(clock)
    if start is None:
        return None
    if clock.unit == PeriodUnit.FIXED:
        assert clock.fixed_due_at is not None
        fixed = clock.fixed_due_at + timedelta(seconds=clock.paused_seconds)
        return workdays.due_at(start, clock.extension, PeriodUnit.FIXED, cal, fixed=fixed)
    return workdays.due_at(start, clock.length + clock.extension, clock.unit, cal)


# The units the calendar can move (hours run on the wall clock; a fixed time is fixed).
CALENDAR_UNITS = (PeriodUnit.DAYS, PeriodUnit.WORKING_DAYS)
