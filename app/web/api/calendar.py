"""The working-day calendar, the legal rule packs and the internal targets (admin)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path

from app.clocks import calendar as clock_calendar
from app.rules import service as rules
from app.rules.models import InternalTargetCreate, InternalTargetRead, InternalTargetUpdate
from app.rules.schema import RulePackRead
from app.validation import MAX_ID
from app.web.deps import ActorDep, LocaleDep, NowDep, SessionDep
from app.workdays import service as workdays
from app.workdays.models import CalendarYearRead, OverrideCreate, OverrideRead

router = APIRouter(tags=["deadlines"])

Year = Annotated[int, Path(ge=2000, le=2100)]
TargetId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/calendar/{year}", response_model=CalendarYearRead)
def calendar_year(session: SessionDep, actor: ActorDep, locale: LocaleDep, year: Year) -> CalendarYearRead:
    """The year's public holidays (Vietnam, lunar dates included) and the admin's overrides (extra days off,
    make-up working days), with the number of working days."""
    return workdays.calendar_year(session, actor=actor, year=year, locale=locale)


@router.post("/calendar/overrides", response_model=OverrideRead, status_code=201)
def add_override(
    session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, body: OverrideCreate
) -> OverrideRead:
    """Add an extra day off or a make-up working day (admin). Running clocks counted in days or working days are
    recomputed; clocks in hours are not."""
    row = clock_calendar.add_override(session, actor=actor, data=body, now=now)
    return workdays.override_read(row, locale)


@router.delete("/calendar/overrides/{day}", status_code=204)
def remove_override(session: SessionDep, actor: ActorDep, now: NowDep, day: date) -> None:
    """Remove the override of a day (admin); running clocks are recomputed."""
    clock_calendar.remove_override(session, actor=actor, day=day, now=now)


@router.get("/rule-packs", response_model=list[RulePackRead])
def rule_packs(actor: ActorDep) -> list[RulePackRead]:
    """The legal rule packs and their effective dates (read-only: they change with the law, in code review)."""
    return rules.list_packs(actor=actor)


@router.get("/targets", response_model=list[InternalTargetRead])
def list_targets(session: SessionDep, actor: ActorDep) -> list[InternalTargetRead]:
    """The Sở's internal targets (its own clocks), per severity and source kind."""
    return [rules.target_read(t) for t in rules.list_targets(session, actor=actor)]


@router.post("/targets", response_model=InternalTargetRead, status_code=201)
def create_target(session: SessionDep, actor: ActorDep, now: NowDep, body: InternalTargetCreate) -> InternalTargetRead:
    """Add an internal target (admin). It applies to clocks started from now on."""
    return rules.target_read(rules.create_target(session, actor=actor, data=body, now=now))


@router.patch("/targets/{target_id}", response_model=InternalTargetRead)
def update_target(
    session: SessionDep, actor: ActorDep, now: NowDep, target_id: TargetId, body: InternalTargetUpdate
) -> InternalTargetRead:
    """Change an internal target (admin); running clocks keep the rule they started with."""
    return rules.target_read(rules.update_target(session, actor=actor, target_id=target_id, data=body, now=now))


@router.delete("/targets/{target_id}", response_model=InternalTargetRead)
def deactivate_target(session: SessionDep, actor: ActorDep, now: NowDep, target_id: TargetId) -> InternalTargetRead:
    """Deactivate an internal target (admin): it no longer applies to new clocks; its history stays."""
    return rules.target_read(rules.deactivate_target(session, actor=actor, target_id=target_id, now=now))
