"""Admin screens of the deadline engine: the working-day calendar (a year view with the public holidays of the
``holidays`` package, the extra days off and the make-up working days; overrides added and removed) and the Sở's
internal targets (list, create, edit, deactivate).

Any staff member may read them; changing them needs ``calendar:manage`` / ``targets:manage`` (the services check).
"""

from __future__ import annotations

import calendar as monthcal
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.permissions import Actor, Permission, can, require
from app.clocks import calendar as clock_calendar
from app.db import discard_changes
from app.errors import DomainError
from app.i18n import text
from app.rules import service as rules
from app.rules.models import InternalTargetCreate, InternalTargetUpdate
from app.rules.schema import StartEvent
from app.timeutil import local_date
from app.validation import MAX_ID
from app.web.dates import iso_local, parse_date
from app.web.deps import ActorDep, NowDep, SessionDep, get_locale
from app.web.staff.forms import FORM_ERROR, Errors, FormDep, Values, form_errors, form_values
from app.web.templating import render
from app.workdays import service as workdays
from app.workdays.models import OverrideCreate, OverrideKind
from app.workdays.rules import DayKind, PeriodUnit

router = APIRouter(prefix="/admin")

TargetId = Annotated[int, Path(ge=1, le=MAX_ID)]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]


# --- the calendar -------------------------------------------------------------------------------------------


@dataclass
class Month:
    first: date
    weeks: list[list[tuple[date, DayKind] | None]]  # Monday first; None outside the month


def year_grid(year: int, kinds: dict[date, DayKind]) -> list[Month]:
    months = []
    for month in range(1, 13):
        weeks = [
            [(day, kinds[day]) if day.month == month else None for day in week]
            for week in monthcal.Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        months.append(Month(date(year, month, 1), weeks))
    return months


def _calendar_page(request: Request, session: Session, actor: Actor, year: int, *, values: Values,
                   errors: Errors, status_code: int = 200) -> Response:  # fmt: skip
    locale = get_locale(request)
    view = workdays.calendar_year(session, actor=actor, year=year, locale=locale)
    ctx = {
        "year": year,
        "view": view,
        "months": year_grid(year, workdays.day_kinds(session, actor=actor, year=year)),
        "holidays": [d for d in view.days if d.holiday],
        "may_edit": can(actor, Permission.CALENDAR_MANAGE),
        "kinds": list(DayKind),
        "override_kinds": list(OverrideKind),
        "values": values,
        "errors": errors,
    }
    return render(request, "staff/admin/calendar.html", ctx, status_code=status_code)


@router.get("/calendar")
def calendar_view(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, year: YearQuery = None
) -> Response:
    return _calendar_page(request, session, actor, year or local_date(now).year, values={}, errors={})


@router.post("/calendar/overrides")
def add_override(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    typed = parse_date(values.get("day"))
    year = typed.year if typed and 2000 <= typed.year <= 2100 else local_date(now).year
    try:
        data = OverrideCreate.model_validate({"day": iso_local(values.get("day", "")), "kind": values.get("kind", ""),
                                              "description": values.get("description", "")})  # fmt: skip
        clock_calendar.add_override(session, actor=actor, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _calendar_page(request, session, actor, year, values=values, errors=errors, status_code=status)
    return RedirectResponse(f"/staff/admin/calendar?year={data.day.year}&done=override#overrides", status_code=303)


@router.post("/calendar/overrides/{day}/delete")
def remove_override(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, day: date) -> Response:
    try:
        clock_calendar.remove_override(session, actor=actor, day=day, now=now)
    except DomainError as exc:  # e.g. someone else removed it meanwhile: a message on the page, not an error page
        discard_changes(session)
        errors = {FORM_ERROR: text(exc.message, get_locale(request))}
        return _calendar_page(request, session, actor, day.year, values={}, errors=errors,
                              status_code=exc.status_code)  # fmt: skip
    return RedirectResponse(f"/staff/admin/calendar?year={day.year}&done=override_removed#overrides", status_code=303)


# --- internal targets ---------------------------------------------------------------------------------------

TARGET_FIELDS = ("name", "severity", "source_kind", "start_event", "length", "unit", "met_by", "actor", "crisis_level",
                 "basis")  # fmt: skip
TARGET_START_EVENTS = [e for e in StartEvent if e != StartEvent.TASK_CREATED]
TARGET_UNITS = [PeriodUnit.HOURS, PeriodUnit.DAYS, PeriodUnit.WORKING_DAYS]


def _target_page(request: Request, session: Session, actor: Actor, *, target_id: int | None, values: Values,
                 errors: Errors, status_code: int = 200) -> Response:  # fmt: skip
    ctx = {
        "target_id": target_id,
        "values": values,
        "errors": errors,
        "start_events": TARGET_START_EVENTS,
        "units": TARGET_UNITS,
    }
    return render(request, "staff/admin/target_form.html", ctx, status_code=status_code)


def _target_input(values: Values) -> dict[str, Any]:
    data: dict[str, Any] = {name: values.get(name) or None for name in TARGET_FIELDS}
    data["may_pause"] = values.get("may_pause") == "1"
    return data


@router.get("/targets")
def targets(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    rows = [rules.target_read(t) for t in rules.list_targets(session, actor=actor)]
    ctx = {"targets": rows, "may_edit": can(actor, Permission.TARGETS_MANAGE)}
    return render(request, "staff/admin/targets.html", ctx)


@router.get("/targets/new")
def new_target_form(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    require(actor, Permission.TARGETS_MANAGE)
    values: Values = {"start_event": StartEvent.RECEIVED.value, "unit": PeriodUnit.HOURS.value, "met_by": "reply",
                      "actor": "spokesperson", "active": True}  # fmt: skip
    return _target_page(request, session, actor, target_id=None, values=values, errors={})


@router.post("/targets")
def create_target(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    try:
        data = InternalTargetCreate.model_validate(_target_input(values))
        rules.create_target(session, actor=actor, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _target_page(request, session, actor, target_id=None, values=values, errors=errors, status_code=status)
    return RedirectResponse("/staff/admin/targets?done=target", status_code=303)


@router.get("/targets/{target_id}")
def target_form(request: Request, session: SessionDep, actor: ActorDep, target_id: TargetId) -> Response:
    require(actor, Permission.TARGETS_MANAGE)
    target = rules.target_read(rules.get_target(session, target_id=target_id))
    values: Values = {name: getattr(target, name) for name in TARGET_FIELDS}
    values = {k: (getattr(v, "value", v) if v is not None else "") for k, v in values.items()}
    values.update(length=str(target.length), may_pause=target.may_pause, active=target.active)
    return _target_page(request, session, actor, target_id=target_id, values=values, errors={})


@router.post("/targets/{target_id}")
def update_target(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, target_id: TargetId, form: FormDep
) -> Response:
    values = form_values(form)
    values["active"] = values.get("active") == "1"
    try:
        data = InternalTargetUpdate.model_validate({**_target_input(values), "active": values["active"]})
        rules.update_target(session, actor=actor, target_id=target_id, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _target_page(request, session, actor, target_id=target_id, values=values, errors=errors,
                            status_code=status)  # fmt: skip
    return RedirectResponse("/staff/admin/targets?done=target", status_code=303)


@router.post("/targets/{target_id}/deactivate")
def deactivate_target(session: SessionDep, actor: ActorDep, now: NowDep, target_id: TargetId) -> Response:
    rules.deactivate_target(session, actor=actor, target_id=target_id, now=now)
    return RedirectResponse("/staff/admin/targets?done=target_off", status_code=303)
