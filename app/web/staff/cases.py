"""Case pages: the list (filters, sorting, paging, saved views), the intake form, the case page (summary,
timeline, notes and the actions the user may take now) and the edit form.

Every page calls the same service functions as ``app/web/api/cases.py``. Forms follow Post/Redirect/Get (303);
a form that fails is shown again with the message beside its field, and nothing of the failed attempt is saved.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.permissions import Actor, Permission, Role, can, require
from app.cases import service
from app.cases.editing import assignable_users, editable_fields
from app.cases.models import Case, CaseCreate, CaseRead, CaseUpdate, NoteIn, TransitionIn
from app.cases.queries import CaseSort
from app.cases.reads import case_read
from app.cases.scope import get_case
from app.cases.vocabulary import Severity
from app.cases.workflow import CaseStatus
from app.errors import DomainError, PermissionDenied
from app.i18n import Message, _, text
from app.org.service import list_units
from app.timeutil import local_date
from app.web.case_query import page_case_filters
from app.web.cursors import seal, unseal
from app.web.dates import iso_local
from app.web.deps import ActorDep, NowDep, SessionDep, get_locale
from app.web.staff.case_list_tools import list_tools
from app.web.staff.case_page import case_page
from app.web.staff.common import OPEN_ORDER, WORKING_ORDER, case_rows, list_url, unit_groups
from app.web.staff.forms import (
    FORM_ERROR,
    Errors,
    FormDep,
    Values,
    form_errors,
    form_values,
    non_empty,
    split_list,
)
from app.web.templating import input_datetime, render

router = APIRouter()

Reference = Annotated[str, Path(max_length=30)]

# The intake form, in the order it is laid out.
INTAKE_FIELDS = (
    "source_kind", "outlet", "reporter_name", "reporter_contact", "source_url", "source_published_at",
    "title", "summary", "topic", "severity", "legal_trigger", "tags", "related",
    "received_at", "occurred_at", "impact_determined_at", "lead_unit", "supporting_units",
)  # fmt: skip
TIME_FIELDS = ("source_published_at", "received_at", "occurred_at", "impact_determined_at")
LIST_FIELDS = ("supporting_units", "assignees")  # several values (checkboxes)
TEXT_LIST_FIELDS = ("tags", "related")  # several values typed in one field, comma-separated
REQUIRED_ON_EDIT = ("title", "source_kind", "topic", "severity", "received_at")
SORT_LABELS: dict[CaseSort, Message] = {
    CaseSort.RECEIVED_DESC: _("Tiếp nhận: mới nhất trước"),
    CaseSort.RECEIVED_ASC: _("Tiếp nhận: cũ nhất trước"),
    CaseSort.UPDATED_DESC: _("Cập nhật: gần nhất trước"),
    CaseSort.UPDATED_ASC: _("Cập nhật: lâu nhất trước"),
    CaseSort.DUE: _("Thời hạn: gần nhất trước"),
}

# Errors a form shows to the user; a case the user may not see (404) or a lost session (401) is a page instead.


def _form_fields(session: Session) -> dict[str, Any]:
    """What the case form's pickers offer."""
    return {"unit_groups": unit_groups(list_units(session)), "sort_labels": SORT_LABELS}


# --- list ---------------------------------------------------------------------------------------------------


def saved_views(session: Session, actor: Actor, now: datetime) -> list[tuple[Message, str, Any]]:
    """Links to the usual lists: (label, url, the unit it is about or None)."""
    views: list[tuple[Message, str, Any]] = []
    if can(actor, Permission.CASE_TRIAGE):
        views.append((_("Vụ việc mới"), list_url(status="new", sort="received_at"), None))
    own_units = {g.unit_id for g in actor.grants if g.role in (Role.HANDLER, Role.UNIT_HEAD)}
    for unit in list_units(session):
        if unit.id in own_units:
            views.append((_("Vụ việc đang mở của đơn vị tôi"),
                          list_url(unit=unit.code, status=[s.value for s in WORKING_ORDER]), unit))  # fmt: skip
            views.append((_("Quá hạn của đơn vị tôi"), list_url(unit=unit.code, due="overdue", sort="due"), unit))
    if actor.sees_all_cases:
        views.append((_("Đang quá hạn"), list_url(due="overdue", sort="due"), None))
    views.append((_("Sắp đến hạn (24 giờ)"), list_url(due="soon", sort="due"), None))
    today = local_date(now)
    monday = today - timedelta(days=today.weekday())
    views.append((_("Khủng hoảng tuần này"), list_url(severity="crisis", received_from=monday.isoformat()), None))
    views.append((_("Tất cả vụ việc đang mở"), list_url(status=[s.value for s in OPEN_ORDER]), None))
    return views


@router.get("/cases")
def case_list(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    return list_page(request, session, actor, now)


def list_page(request: Request, session: Session, actor: Actor, now: datetime, *, status_code: int = 200,
              **forms: Any) -> Response:  # fmt: skip
    """The list with the filters of the request's query string; ``forms``: a failed bulk or saved-view form's
    values and errors, shown again (``bulk_values``, ``bulk_errors``, ``view_values``, ``view_errors``)."""
    filters, shown, bad = page_case_filters(request, now)
    locale = get_locale(request)
    error = text(_("Một số bộ lọc không hợp lệ đã được bỏ qua."), locale) if bad else None
    context = f"cases:{filters.sort.value}"
    try:
        filters.cursor = unseal(request, filters.cursor, context)
        rows, next_cursor = case_rows(session, actor, filters, now)
        next_cursor = seal(request, next_cursor, context)
    except DomainError as exc:  # an unknown unit, a cursor that does not fit
        rows, next_cursor, error, status_code = [], None, text(exc.message, locale), exc.status_code
    query = {k: v for k, v in shown.items() if v not in ("", [])}
    ctx = {
        "rows": rows,
        "values": shown,
        "error": error,
        "next_url": list_url(**query, cursor=next_cursor) if next_cursor else None,
        "first_url": list_url(**query) if filters.cursor else None,
        "views": saved_views(session, actor, now),
        "statuses": list(CaseStatus),
        **_form_fields(session),
        **list_tools(session, actor, request.url.query, filters),
        "bulk_values": {}, "bulk_errors": {}, "view_values": {}, "view_errors": {},
        **forms,
    }  # fmt: skip
    return render(request, "staff/cases/list.html", ctx, status_code=status_code)


# --- intake -------------------------------------------------------------------------------------------------


def _intake_page(request: Request, session: Session, values: Values, errors: Errors, status_code: int) -> Response:
    ctx = {
        "values": values,
        "errors": errors,
        "fields": INTAKE_FIELDS,
        **_form_fields(session),
    }
    return render(request, "staff/cases/new.html", ctx, status_code=status_code)


@router.get("/cases/new")
def intake_form(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    require(actor, Permission.CASE_CREATE)
    values: Values = {"received_at": input_datetime(now), "severity": Severity.ROUTINE.value,
                      "topic": "", "supporting_units": []}  # fmt: skip
    return _intake_page(request, session, values, {}, 200)


def _case_input(values: Values) -> dict[str, Any]:
    """Form values as the input of ``CaseCreate`` / ``CaseUpdate``."""
    data = non_empty(values, keep_empty=("summary", *LIST_FIELDS))
    for name in TIME_FIELDS:
        if data.get(name):
            data[name] = iso_local(data[name])
    for name in TEXT_LIST_FIELDS:
        if name in values:
            data[name] = split_list(values[name])
    return data


@router.post("/cases")
def intake(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form, multi=LIST_FIELDS)
    locale = get_locale(request)
    try:
        fields = {k: v for k, v in _case_input(values).items() if k in INTAKE_FIELDS}
        # Choosing the lead unit on the intake form routes the case in the same step (one "created" event).
        data = CaseCreate.model_validate({**fields, "route": bool(fields.get("lead_unit"))})
        case = service.open_case(session, actor=actor, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        return _intake_page(request, session, values, errors, status)
    return RedirectResponse(f"/staff/cases/{case.reference}?done=created", status_code=303)


# --- the case page ------------------------------------------------------------------------------------------


def _case_page(request: Request, session: Session, actor: Actor, case: Case, now: datetime, **kwargs: Any) -> Response:
    return case_page(request, session, actor, case, now, **kwargs)


@router.get("/cases/{reference}")
def show_case(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    return _case_page(request, session, actor, case, now)


@router.post("/cases/{reference}/transitions")
def transition(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, form: FormDep
) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    values = form_values(form, multi=LIST_FIELDS)
    locale = get_locale(request)
    data: dict[str, Any] = {k: v for k, v in values.items() if k in TransitionIn.model_fields and v not in ("", [])}
    if values.get("supporting_units_shown"):  # the checkboxes were on the form: none ticked means none
        data["supporting_units"] = values["supporting_units"]
    action = values.get("action", "")
    try:
        body = TransitionIn.model_validate(data)
        service.apply_transition(session, actor=actor, case=case, body=body, now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        message = errors.pop(FORM_ERROR, None)
        if isinstance(exc, ValidationError):
            return _case_page(request, session, actor, case, now, open_action=action, action_values=values,
                              errors=errors, message=message, status_code=status)  # fmt: skip
        case = get_case(session, actor=actor, reference=reference)
        if message and exc.status_code == 409:
            message = text(_("Không thực hiện được thao tác: {reason}", reason=exc.message), locale)
        return _case_page(request, session, actor, case, now, open_action=action if errors else None,
                          action_values=values, errors=errors, message=message,
                          status_code=exc.status_code)  # fmt: skip
    return RedirectResponse(f"/staff/cases/{case.reference}?done={body.action.value}", status_code=303)


@router.post("/cases/{reference}/notes")
def add_note(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, form: FormDep
) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    values = form_values(form)
    locale = get_locale(request)
    try:
        body = NoteIn.model_validate({"text": values.get("text", "")})
        service.add_note(session, actor=actor, case=case, text=body.text, now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        said = next(iter(errors.values()))  # one field: beside it when the input was wrong, else on the page
        if isinstance(exc, ValidationError):
            return _case_page(request, session, actor, case, now, errors={"text": said},
                              note_value=values.get("text", ""), status_code=status)  # fmt: skip
        return _case_page(request, session, actor, case, now, message=said, note_value=values.get("text", ""),
                          status_code=status)  # fmt: skip
    return RedirectResponse(f"/staff/cases/{case.reference}?done=note#timeline", status_code=303)


# --- edit ---------------------------------------------------------------------------------------------------


def case_values(read: CaseRead) -> Values:
    """A case as the values of its edit form."""
    values: Values = {
        name: (getattr(read, name) or "")
        for name in ("title", "summary", "outlet", "reporter_name", "reporter_contact", "source_url")
    }
    values.update({name: input_datetime(getattr(read, name)) for name in TIME_FIELDS})
    values.update(
        source_kind=read.source_kind.value,
        topic=read.topic.value,
        severity=read.severity.value,
        legal_trigger=read.legal_trigger.value if read.legal_trigger else "",
        lead_unit=read.lead_unit.code if read.lead_unit else "",
        supporting_units=[u.code for u in read.supporting_units],
        assignees=[u.username for u in read.assignees],
        tags=", ".join(read.tags),
        related=", ".join(read.related),
    )
    return values


def _edit_page(
    request: Request,
    session: Session,
    actor: Actor,
    case: Case,
    read: CaseRead,
    *,
    values: Values,
    errors: Errors,
    status_code: int = 200,
) -> Response:
    editable = editable_fields(session, actor=actor, case=case)
    ctx = {
        "case": read,
        "values": values,
        "errors": errors,
        "fields": [f for f in INTAKE_FIELDS + ("assignees",) if f in editable],
        "people": assignable_users(session, actor=actor, case=case) if "assignees" in editable else [],
        **_form_fields(session),
    }
    return render(request, "staff/cases/edit.html", ctx, status_code=status_code)


def _require_editable(session: Session, actor: Actor, case: Case) -> frozenset[str]:
    editable = editable_fields(session, actor=actor, case=case)
    if not editable:
        raise PermissionDenied(_("Bạn không có quyền sửa thông tin vụ việc này."))
    return editable


@router.get("/cases/{reference}/edit")
def edit_form(request: Request, session: SessionDep, actor: ActorDep, reference: Reference) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    _require_editable(session, actor, case)
    read = case_read(session, actor=actor, case=case)
    return _edit_page(request, session, actor, case, read, values=case_values(read), errors={})


@router.post("/cases/{reference}/edit")
def edit(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, form: FormDep
) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    editable = _require_editable(session, actor, case)
    read = case_read(session, actor=actor, case=case)
    values = form_values(form, multi=LIST_FIELDS)
    locale = get_locale(request)
    empty = text(_("Không được để trống."), locale)
    blank = {n: empty for n in REQUIRED_ON_EDIT if n in editable and not values.get(n)}
    if blank:
        return _edit_page(request, session, actor, case, read, values=values, errors=blank, status_code=422)
    proposed = {k: v for k, v in _case_input(values).items() if k in editable}
    for name in editable & (set(INTAKE_FIELDS) - set(proposed) - {"summary", *LIST_FIELDS, *TEXT_LIST_FIELDS}):
        proposed[name] = None  # an optional field emptied on the form
    for name in editable & {*LIST_FIELDS, *TEXT_LIST_FIELDS}:
        proposed.setdefault(name, [])
    try:
        service.update_case(session, actor=actor, case=case, data=CaseUpdate.model_validate(proposed), now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        if not isinstance(exc, ValidationError):  # the case as it is now (the failed changes were undone)
            case = get_case(session, actor=actor, reference=reference)
        return _edit_page(request, session, actor, case, read, values=values, errors=errors, status_code=status)
    return RedirectResponse(f"/staff/cases/{case.reference}?done=saved", status_code=303)
