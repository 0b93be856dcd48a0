"""The forms around the staff case list (``/staff/cases``):

* ``POST /staff/cases/bulk?<the list's query>``: ``bulk_action`` (``assign`` | ``tag`` | ``close_duplicate``) on the
  ``selected`` cases, through ``cases.bulk.apply_bulk`` (the same services as one case at a time, each case's
  history recording its own event; all or nothing); back to the same list with ``done=bulk``, or the same list
  again with the message (nothing saved).
* ``POST /staff/cases/views`` (``name``, ``query``) and ``POST /staff/cases/views/{id}/delete``: the person's saved
  views.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.cases.bulk import BulkIn, apply_bulk
from app.db import discard_changes
from app.errors import DomainError, NotAuthenticated, ValidationFailed
from app.i18n import _, text
from app.saved_views import service as views
from app.saved_views.models import SavedViewCreate
from app.web.deps import ActorDep, NowDep, SessionDep, get_locale
from app.web.staff.cases import list_page
from app.web.staff.forms import FORM_ERROR, FormDep, domain_errors, form_values, validation_errors

router = APIRouter()

ViewId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _back(query: str, done: str) -> str:
    clean = views.clean_query(query)
    return "/staff/cases?" + (f"{clean}&" if clean else "") + urlencode({"done": done})


@router.post("/cases/bulk")
def bulk(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form, multi=("selected",))
    locale = get_locale(request)
    try:
        if not values["selected"]:
            raise ValidationFailed(_("Chưa chọn vụ việc nào."), field="selected")
        body = BulkIn.model_validate({
            "action": values.get("bulk_action", ""), "references": values["selected"],
            **{k: values[k] for k in ("lead_unit", "tag", "duplicate_of", "note") if values.get(k)},
        })  # fmt: skip
        apply_bulk(session, actor=actor, body=body, now=now)
    except ValidationError as exc:
        errors = validation_errors(exc, locale)
        return list_page(request, session, actor, now, bulk_values=values, bulk_errors=errors, status_code=422)
    except NotAuthenticated:
        raise
    except DomainError as exc:  # a case one may not see is named in the message, not a missing page
        discard_changes(session)
        errors = domain_errors(exc, locale)
        if FORM_ERROR not in errors:
            errors[FORM_ERROR] = text(exc.message, locale)
        return list_page(request, session, actor, now, bulk_values=values, bulk_errors=errors,
                         status_code=exc.status_code)  # fmt: skip
    return RedirectResponse(_back(request.url.query, "bulk"), status_code=303)


@router.post("/cases/views")
def save_view(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    locale = get_locale(request)
    try:
        data = SavedViewCreate.model_validate({"name": values.get("name", ""), "query": values.get("query", "")})
        saved = views.save_view(session, actor=actor, data=data, now=now)
    except ValidationError as exc:
        errors = validation_errors(exc, locale)
        return list_page(request, session, actor, now, view_values=values, view_errors=errors, status_code=422)
    except ValidationFailed as exc:
        discard_changes(session)
        return list_page(request, session, actor, now, view_values=values,
                         view_errors=domain_errors(exc, locale), status_code=exc.status_code)  # fmt: skip
    return RedirectResponse(_back(saved.query, "view_saved"), status_code=303)


@router.post("/cases/views/{view_id}/delete")
def delete_view(session: SessionDep, actor: ActorDep, view_id: ViewId) -> Response:
    views.delete_view(session, actor=actor, view_id=view_id)
    return RedirectResponse("/staff/cases?done=view_deleted", status_code=303)
