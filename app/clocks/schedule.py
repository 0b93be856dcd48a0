"""When a clock's reminders are due and who receives them (product §5). Pure: no I/O.

Stages: at 50 % and 80 % of the clock's time the people working the case are reminded; at the due time the unit
head and the press office; past it (after a grace of a tenth of the clock's time, between 15 minutes and 24 hours)
the spokesperson and, for a ``crisis``, the director.

A clock that starts late (e.g. counted from an event that happened long ago) does not send the stages it has
already passed one after another: it sends the latest stage that is due, then carries on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from app.cases.vocabulary import Severity


class Stage(StrEnum):
    """Reminder stages of a clock: before (50 %, 80 % of its time), at and past the due time."""

    HALF = "half"
    LATE = "late"
    DUE = "due"
    OVERDUE = "overdue"
    PAGE = "page"  # not a clock's stage: a crisis page (app/crisis), delivered through the same outbox


STAGE_ORDER: tuple[Stage, ...] = (Stage.HALF, Stage.LATE, Stage.DUE, Stage.OVERDUE)
FRACTIONS: dict[Stage, float] = {Stage.HALF: 0.5, Stage.LATE: 0.8, Stage.DUE: 1.0}
MIN_GRACE = timedelta(minutes=15)
MAX_GRACE = timedelta(hours=24)


class Audience(StrEnum):
    ASSIGNEES = "assignees"  # the case's assignees (a task: the members of its unit)
    UNIT_HEADS = "unit_heads"  # the heads of the lead unit (a task: of its unit)
    PRESS_OFFICE = "press_office"
    SPOKESPERSON = "spokesperson"
    DIRECTOR = "director"


def grace(start: datetime, due: datetime) -> timedelta:
    return min(max((due - start) * 0.1, MIN_GRACE), MAX_GRACE)


def stage_times(start: datetime, due: datetime) -> dict[Stage, datetime]:
    """The moment of each stage for a clock running from ``start`` (plus its paused time) to ``due``."""
    span = max(due - start, timedelta(0))
    times = {stage: start + span * fraction for stage, fraction in FRACTIONS.items()}
    times[Stage.DUE] = due
    times[Stage.OVERDUE] = due + grace(start, due)
    return times


def next_stage(
    start: datetime, due: datetime, *, now: datetime, after: Stage | None = None
) -> tuple[Stage, datetime] | None:
    """The next stage to send after ``after`` (None: none sent yet): the latest one already due, else the first
    future one. None when every stage has been sent."""
    times = stage_times(start, due)
    remaining = STAGE_ORDER if after is None else STAGE_ORDER[STAGE_ORDER.index(after) + 1 :]
    if not remaining:
        return None
    passed = [s for s in remaining if times[s] <= now]
    stage = passed[-1] if passed else remaining[0]
    return stage, times[stage]


def sent_before(pending: Stage | None) -> Stage | None:
    """The last stage already sent when ``pending`` is the next one (None pending: all of them were)."""
    if pending is None:
        return STAGE_ORDER[-1]
    index = STAGE_ORDER.index(pending)
    return STAGE_ORDER[index - 1] if index else None


def stage_due(start: datetime, due: datetime, *, now: datetime, pending: Stage) -> Stage:
    """The stage to send now for a clock whose next unsent stage is ``pending``: the latest one already due (the
    ones before it were missed, e.g. while no worker ran, and are not sent late)."""
    times = stage_times(start, due)
    remaining = STAGE_ORDER[STAGE_ORDER.index(pending) :]
    passed = [s for s in remaining if times[s] <= now]
    return passed[-1] if passed else pending


def audiences(stage: Stage, severity: Severity) -> tuple[Audience, ...]:
    if stage in (Stage.HALF, Stage.LATE):
        return (Audience.ASSIGNEES,)
    if stage == Stage.DUE:
        return (Audience.UNIT_HEADS, Audience.PRESS_OFFICE)
    if severity == Severity.CRISIS:
        return (Audience.SPOKESPERSON, Audience.DIRECTOR)
    return (Audience.SPOKESPERSON,)


# When nobody is assigned yet, the reminder meant for the assignees goes to the unit head, else the press office.
FALLBACK: dict[Audience, Audience] = {
    Audience.ASSIGNEES: Audience.UNIT_HEADS,
    Audience.UNIT_HEADS: Audience.PRESS_OFFICE,
}
