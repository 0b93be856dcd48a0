"""The spokesperson registry: who speaks for the Sở now (as the public sees it), the standing spokesperson's
appointments (the director appoints, replaces or ends), and the per-case written authorisations (the director
grants them on the case page and revokes them here or there).

The services check that only the director appoints and authorises (no sub-delegation).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.permissions import Actor, Permission, can
from app.cases.scope import get_case
from app.errors import DomainError
from app.spokespersons import queries as spokesperson_queries
from app.spokespersons import service
from app.spokespersons.models import AppointmentCreate, AppointmentEnd, AuthorisationCreate, AuthorisationRevoke
from app.web.dates import iso_local
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep
from app.web.staff.case_page import FailedForm, case_page, failure
from app.web.staff.cases import Reference
from app.web.staff.forms import FormDep, Values, form_values
from app.web.templating import render

router = APIRouter()


def registry_page(
    request: Request,
    session: Session,
    actor: Actor,
    now: datetime,
    *,
    message: str | None = None,
    failed: FailedForm | None = None,
    status_code: int = 200,
) -> Response:
    may_appoint = can(actor, Permission.SPOKESPERSON_APPOINT)
    ctx = {
        "current": service.current_spokespersons(session, now),
        "appointments": service.appointment_reads(session, service.list_appointments(session, actor=actor), now=now),
        "authorisations": spokesperson_queries.recent_authorisations(session, actor=actor, now=now),
        "may_appoint": may_appoint,
        "may_authorise": can(actor, Permission.SPOKESPERSON_AUTHORISE),
        "candidates": spokesperson_queries.appointable_users(session) if may_appoint else [],
        "message": message,
        "failed": failed,
    }
    return render(request, "staff/spokespersons.html", ctx, status_code=status_code)


@router.get("/spokespersons")
def registry(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    return registry_page(request, session, actor, now)


def _optional(values: Values, *names: str) -> dict[str, Any]:
    return {name: values[name] for name in names if values.get(name)}


@router.post("/spokespersons/appointments")
def appoint(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    data_in = {name: values.get(name, "") for name in ("username", "title", "phone", "email", "decision_number",
                                                       "decision_date")}  # fmt: skip
    data_in["decision_date"] = iso_local(data_in["decision_date"])
    data_in.update(_optional(values, "valid_until"))
    if values.get("valid_from"):
        data_in["valid_from"] = iso_local(values["valid_from"])
    if "valid_until" in data_in:
        data_in["valid_until"] = iso_local(data_in["valid_until"])
    try:
        data = AppointmentCreate.model_validate(data_in)
        service.appoint_spokesperson(session, actor=actor, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key="appoint", values=values)
        return registry_page(request, session, actor, now, message=message, failed=failed, status_code=status)
    return RedirectResponse("/staff/spokespersons?done=appointed", status_code=303)


@router.post("/spokespersons/appointments/{appointment_id}/end")
def end_appointment(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, appointment_id: IdPath, form: FormDep
) -> Response:
    values = form_values(form)
    try:
        body = AppointmentEnd.model_validate(_optional(values, "note"))
        service.end_appointment(session, actor=actor, appointment_id=appointment_id, note=body.note, now=now)
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key=f"end-{appointment_id}", values=values)
        return registry_page(request, session, actor, now, message=message, failed=failed, status_code=status)
    return RedirectResponse("/staff/spokespersons?done=appointment_ended", status_code=303)


@router.post("/cases/{reference}/authorisations")
def grant(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, form: FormDep
) -> Response:
    case = get_case(session, actor=actor, reference=reference)
    values = form_values(form)
    data_in: dict[str, Any] = {name: values.get(name, "") for name in ("username", "number")}
    data_in["signed_on"] = iso_local(values.get("signed_on", ""))
    data_in["valid_until"] = iso_local(values.get("valid_until", ""))
    data_in.update(_optional(values, "title", "matters"))
    data_in["deputy"] = values.get("deputy") == "1"
    try:
        data = AuthorisationCreate.model_validate(data_in)
        service.grant_authorisation(session, actor=actor, case=case, data=data, now=now)
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key="authorise", values=values)
        case = get_case(session, actor=actor, reference=reference)
        return case_page(request, session, actor, case, now, message=message, failed=failed, status_code=status)
    return RedirectResponse(f"/staff/cases/{case.reference}?done=authorised#authority", status_code=303)


@router.post("/authorisations/{authorisation_id}/revoke")
def revoke(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, authorisation_id: IdPath, form: FormDep
) -> Response:
    values = form_values(form)
    from_case = values.get("back") == "case"
    _grant, case = service.get_authorisation(session, actor=actor, authorisation_id=authorisation_id)
    reference = case.reference
    try:
        body = AuthorisationRevoke.model_validate({"reason": values.get("reason", "")})
        service.revoke_authorisation(session, actor=actor, authorisation_id=authorisation_id, reason=body.reason,
                                     now=now)  # fmt: skip
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key=f"revoke-{authorisation_id}", values=values)
        if from_case:
            case = get_case(session, actor=actor, reference=reference)
            return case_page(request, session, actor, case, now, message=message, failed=failed, status_code=status)
        return registry_page(request, session, actor, now, message=message, failed=failed, status_code=status)
    if from_case:
        return RedirectResponse(f"/staff/cases/{reference}?done=revoked_authorisation#authority", status_code=303)
    return RedirectResponse("/staff/spokespersons?done=revoked_authorisation", status_code=303)
