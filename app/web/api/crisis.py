"""Crisis mode (product §11.5): declaring and standing down a crisis, the duty roster, pages and their
acknowledgement, the after-action review (JSON and DOCX) and the year's crises."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel

from app.crisis import paging, queries, service
from app.crisis.models import (
    AfterActionRead,
    CrisisIn,
    CrisisRead,
    LessonsIn,
    PageList,
    PageRead,
    RosterIn,
    RosterRead,
    StandDownIn,
    YearCrisis,
)
from app.crisis.review import DOCX_MEDIA_TYPE, review_docx
from app.errors import ValidationFailed
from app.i18n import _
from app.timeutil import local_date
from app.validation import MAX_ID
from app.web.deps import ActorDep, LocaleDep, NowDep, SessionDep, SettingsDep

router = APIRouter(tags=["crisis"])

Reference = Annotated[str, Path(max_length=30, description="The case reference, e.g. VV-2026-00042")]
PageId = Annotated[int, Path(ge=1, le=MAX_ID)]


class YearCrises(BaseModel):
    year: int
    items: list[YearCrisis]


@router.post("/cases/{reference}/crisis", response_model=CrisisRead, status_code=201,
             responses={200: {"model": CrisisRead, "description": "The level of the crisis in progress changed"},
                        409: {"description": "The case is closed, or already in crisis at that level"}})  # fmt: skip
def declare(session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, settings: SettingsDep,
            reference: Reference, body: CrisisIn, response: Response) -> CrisisRead:  # fmt: skip
    """Declare a crisis (level 1–3, with a reason): the case's severity becomes ``crisis``, the crisis clocks of
    the level start (internal targets, each with its basis), the spokesperson and the press officer on duty are
    paged. On a case already in crisis, changes its level (200). Press office, spokesperson or director."""
    read, new = service.declare_crisis(session, actor=actor, reference=reference, data=body, now=now,
                                       paging=paging.Paging.from_settings(settings), locale=locale)  # fmt: skip
    if not new:
        response.status_code = 200
    return read


@router.delete("/cases/{reference}/crisis", response_model=CrisisRead,
               responses={409: {"description": "The case is not in crisis (or was stood down already)"}})  # fmt: skip
def stand_down(session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, reference: Reference,
               body: Annotated[StandDownIn | None, Body()] = None,
               reason: Annotated[str | None, Query(max_length=5000)] = None) -> CrisisRead:  # fmt: skip
    """Stand the crisis down, with a reason (in the body ``{"reason"}`` or the query ``?reason=``): its clocks
    stop, pages still waiting are closed, the case returns to the severity it had before."""
    why = body.reason if body else (reason or "").strip()
    if not why:
        raise ValidationFailed(_("Cần ghi rõ lý do kết thúc tình trạng khủng hoảng."), field="reason")
    return service.stand_down(session, actor=actor, reference=reference, reason=why, now=now, locale=locale)


@router.get("/cases/{reference}/crisis", response_model=CrisisRead)
def get_crisis(session: SessionDep, actor: ActorDep, locale: LocaleDep, reference: Reference) -> CrisisRead:
    """The case's crisis in progress, or its latest one; 404 when it never had one."""
    return service.get_crisis(session, actor=actor, reference=reference, locale=locale)


@router.get("/roster", response_model=RosterRead)
def get_roster(session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep) -> RosterRead:
    """The duty roster: the shifts not ended yet (``role``, ``user``, ``starts_at``, ``ends_at``, ``position`` in
    the fallback order), the gaps (where a role has nobody at position 1: pages go to the fallback) and who is on
    duty now."""
    return service.get_roster(session, actor=actor, now=now, locale=locale)


@router.put("/roster", response_model=RosterRead)
def put_roster(session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, body: RosterIn) -> RosterRead:
    """Replace the shifts that have not ended (admin or director). A shift of the same role and position that
    overlaps another, ends before it starts, or names someone without a fitting role: 422, nothing saved."""
    return service.put_roster(session, actor=actor, data=body, now=now, locale=locale)


@router.get("/pages", response_model=PageList)
def list_pages(
    session: SessionDep,
    actor: ActorDep,
    case: Annotated[str | None, Query(max_length=30, description="only this case's pages")] = None,
    mine: Annotated[bool, Query(description="only the pages sent to the caller")] = False,
    waiting: Annotated[bool, Query(description="only those still waiting for an acknowledgement")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PageList:
    """Pages sent, newest first: ``id``, ``case_reference``, ``user``, ``sent_at``, ``acked_at``, the ladder and
    step, ``ack_due_at``, ``escalated_at`` and ``state`` (waiting, acknowledged, escalated, closed)."""
    return PageList(items=paging.list_pages(session, actor=actor, reference=case, mine=mine, waiting=waiting,
                                             limit=limit))  # fmt: skip


@router.post("/pages/{page_id}/ack", response_model=PageRead)
def ack_page(session: SessionDep, actor: ActorDep, now: NowDep, page_id: PageId) -> PageRead:
    """Acknowledge a page sent to the caller: the escalation of its ladder stops. A second acknowledgement
    changes nothing; someone else's page: 403."""
    return paging.ack_page(session, actor=actor, page_id=page_id, now=now, via="api")


@router.get("/cases/{reference}/after-action", response_model=AfterActionRead)
def after_action(session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep,
                 reference: Reference) -> AfterActionRead:  # fmt: skip
    """The review of the case's latest crisis (``over`` once stood down): the time from receipt (and from the
    declaration) to the declaration, the first acknowledged page, the holding statement drafted and published and
    the first notice; the clocks met and missed; the pages and acknowledgements; the lessons; the timeline."""
    return queries.after_action(session, actor=actor, reference=reference, now=now, locale=locale)


@router.put("/cases/{reference}/after-action/lessons", response_model=AfterActionRead)
def set_lessons(session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, reference: Reference,
                body: LessonsIn) -> AfterActionRead:  # fmt: skip
    """The office's lessons, free text (press office, spokesperson, director)."""
    service.set_lessons(session, actor=actor, reference=reference, lessons=body.lessons, now=now)
    return queries.after_action(session, actor=actor, reference=reference, now=now, locale=locale)


@router.get(
    "/cases/{reference}/after-action.docx",
    response_class=Response,
    responses={200: {"content": {DOCX_MEDIA_TYPE: {}}, "description": "The review as a Word document"}},
)
def after_action_docx(session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, settings: SettingsDep,
                      reference: Reference) -> Response:  # fmt: skip
    review = queries.after_action(session, actor=actor, reference=reference, now=now, locale=locale)
    org = settings.org_name_en if locale == "en" else settings.org_name
    body = review_docx(review, org_name=org, locale=locale, now=now)
    name = f"rut-kinh-nghiem-{review.case_reference}.docx"
    return Response(
        body,
        media_type=DOCX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/reports/crises", response_model=YearCrises)
def year_crises(session: SessionDep, actor: ActorDep, now: NowDep,
                year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> YearCrises:  # fmt: skip
    """The crises declared in a calendar year (default: this one) with the review's figures, in seconds from the
    case's receipt."""
    y = year or local_date(now).year
    return YearCrises(year=y, items=queries.year_crises(session, actor=actor, year=y, now=now))
