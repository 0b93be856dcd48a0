"""Crisis mode's staff pages: the war room of a case (live by polling), declaring / changing / standing down,
acknowledging a page (a button in the app, or the signed one-click link of the e-mail), the holding statement one
click away, the after-action review with its lessons, and the duty roster's admin page.

``links`` (the e-mail's acknowledgement link) needs no session: the signature stands for the person paged. A GET
shows the page and one button; the POST acknowledges (mail scanners that open links must not acknowledge for
anyone). Everything else sits behind the signed-in router and calls the same services as ``api/crisis.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.crisis import paging, queries, service
from app.crisis.models import CrisisIn, PageRead, ShiftIn
from app.crisis.rules import DUTY_ROLE_LABELS, LADDER_LABELS, LEVEL_LABELS, DutyRole
from app.errors import DomainError
from app.monitor import crisis as monitor_crisis
from app.validation import MAX_ID
from app.web.deps import ActorDep, NowDep, SessionDep, SettingsDep, get_locale
from app.web.staff.forms import FormDep, form_errors, form_values
from app.web.templating import render

links = APIRouter()
router = APIRouter()

Reference = Annotated[str, Path(max_length=30)]
PageId = Annotated[int, Path(ge=1, le=MAX_ID)]
Sig = Annotated[str, Query(max_length=128)]


def _message(exc: ValidationError | DomainError, session: Session, request: Request) -> tuple[str, int]:
    """A failed form's messages in one line, and its status (a 404 or 401 is raised again, for the error pages)."""
    errors, status = form_errors(exc, session, get_locale(request))
    return "; ".join(errors.values()), status


# --- the e-mail's link (no session) ---------------------------------------------------------------------------


@links.get("/pages/{page_id}/ack")
def ack_link_page(request: Request, session: SessionDep, settings: SettingsDep, page_id: PageId,
                  sig: Sig = "") -> Response:  # fmt: skip
    page = paging.page_for_link(session, page_id=page_id, signature=sig,
                                secret=settings.secret_key.get_secret_value())  # fmt: skip
    return _ack_page(request, page, sig)


@links.post("/pages/{page_id}/ack")
def ack_link(request: Request, session: SessionDep, settings: SettingsDep, now: NowDep, page_id: PageId,
             sig: Sig = "") -> Response:  # fmt: skip
    page = paging.ack_by_link(session, page_id=page_id, signature=sig, now=now,
                              secret=settings.secret_key.get_secret_value())  # fmt: skip
    return _ack_page(request, page, sig)


def _ack_page(request: Request, page: PageRead, sig: str) -> Response:
    response = render(request, "staff/crisis/ack.html", {"page": page, "sig": sig, "ladder_labels": LADDER_LABELS})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- the war room ---------------------------------------------------------------------------------------------


def _room_context(room: queries.WarRoom) -> dict[str, Any]:
    return {"room": room, "case": room.case, "events": room.events, "clocks": room.clocks,
            "units_by_code": room.units_by_code, "names_by_username": {}, "level_labels": LEVEL_LABELS,
            "ladder_labels": LADDER_LABELS, "duty_role_labels": DUTY_ROLE_LABELS, "duty_roles": list(DutyRole),
            "clock_actions": {}, "failed": None}  # fmt: skip


def _room(request: Request, session: Session, actor: ActorDep, now: NowDep, reference: str, *,
          message: str | None = None, status_code: int = 200,
          values: dict[str, Any] | None = None) -> Response:  # fmt: skip
    room = queries.war_room(session, actor=actor, reference=reference, now=now, locale=get_locale(request))
    ctx = _room_context(room)
    coverage = monitor_crisis.war_room_coverage(session, actor=actor, reference=room.case.reference)
    ctx.update({"message": message, "values": values or {}, "coverage": coverage})
    return render(request, "staff/crisis/war_room.html", ctx, status_code=status_code)


@router.get("/cases/{reference}/war-room")
def war_room(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference) -> Response:
    return _room(request, session, actor, now, reference)


@router.get("/cases/{reference}/war-room/live")
def war_room_live(request: Request, session: SessionDep, actor: ActorDep, now: NowDep,
                  reference: Reference) -> Response:  # fmt: skip
    """The live part of the war room (timeline, clocks, pages, statements), polled by ``static/app.js``."""
    room = queries.war_room(session, actor=actor, reference=reference, now=now, locale=get_locale(request))
    response = render(request, "staff/crisis/_live.html", _room_context(room))
    response.headers["Cache-Control"] = "no-store"
    return response


def _failed(request: Request, session: Session, actor: ActorDep, now: NowDep, reference: str,
            exc: ValidationError | DomainError, values: dict[str, Any]) -> Response:  # fmt: skip
    message, status = _message(exc, session, request)
    return _room(request, session, actor, now, reference, message=message, status_code=status, values=values)


@router.post("/cases/{reference}/crisis")
def declare(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, settings: SettingsDep,
            reference: Reference, form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    try:
        data = CrisisIn.model_validate({"level": values.get("level") or None, "reason": values.get("reason", "")})
        service.declare_crisis(session, actor=actor, reference=reference, data=data, now=now,
                               paging=paging.Paging.from_settings(settings), locale=get_locale(request))  # fmt: skip
    except (ValidationError, DomainError) as exc:
        return _failed(request, session, actor, now, reference, exc, values)
    return RedirectResponse(f"/staff/cases/{reference.upper()}/war-room", status_code=303)


@router.post("/cases/{reference}/crisis/stand-down")
def stand_down(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference,
               form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    try:
        service.stand_down(session, actor=actor, reference=reference, reason=values.get("stand_down_reason", ""),
                           now=now, locale=get_locale(request))  # fmt: skip
    except DomainError as exc:
        return _failed(request, session, actor, now, reference, exc, values)
    return RedirectResponse(f"/staff/cases/{reference.upper()}/after-action", status_code=303)


@router.post("/cases/{reference}/war-room/holding")
def holding(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, settings: SettingsDep,
            reference: Reference) -> Response:  # fmt: skip
    """The holding statement one click away: an initial-information draft, opened for editing."""
    try:
        statement = service.draft_holding_statement(session, actor=actor, reference=reference, now=now,
                                                    org_name=settings.org_name)  # fmt: skip
    except DomainError as exc:
        return _failed(request, session, actor, now, reference, exc, {})
    return RedirectResponse(f"/staff/statements/{statement.id}", status_code=303)


@router.post("/cases/{reference}/war-room/notes")
def note(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference,
         form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    try:
        service.add_war_room_note(session, actor=actor, reference=reference, text=values.get("text", ""), now=now)
    except (ValidationError, DomainError) as exc:
        return _failed(request, session, actor, now, reference, exc, values)
    return RedirectResponse(f"/staff/cases/{reference.upper()}/war-room#live", status_code=303)


@router.post("/pages/{page_id}/acknowledge")
def acknowledge(session: SessionDep, actor: ActorDep, now: NowDep, page_id: PageId, form: FormDep) -> Response:
    """The button in the app."""
    page = paging.ack_page(session, actor=actor, page_id=page_id, now=now, via="app")
    return RedirectResponse(f"/staff/cases/{page.case_reference}/war-room", status_code=303)


@router.get("/pages")
def my_pages(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    pages = paging.list_pages(session, actor=actor, mine=True, limit=100)
    return render(request, "staff/crisis/pages.html", {"pages": pages, "ladder_labels": LADDER_LABELS})


# --- the after-action review ----------------------------------------------------------------------------------


@router.get("/cases/{reference}/after-action")
def after_action(request: Request, session: SessionDep, actor: ActorDep, now: NowDep,
                 reference: Reference) -> Response:  # fmt: skip
    review = queries.after_action(session, actor=actor, reference=reference, now=now, locale=get_locale(request))
    return render(request, "staff/crisis/after_action.html", {"review": review, "ladder_labels": LADDER_LABELS})


@router.post("/cases/{reference}/after-action/lessons")
def lessons(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, form: FormDep) -> Response:
    values = form_values(form)
    service.set_lessons(session, actor=actor, reference=reference, lessons=str(values.get("lessons", ""))[:20_000],
                        now=now)  # fmt: skip
    return RedirectResponse(f"/staff/cases/{reference.upper()}/after-action?done=saved", status_code=303)


# --- the roster (admin) ---------------------------------------------------------------------------------------


def _roster_page(request: Request, session: Session, actor: ActorDep, now: NowDep, *, message: str | None = None,
                 status_code: int = 200, values: dict[str, Any] | None = None) -> Response:  # fmt: skip
    roster = service.get_roster(session, actor=actor, now=now, locale=get_locale(request))
    return render(request, "staff/crisis/roster.html",
                  {"roster": roster, "message": message, "values": values or {}, "duty_roles": list(DutyRole),
                   "duty_role_labels": DUTY_ROLE_LABELS}, status_code=status_code)  # fmt: skip


@router.get("/admin/roster")
def roster(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    return _roster_page(request, session, actor, now)


@router.post("/admin/roster/shifts")
def add_shift(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    try:
        shift = ShiftIn.model_validate({"role": values.get("role"), "user": values.get("user"),
                                        "starts_at": values.get("starts_at") or None,
                                        "ends_at": values.get("ends_at") or None,
                                        "position": values.get("position") or 1})  # fmt: skip
        service.add_shift(session, actor=actor, shift=shift, now=now, locale=get_locale(request))
    except (ValidationError, DomainError) as exc:
        message, status = _message(exc, session, request)
        return _roster_page(request, session, actor, now, message=message, status_code=status, values=values)
    return RedirectResponse("/staff/admin/roster?done=saved", status_code=303)


@router.post("/admin/roster/shifts/{shift_id}/delete")
def delete_shift(request: Request, session: SessionDep, actor: ActorDep, now: NowDep,
                 shift_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:  # fmt: skip
    try:
        service.remove_shift(session, actor=actor, shift_id=shift_id, now=now, locale=get_locale(request))
    except DomainError as exc:
        message, status = _message(exc, session, request)
        return _roster_page(request, session, actor, now, message=message, status_code=status)
    return RedirectResponse("/staff/admin/roster?done=saved", status_code=303)
