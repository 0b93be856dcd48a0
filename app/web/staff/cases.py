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
from app.cases.models import Case, CaseCreate, CaseRead, CaseUpdate, NoteIn, TransitionIn
from app.cases.service import CaseFilters, CaseSort
from app.cases.vocabulary import Severity, SourceKind, Topic
from app.cases.workflow import CaseStatus
from app.errors import DomainError, NotAuthenticated, NotFound, PermissionDenied
from app.i18n import Message, _, text
from app.org.service import list_units
from app.timeutil import local_date, local_midnight
from app.validation import strip_control
from app.web.deps import ActorDep, NowDep, SessionDep, get_locale
from app.web.staff.case_list_tools import list_tools
from app.web.staff.case_page import case_page
from app.web.staff.common import OPEN_ORDER, WORKING_ORDER, case_rows, list_url, unit_groups
from app.web.staff.forms import (
    FORM_ERROR,
    Errors,
    FormDep,
    Values,
    discard_changes,
    domain_errors,
    form_values,
    iso_local,
    local_day_start,
    non_empty,
    parse_date,
    split_list,
    validation_errors,
)
from app.web.templating import input_datetime, render

router = APIRouter()

Reference = Annotated[str, Path(max_length=30)]
PAGE_SIZE = 50

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
FORM_SHOWN_ERRORS = (DomainError,)
PAGE_ERRORS = (NotFound, NotAuthenticated)


def _form_fields(session: Session) -> dict[str, Any]:
    """What the case form's pickers offer."""
    return {"unit_groups": unit_groups(list_units(session)), "sort_labels": SORT_LABELS}


# --- list ---------------------------------------------------------------------------------------------------


def _enum_values(raw: list[str], enum_cls: type[Any]) -> tuple[list[Any], bool]:
    values, bad = [], False
    for item in raw:
        for part in item.split(","):
            if not part.strip():
                continue
            try:
                values.append(enum_cls(part.strip()))
            except ValueError:
                bad = True
    return values, bad


# The "deadline" filter of the list: overdue, or falling due within the next hours.
DUE_FILTERS = ("overdue", "soon")
SOON_HOURS = 24


def _list_filters(request: Request, now: datetime) -> tuple[CaseFilters, Values, bool]:
    """The list's query string as filters, the values to show in the filter form, and whether some were bad."""
    params = request.query_params
    due = params.get("due") or ""
    bad7 = bool(due) and due not in DUE_FILTERS
    due = due if due in DUE_FILTERS else ""
    status, bad1 = _enum_values(params.getlist("status"), CaseStatus)
    severity, bad2 = _enum_values(params.getlist("severity"), Severity)
    topic, bad3 = _enum_values(params.getlist("topic"), Topic)
    source_kind, bad4 = _enum_values(params.getlist("source_kind"), SourceKind)
    try:
        sort = CaseSort(params.get("sort") or CaseSort.RECEIVED_DESC)
        bad5 = False
    except ValueError:
        sort, bad5 = CaseSort.RECEIVED_DESC, True
    limit_raw = params.get("limit") or ""
    limit = int(limit_raw) if limit_raw.isdigit() and 1 <= int(limit_raw) <= 200 else PAGE_SIZE
    received_from, received_to = params.get("received_from", ""), params.get("received_to", "")
    to_day = parse_date(received_to)
    bad6 = bool(received_from and parse_date(received_from) is None) or bool(received_to and to_day is None)
    filters = CaseFilters(
        status=status,
        severity=severity,
        topic=topic,
        source_kind=source_kind,
        unit=strip_control(params.get("unit") or "")[:40] or None,
        q=strip_control(params.get("q") or "")[:200].strip() or None,
        received_from=local_day_start(received_from),
        received_to=local_midnight(to_day + timedelta(days=1)) if to_day else None,
        sort=sort,
        cursor=strip_control(params.get("cursor") or "")[:500] or None,
        limit=limit,
        overdue=True if due == "overdue" else None,
        due_within_hours=SOON_HOURS if due == "soon" else None,
        now=now,
    )
    shown: Values = {
        "status": [s.value for s in status],
        "severity": [s.value for s in severity],
        "topic": [t.value for t in topic],
        "source_kind": [s.value for s in source_kind],
        "unit": filters.unit or "",
        "q": filters.q or "",
        "received_from": received_from if not bad6 else "",
        "received_to": received_to if not bad6 else "",
        "sort": sort.value,
        "limit": str(limit) if limit != PAGE_SIZE else "",
        "due": due,
    }
    return filters, shown, any((bad1, bad2, bad3, bad4, bad5, bad6, bad7))


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
    filters, shown, bad = _list_filters(request, now)
    locale = get_locale(request)
    error = text(_("Một số bộ lọc không hợp lệ đã được bỏ qua."), locale) if bad else None
    try:
        rows, next_cursor = case_rows(session, actor, filters, now)
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
    except ValidationError as exc:
        return _intake_page(request, session, values, validation_errors(exc, locale), 422)
    except PAGE_ERRORS:
        raise
    except FORM_SHOWN_ERRORS as exc:
        discard_changes(session)
        return _intake_page(request, session, values, domain_errors(exc, locale), exc.status_code)
    return RedirectResponse(f"/staff/cases/{case.reference}?done=created", status_code=303)


# --- the case page ------------------------------------------------------------------------------------------


def _case_page(request: Request, session: Session, actor: Actor, case: Case, now: datetime, **kwargs: Any) -> Response:
    return case_page(request, session, actor, case, now, **kwargs)


@router.get("/cases/{reference}")
def show_case(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference) -> Response:
    case = service.get_case(session, actor=actor, reference=reference)
    return _case_page(request, session, actor, case, now)


@router.post("/cases/{reference}/transitions")
def transition(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, form: FormDep
) -> Response:
    case = service.get_case(session, actor=actor, reference=reference)
    values = form_values(form, multi=LIST_FIELDS)
    locale = get_locale(request)
    data: dict[str, Any] = {k: v for k, v in values.items() if k in TransitionIn.model_fields and v not in ("", [])}
    if values.get("supporting_units_shown"):  # the checkboxes were on the form: none ticked means none
        data["supporting_units"] = values["supporting_units"]
    action = values.get("action", "")
    try:
        body = TransitionIn.model_validate(data)
        service.apply_transition(session, actor=actor, case=case, body=body, now=now)
    except ValidationError as exc:
        errors = validation_errors(exc, locale)
        return _case_page(request, session, actor, case, now, open_action=action, action_values=values, errors=errors,
                          message=errors.pop(FORM_ERROR, None), status_code=422)  # fmt: skip
    except PAGE_ERRORS:
        raise
    except FORM_SHOWN_ERRORS as exc:
        discard_changes(session)
        case = service.get_case(session, actor=actor, reference=reference)
        errors = domain_errors(exc, locale)
        message = errors.pop(FORM_ERROR, None)
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
    case = service.get_case(session, actor=actor, reference=reference)
    values = form_values(form)
    locale = get_locale(request)
    try:
        body = NoteIn.model_validate({"text": values.get("text", "")})
        service.add_note(session, actor=actor, case=case, text=body.text, now=now)
    except ValidationError as exc:
        errors = {"text": next(iter(validation_errors(exc, locale).values()))}
        return _case_page(request, session, actor, case, now, errors=errors, note_value=values.get("text", ""),
                          status_code=422)  # fmt: skip
    except PAGE_ERRORS:
        raise
    except FORM_SHOWN_ERRORS as exc:
        discard_changes(session)
        return _case_page(request, session, actor, case, now, message=text(exc.message, locale),
                          note_value=values.get("text", ""), status_code=exc.status_code)  # fmt: skip
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


def _same(name: str, current: Any, proposed: Any) -> bool:
    if name in ("supporting_units", "assignees", "tags", "related"):
        return {str(v).lower() for v in current or []} == {str(v).lower() for v in proposed or []}
    if isinstance(current, datetime) and isinstance(proposed, datetime):
        return current.replace(second=0, microsecond=0) == proposed.replace(second=0, microsecond=0)
    return bool(current == proposed)


def changed_fields(read: CaseRead, update: CaseUpdate) -> dict[str, Any]:
    """Only what the form really changes (so that saving an untouched form records nothing)."""
    current = {
        **read.model_dump(),
        "lead_unit": read.lead_unit.code if read.lead_unit else None,
        "supporting_units": [u.code for u in read.supporting_units],
        "assignees": [u.username for u in read.assignees],
    }
    proposed = update.model_dump(exclude_unset=True)
    return {k: v for k, v in proposed.items() if not _same(k, current.get(k), v)}


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
    editable = service.editable_fields(session, actor=actor, case=case)
    ctx = {
        "case": read,
        "values": values,
        "errors": errors,
        "fields": [f for f in INTAKE_FIELDS + ("assignees",) if f in editable],
        "people": service.assignable_users(session, actor=actor, case=case) if "assignees" in editable else [],
        **_form_fields(session),
    }
    return render(request, "staff/cases/edit.html", ctx, status_code=status_code)


def _require_editable(session: Session, actor: Actor, case: Case) -> frozenset[str]:
    editable = service.editable_fields(session, actor=actor, case=case)
    if not editable:
        raise PermissionDenied(_("Bạn không có quyền sửa thông tin vụ việc này."))
    return editable


@router.get("/cases/{reference}/edit")
def edit_form(request: Request, session: SessionDep, actor: ActorDep, reference: Reference) -> Response:
    case = service.get_case(session, actor=actor, reference=reference)
    _require_editable(session, actor, case)
    read = service.case_read(session, actor=actor, case=case)
    return _edit_page(request, session, actor, case, read, values=case_values(read), errors={})


@router.post("/cases/{reference}/edit")
def edit(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, form: FormDep
) -> Response:
    case = service.get_case(session, actor=actor, reference=reference)
    editable = _require_editable(session, actor, case)
    read = service.case_read(session, actor=actor, case=case)
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
        changes = changed_fields(read, CaseUpdate.model_validate(proposed))
        service.update_case(session, actor=actor, case=case, data=CaseUpdate.model_validate(changes), now=now)
    except ValidationError as exc:
        errors = validation_errors(exc, locale)
        return _edit_page(request, session, actor, case, read, values=values, errors=errors, status_code=422)
    except PAGE_ERRORS:
        raise
    except FORM_SHOWN_ERRORS as exc:
        discard_changes(session)
        case = service.get_case(session, actor=actor, reference=reference)
        return _edit_page(request, session, actor, case, read, values=values, errors=domain_errors(exc, locale),
                          status_code=exc.status_code)  # fmt: skip
    return RedirectResponse(f"/staff/cases/{case.reference}?done=saved", status_code=303)
