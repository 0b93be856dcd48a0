"""Reporters' written inquiries, for the press office: read them, and link those asking the same thing to one
case (they then all get its answer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.cases.scope import get_case
from app.inquiries import service
from app.inquiries.models import InquiryLinkIn, InquiryPage, InquiryRead
from app.web.deps import ActorDep, NowDep, SessionDep

router = APIRouter(tags=["cases"])

Code = Annotated[str, Path(max_length=40, description="The inquiry's tracking code (PV-…)")]
Reference = Annotated[str, Path(max_length=30, description="The case reference, e.g. VV-2026-00042")]


@router.get("/inquiries/{code}", response_model=InquiryRead)
def get_inquiry(session: SessionDep, actor: ActorDep, now: NowDep, code: Code) -> InquiryRead:
    """A reporter's inquiry with the reporter's details, the case it opened and the case it follows now."""
    inquiry = service.get_inquiry(session, actor=actor, code=code)
    return service.inquiry_reads(session, [inquiry], now=now)[0]


@router.get("/cases/{reference}/inquiries", response_model=InquiryPage)
def case_inquiries(session: SessionDep, actor: ActorDep, now: NowDep, reference: Reference) -> InquiryPage:
    """The reporters' inquiries that follow this case (they all get its answer), oldest first."""
    case = get_case(session, actor=actor, reference=reference)
    rows = service.case_inquiries(session, actor=actor, case=case)
    return InquiryPage(items=service.inquiry_reads(session, rows, now=now))


@router.post("/inquiries/{code}/link", response_model=InquiryRead)
def link_inquiry(session: SessionDep, actor: ActorDep, now: NowDep, code: Code, body: InquiryLinkIn) -> InquiryRead:
    """Press office: the inquiry asks what case `reference` answers. It follows that case from now on (its reporter
    gets that case's answer); the case it opened is closed as a duplicate if nothing else follows it. Both cases'
    timelines record it (`inquiry_linked`, `inquiry_moved`). 409 if it already follows that case."""
    inquiry = service.link_inquiry(session, actor=actor, code=code, reference=body.reference, note=body.note, now=now)
    return service.inquiry_reads(session, [inquiry], now=now)[0]
