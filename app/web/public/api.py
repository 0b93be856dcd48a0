"""The public JSON API under /api/public/v1 (no account): published notices, the Atom feed, the spokespersons,
and reporters' written inquiries. Caching (ETag, 304, Cache-Control), rate limits and CORS are the edge's
(``app/web/public/edge.py``); these routes only answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from app.cases.vocabulary import Topic
from app.inquiries import service as inquiries
from app.inquiries.models import InquiryCreate, InquiryReceipt, InquiryStatusPublic
from app.inquiries.rules import InquiryStatus
from app.notices import service as notices
from app.notices.models import NoticePublic, NoticePublicPage
from app.notices.service import NoticeFilters
from app.spokespersons import service as spokespersons
from app.spokespersons.models import SpokespersonPage
from app.statements.rules import StatementKind
from app.stories import queries as stories
from app.stories.models import StoryPublic, StoryPublicPage
from app.stories.workflow import StoryKind
from app.validation import QueryText
from app.web.cursors import seal, unseal
from app.web.deps import IdPath, NowDep, ReadSessionDep, SessionDep, SettingsDep
from app.web.idempotency import PublicIdempotencyDep
from app.web.public import examples
from app.web.public.feed import FEED_SIZE, atom_feed, stories_feed
from app.web.public.filters import DEFAULT_LIMIT, MAX_LIMIT, notice_filters

router = APIRouter(prefix="/api/public/v1", tags=["public"])

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "A parameter is not valid", "content": {"application/json": {"example": examples.ERROR_422}}},
    429: {
        "description": "Too many requests from this client: wait `Retry-After` seconds",
        "content": {"application/json": {"example": examples.ERROR_429}},
    },
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such published notice", "content": {"application/json": {"example": examples.ERROR_404}}}
}


@router.get(
    "/notices",
    response_model=NoticePublicPage,
    responses={200: {"content": {"application/json": {"example": examples.NOTICE_PAGE}}}, **ERRORS},
)
def list_notices(
    request: Request,
    session: ReadSessionDep,
    now: NowDep,
    filters: Annotated[NoticeFilters, Depends(notice_filters)],
    cursor: Annotated[QueryText | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Notices a page")] = DEFAULT_LIMIT,
) -> NoticePublicPage:
    """Published notices (thông cáo, thông báo), **newest first**, with filters and cursor pagination.

    Follow `next_cursor` (pass it back as `cursor` with the same filters) until it is `null`. Every notice is
    the exact text the spokesperson approved; a withdrawn notice stays listed with `withdrawn: true`."""
    items, next_cursor = notices.list_published(session, now, filters, unseal(request, cursor, "notices"), limit)
    return NoticePublicPage(items=items, next_cursor=seal(request, next_cursor, "notices"))


@router.get(
    "/notices.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}, "description": "An Atom 1.0 feed"}, **ERRORS},
)
def notices_feed(
    session: ReadSessionDep,
    settings: SettingsDep,
    now: NowDep,
    topic: Annotated[list[Topic] | None, Query(description="Only these topics (a feed per topic)")] = None,
    kind: Annotated[list[StatementKind] | None, Query(description="Only these kinds")] = None,
) -> Response:
    """An Atom feed of the 50 latest notices, for feed readers and newsroom tools; `?topic=` gives a feed per
    topic. Each entry links to the notice's page and carries its full text."""
    filters = NoticeFilters(topic=topic or [], kind=kind or [])
    items, _next = notices.list_published(session, now, filters, None, FEED_SIZE)
    body = atom_feed(items, settings=settings, topics=topic or [], kinds=kind or [])
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get(
    "/spokespersons",
    response_model=SpokespersonPage,
    responses={200: {"content": {"application/json": {"example": examples.SPOKESPERSONS}}}, **ERRORS},
)
def list_spokespersons(session: ReadSessionDep, now: NowDep) -> SpokespersonPage:
    """Who speaks for the Sở now (người phát ngôn), with their official contacts: the director, and the standing
    spokesperson appointed by the director (Decree 244/2026/NĐ-CP, Art. 3)."""
    return SpokespersonPage(items=spokespersons.current_spokespersons(session, now))


@router.post(
    "/inquiries",
    response_model=InquiryReceipt,
    status_code=201,
    responses={201: {"content": {"application/json": {"example": examples.INQUIRY_RECEIPT}}}, **ERRORS},
)
def submit_inquiry(
    session: SessionDep,
    now: NowDep,
    body: Annotated[InquiryCreate, examples.INQUIRY_BODY],
    idem: PublicIdempotencyDep,
) -> InquiryReceipt:
    """Send the press office a written inquiry (câu hỏi bằng văn bản). Keep the returned `code`: it is the only
    way to follow the inquiry (`GET /inquiries/{code}`). The press office answers by a published notice, or
    contacts you directly. Inquiries are limited per client more strictly than reads."""
    inquiry = inquiries.submit_inquiry(session, data=body, now=now)
    return idem.answer(201, InquiryReceipt(code=inquiry.code, status=InquiryStatus.RECEIVED))


@router.get(
    "/inquiries/{code}",
    response_model=InquiryStatusPublic,
    responses={200: {"content": {"application/json": {"example": examples.INQUIRY_STATUS}}}, 404: {}, **ERRORS},
)
def inquiry_status(
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    code: Annotated[str, Path(max_length=40, description="The tracking code, e.g. PV-7KQ2M4XZ3B6D5F2H4J6K7L2M")],
) -> InquiryStatusPublic:
    """The public status of an inquiry: `received`, `being_handled`, `answered` (with the notice that answers it),
    or `closed` (closed without a published notice: the press office replies to you directly). Nothing else."""
    return inquiries.public_status(session, code=code, now=now, base_url=settings.public_base_url)


@router.get(
    "/notices/{number:path}",
    response_model=NoticePublic,
    responses={200: {"content": {"application/json": {"example": examples.NOTICE}}}, **NOT_FOUND, **ERRORS},
)
def get_notice(
    session: ReadSessionDep,
    now: NowDep,
    number: Annotated[
        str,
        Path(
            max_length=80,
            description="The number, URL-encoded (`12%2FTC-SGD%C4%90T` for 12/TC-SGDĐT: the "
            "newest year's), or the slug (`2026-tc-12`)",
        ),  # fmt: skip
    ],
) -> NoticePublic:
    """One published notice with its history: `corrects` (the notice it corrects or withdraws), `corrected_by`,
    `withdrawn` / `withdrawn_by`, and `history` (the whole chain of corrections, oldest first)."""
    return notices.get_published(session, number, now)


# --- the units' stories -----------------------------------------------------------------------------------------


@router.get("/stories", response_model=StoryPublicPage, responses=ERRORS)
def list_stories(
    session: ReadSessionDep,
    settings: SettingsDep,
    kind: Annotated[StoryKind | None, Query(description="Only news or only exemplary stories")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Stories a page")] = DEFAULT_LIMIT,
) -> StoryPublicPage:
    """The units' published news items and exemplary stories, newest first (never a draft)."""
    return StoryPublicPage(
        items=stories.published_stories(session, base_url=settings.public_base_url, kind=kind, limit=limit)
    )


@router.get(
    "/stories.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}, "description": "An Atom 1.0 feed"}, **ERRORS},
)
def stories_atom(session: ReadSessionDep, settings: SettingsDep) -> Response:
    """An Atom feed of the 50 latest published stories, each with its full text."""
    items = stories.published_stories(session, base_url=settings.public_base_url, limit=FEED_SIZE)
    return Response(stories_feed(items, settings=settings), media_type="application/atom+xml; charset=utf-8")


@router.get("/stories/{story_id}", response_model=StoryPublic, responses=ERRORS)
def get_story(session: ReadSessionDep, settings: SettingsDep, story_id: IdPath) -> StoryPublic:
    """One published story."""
    return stories.published_story(session, story_id=story_id, base_url=settings.public_base_url)
