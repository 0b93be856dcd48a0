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

from app.auth.permissions import Permission, can
from app.cases import service as cases
from app.cases.models import NoteIn
from app.crisis import paging, queries, service
from app.crisis.models import CrisisIn, RosterIn
from app.crisis.rules import DUTY_ROLE_LABELS, LADDER_LABELS, LEVEL_LABELS, DutyRole
from app.errors import DomainError, NotAuthenticated, NotFound, ValidationFailed
from app.i18n import _, text
from app.org.service import list_units
from app.validation import MAX_ID
from app.web.deps import ActorDep, NowDep, SessionDep, SettingsDep, get_locale
from app.web.staff.forms import FormDep, discard_changes, form_values, validation_errors
from app.web.templating import render

links = APIRouter()
router = APIRouter()

Reference = Annotated[str, Path(max_length=30)]
PageId = Annotated[int, Path(ge=1, le=MAX_ID)]
Sig = Annotated[str, Query(max_length=128)]
PAGE_ERRORS = (NotFound, NotAuthenticated)


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


def _ack_page(request: Request, page: Any, sig: str) -> Response:
    response = render(request, "staff/crisis/ack.html", {"page": page, "sig": sig, "ladder_labels": LADDER_LABELS})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- the war room ---------------------------------------------------------------------------------------------


def _room_context(request: Request, session: SessionDep, actor: ActorDep, now: NowDep,
                  reference: str) -> dict[str, Any]:  # fmt: skip
    room = queries.war_room(session, actor=actor, reference=reference, now=now, locale=get_locale(request))
    units = {u.code: u for u in list_units(session)}
    return {"room": room, "case": room.case, "events": room.events, "clocks": room.clocks, "units_by_code": units,
            "names_by_username": {}, "level_labels": LEVEL_LABELS, "ladder_labels": LADDER_LABELS,
            "duty_role_labels": DUTY_ROLE_LABELS, "duty_roles": list(DutyRole), "clock_actions": {},
            "failed": None}  # fmt: skip


def _room(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: str, *,
          message: str | None = None, status_code: int = 200,
          values: dict[str, Any] | None = None) -> Response:  # fmt: skip
    ctx = _room_context(request, session, actor, now, reference)
    ctx.update({"message": message, "values": values or {}})
    return render(request, "staff/crisis/war_room.html", ctx, status_code=status_code)


@router.get("/cases/{reference}/war-room")
def war_room(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference) -> Response:
    return _room(request, session, actor, now, reference)


@router.get("/cases/{reference}/war-room/live")
def war_room_live(request: Request, session: SessionDep, actor: ActorDep, now: NowDep,
                  reference: Reference) -> Response:  # fmt: skip
    """The live part of the war room (timeline, clocks, pages, statements), polled by ``static/app.js``."""
    response = render(request, "staff/crisis/_live.html", _room_context(request, session, actor, now, reference))
    response.headers["Cache-Control"] = "no-store"
    return response


def _said(exc: ValidationError, locale: str) -> str:
    return "; ".join(f"{field}: {message}" for field, message in validation_errors(exc, locale).items())


def _failed(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: str, exc: Exception,
            values: dict[str, Any]) -> Response:  # fmt: skip
    locale = get_locale(request)
    discard_changes(session)
    if isinstance(exc, ValidationError):
        message, status = _said(exc, locale), 422
    else:
        assert isinstance(exc, DomainError)
        message, status = text(exc.message, locale), exc.status_code
    return _room(request, session, actor, now, reference, message=message, status_code=status, values=values)


@router.post("/cases/{reference}/crisis")
def declare(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, settings: SettingsDep,
            reference: Reference, form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    try:
        data = CrisisIn.model_validate({"level": values.get("level") or None, "reason": values.get("reason", "")})
        service.declare_crisis(session, actor=actor, reference=reference, data=data, now=now,
                               paging=paging.Paging.from_settings(settings), locale=get_locale(request))  # fmt: skip
    except PAGE_ERRORS:
        raise
    except (ValidationError, DomainError) as exc:
        return _failed(request, session, actor, now, reference, exc, values)
    return RedirectResponse(f"/staff/cases/{reference.upper()}/war-room", status_code=303)


@router.post("/cases/{reference}/crisis/stand-down")
def stand_down(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference,
               form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    try:
        reason = values.get("stand_down_reason", "").strip()
        if not reason:
            raise ValidationFailed(_("Cần ghi rõ lý do kết thúc tình trạng khủng hoảng."), field="reason")
        service.stand_down(session, actor=actor, reference=reference, reason=reason, now=now,
                           locale=get_locale(request))  # fmt: skip
    except PAGE_ERRORS:
        raise
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
    except PAGE_ERRORS:
        raise
    except DomainError as exc:
        return _failed(request, session, actor, now, reference, exc, {})
    return RedirectResponse(f"/staff/statements/{statement.id}", status_code=303)


@router.post("/cases/{reference}/war-room/notes")
def note(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference,
         form: FormDep) -> Response:  # fmt: skip
    values = form_values(form)
    try:
        case = cases.get_case(session, actor=actor, reference=reference)
        body = NoteIn.model_validate({"text": values.get("text", "")})
        cases.add_note(session, actor=actor, case=case, text=body.text, now=now)
    except PAGE_ERRORS:
        raise
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
    case = cases.get_case(session, actor=actor, reference=reference)
    may_write = can(actor, Permission.CRISIS_DECLARE, cases.scope_of(session, case))
    return render(request, "staff/crisis/after_action.html", {"review": review, "may_write": may_write,
                                                              "ladder_labels": LADDER_LABELS})  # fmt: skip


@router.post("/cases/{reference}/after-action/lessons")
def lessons(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, form: FormDep) -> Response:
    values = form_values(form)
    service.set_lessons(session, actor=actor, reference=reference, lessons=str(values.get("lessons", ""))[:20_000],
                        now=now)  # fmt: skip
    return RedirectResponse(f"/staff/cases/{reference.upper()}/after-action?done=saved", status_code=303)


# --- the roster (admin) ---------------------------------------------------------------------------------------


def _roster_page(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, *, message: str | None = None,
                 status_code: int = 200, values: dict[str, Any] | None = None) -> Response:  # fmt: skip
    roster = service.get_roster(session, actor=actor, now=now, locale=get_locale(request))
    return render(request, "staff/crisis/roster.html",
                  {"roster": roster, "message": message, "values": values or {}, "duty_roles": list(DutyRole),
                   "duty_role_labels": DUTY_ROLE_LABELS, "may_edit": can(actor, Permission.ROSTER_MANAGE)},
                  status_code=status_code)  # fmt: skip


@router.get("/admin/roster")
def roster(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    return _roster_page(request, session, actor, now)


def _current_items(session: SessionDep, actor: ActorDep, now: NowDep) -> list[dict[str, Any]]:
    current = service.get_roster(session, actor=actor, now=now, locale="vi")
    return [{"id": i.id, "role": i.role, "user": i.user, "starts_at": i.starts_at, "ends_at": i.ends_at,
             "position": i.position} for i in current.items]  # fmt: skip


def _save_roster(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, items: list[dict[str, Any]],
                 values: dict[str, Any]) -> Response:  # fmt: skip
    locale = get_locale(request)
    try:
        data = RosterIn.model_validate({"items": [{k: v for k, v in i.items() if k != "id"} for i in items]})
        service.put_roster(session, actor=actor, data=data, now=now, locale=locale)
    except PAGE_ERRORS:
        raise
    except ValidationError as exc:
        discard_changes(session)
        return _roster_page(request, session, actor, now, message=_said(exc, locale),
                            status_code=422, values=values)  # fmt: skip
    except DomainError as exc:
        discard_changes(session)
        return _roster_page(request, session, actor, now, message=text(exc.message, locale),
                            status_code=exc.status_code, values=values)  # fmt: skip
    return RedirectResponse("/staff/admin/roster?done=saved", status_code=303)


@router.post("/admin/roster/shifts")
def add_shift(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    new = {"role": values.get("role"), "user": values.get("user"), "starts_at": values.get("starts_at") or None,
           "ends_at": values.get("ends_at") or None, "position": values.get("position") or 1}  # fmt: skip
    return _save_roster(request, session, actor, now, _current_items(session, actor, now) + [new], values)


@router.post("/admin/roster/shifts/{shift_id}/delete")
def delete_shift(request: Request, session: SessionDep, actor: ActorDep, now: NowDep,
                 shift_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:  # fmt: skip
    items = [i for i in _current_items(session, actor, now) if i["id"] != shift_id]
    return _save_roster(request, session, actor, now, items, {})
