"""Deadlines: a case's clocks and how each was computed; extensions; "met outside the system"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.clocks import actions as clock_actions
from app.clocks import queries as clock_queries
from app.clocks.models import ClockExplanation, ClockPage, ClockRead, ExtendIn, MarkMetIn
from app.validation import MAX_ID
from app.web.deps import ActorDep, LocaleDep, NowDep, SessionDep

router = APIRouter(tags=["deadlines"])

Reference = Annotated[str, Path(max_length=30, description="The case reference, e.g. VV-2026-00042")]
ClockId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/cases/{reference}/clocks", response_model=ClockPage)
def list_clocks(
    session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, reference: Reference
) -> ClockPage:
    """The case's clocks: statutory (``basis`` cites the law in its official form), internal targets and tasks.
    ``due_at`` is local time with its offset; a period in days ends at 24:00 of its last day (00:00 of the next).
    ``state``: pending, running, paused, met_on_time, met_late, missed, stopped; ``overdue`` is computed."""
    return ClockPage(items=clock_queries.list_clocks(session, actor=actor, reference=reference, now=now, locale=locale))


@router.get("/cases/{reference}/clocks/{clock_id}/explain", response_model=ClockExplanation)
def explain_clock(
    session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, reference: Reference, clock_id: ClockId
) -> ClockExplanation:
    """How the due time was computed: the rule, the start, every day counted or skipped (weekend, holiday, extra
    day off) and the make-up days counted."""
    return clock_queries.explain_clock(
        session, actor=actor, reference=reference, clock_id=clock_id, now=now, locale=locale
    )


@router.post("/cases/{reference}/clocks/{clock_id}/extend", response_model=ClockRead)
def extend_clock(
    session: SessionDep,
    actor: ActorDep,
    now: NowDep,
    locale: LocaleDep,
    reference: Reference,
    clock_id: ClockId,
    body: ExtendIn,
) -> ClockRead:
    """Extend a running or paused clock by ``by`` units of its own unit (hours for a task). Spokesperson or
    director only; the reason is logged in the case's history."""
    return clock_actions.extend_clock(session, actor=actor, reference=reference, clock_id=clock_id, by=body.by,
                                reason=body.reason, now=now, locale=locale)  # fmt: skip


@router.post("/cases/{reference}/clocks/{clock_id}/met", response_model=ClockRead)
def mark_met(
    session: SessionDep,
    actor: ActorDep,
    now: NowDep,
    locale: LocaleDep,
    reference: Reference,
    clock_id: ClockId,
    body: MarkMetIn,
) -> ClockRead:
    """Record that the clock was met outside the system (e.g. answered at a press conference), with a note."""
    return clock_actions.mark_met(session, actor=actor, reference=reference, clock_id=clock_id, note=body.note,
                            at=body.at, now=now, locale=locale)  # fmt: skip
