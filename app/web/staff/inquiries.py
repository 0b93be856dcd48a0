"""Reporters' written inquiries on the case page: the press office links one to the case that answers the same
question (the same service as ``POST /api/v1/inquiries/{code}/link``); the inquiry then follows that case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.cases.scope import get_case
from app.errors import DomainError
from app.inquiries import service
from app.inquiries.models import InquiryLinkIn
from app.web.deps import ActorDep, NowDep, SessionDep
from app.web.staff.case_page import case_page, failure
from app.web.staff.forms import FormDep, form_values

router = APIRouter()

Code = Annotated[str, Path(max_length=40)]
Reference = Annotated[str, Path(max_length=30)]


@router.post("/cases/{reference}/inquiries/{code}/link")
def link_inquiry(
    request: Request, session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference, code: Code,
    form: FormDep,
) -> Response:  # fmt: skip
    """From the page of the case the inquiry follows now: move it to the case ``target`` (typed reference)."""
    case = get_case(session, actor=actor, reference=reference)
    values = form_values(form)
    try:
        body = InquiryLinkIn.model_validate({"reference": values.get("target", ""), "note": values.get("note") or None})
        service.link_inquiry(session, actor=actor, code=code, reference=body.reference, note=body.note, now=now)
    except (ValidationError, DomainError) as exc:
        failed, message, status = failure(request, session, exc, key=f"link-{code}", values=values,
                                          field_names={"reference": "target"})  # fmt: skip
        case = get_case(session, actor=actor, reference=reference)
        return case_page(request, session, actor, case, now, message=message, failed=failed, status_code=status)
    return RedirectResponse(f"/staff/cases/{body.reference}?done=inquiry_linked#inquiries", status_code=303)
