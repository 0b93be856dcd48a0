"""Press monitoring and the morning digest (product §11.4): sources, watch terms, items, item → case, the digest
(JSON and DOCX), the emerging issues and the digest e-mail subscription."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from app.cases.models import CaseRead
from app.cases.reads import case_read
from app.cases.vocabulary import Topic
from app.crisis.models import CrisisIn, CrisisRead
from app.crisis.paging import Paging
from app.monitor import crisis as monitor_crisis
from app.monitor import digest as digests
from app.monitor import render, rules, service
from app.monitor.models import (
    DigestRead,
    EmergingRead,
    ItemPage,
    ItemRead,
    SourceCreate,
    SourcePage,
    SourceRead,
    SourceUpdate,
    SubscriptionRead,
    TermCreate,
    TermPage,
    TermRead,
)
from app.timeutil import local_date
from app.validation import MAX_ID
from app.web.deps import ActorDep, IdPath, LocaleDep, NowDep, SessionDep, SettingsDep

router = APIRouter(tags=["monitoring"])


@router.get("/monitor/sources", response_model=SourcePage)
def list_sources(session: SessionDep, actor: ActorDep) -> SourcePage:
    """Every source with its polling state: ``last_polled_at``, ``last_error`` (null when the last poll worked),
    ``failures`` in a row and ``healthy`` (false after three)."""
    return SourcePage(items=service.list_sources(session, actor=actor))


@router.post("/monitor/sources", response_model=SourceRead, status_code=201)
def create_source(session: SessionDep, actor: ActorDep, now: NowDep, body: SourceCreate) -> SourceRead:
    """Add a source: ``kind`` ``feed`` (RSS 2.0 or Atom), ``sitemap`` (news sitemap) or ``page``. Press office."""
    return service.create_source(session, actor=actor, data=body, now=now)


@router.get("/monitor/sources/{source_id}", response_model=SourceRead)
def get_source(session: SessionDep, actor: ActorDep, source_id: IdPath) -> SourceRead:
    return service.get_source(session, actor=actor, source_id=source_id)


@router.patch("/monitor/sources/{source_id}", response_model=SourceRead)
def update_source(session: SessionDep, actor: ActorDep, now: NowDep, source_id: IdPath,
                  body: SourceUpdate) -> SourceRead:  # fmt: skip
    """Change a source; ``enabled: true`` on a disabled one polls it at the next cycle with its failures forgotten."""
    return service.update_source(session, actor=actor, source_id=source_id, data=body, now=now)


@router.get("/monitor/terms", response_model=TermPage)
def list_terms(session: SessionDep, actor: ActorDep) -> TermPage:
    return TermPage(items=service.list_terms(session, actor=actor))


@router.post("/monitor/terms", response_model=TermRead, status_code=201)
def create_term(session: SessionDep, actor: ActorDep, now: NowDep, body: TermCreate) -> TermRead:
    """A watch term, matched without regard to diacritics or case, on word boundaries (``lạm thu`` matches
    ``LẠM THU`` and ``lam thu``, not ``lam thuc``); optional ``topic`` and ``unit`` (code) guess an item's topic
    and unit. The same term twice (folded) → 409."""
    return service.create_term(session, actor=actor, data=body, now=now)


@router.delete("/monitor/terms/{term_id}", status_code=204)
def delete_term(session: SessionDep, actor: ActorDep, term_id: IdPath) -> Response:
    service.delete_term(session, actor=actor, term_id=term_id)
    return Response(status_code=204)


@router.get("/monitor/items", response_model=ItemPage)
def list_items(
    session: SessionDep,
    actor: ActorDep,
    since: Annotated[datetime | None, Query(description="Seen at or after (ISO 8601)")] = None,
    matched: bool | None = None,
    topic: Topic | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cluster: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    source: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ItemPage:
    """Items newest first; ``matched=true`` keeps those that matched a watch term; ``q`` searches title and text
    without diacritics; ``cluster`` lists one story's items."""
    items, next_cursor = service.list_items(
        session, actor=actor, since=since, matched=matched, topic=topic, q=q, cluster_id=cluster, source_id=source,
        cursor=cursor, limit=limit,
    )  # fmt: skip
    return ItemPage(items=items, next_cursor=next_cursor)


@router.get("/monitor/items/{item_id}", response_model=ItemRead)
def get_item(session: SessionDep, actor: ActorDep, item_id: IdPath) -> ItemRead:
    return service.get_item(session, actor=actor, item_id=item_id)


@router.post("/monitor/items/{item_id}/case", response_model=CaseRead, status_code=201)
def open_case(session: SessionDep, actor: ActorDep, now: NowDep, item_id: IdPath) -> CaseRead:
    """Open a ``new`` case from the item (source kind ``press_article``, or ``social_media``; outlet, URL, title,
    published time), linked to the item and its cluster. An item (or a story) already a case → 409 naming it."""
    case = service.open_case_from_item(session, actor=actor, item_id=item_id, now=now)
    return case_read(session, actor=actor, case=case, now=now)


class ItemCrisisRead(BaseModel):
    case_reference: str
    crisis: CrisisRead


@router.post("/monitor/items/{item_id}/crisis", response_model=ItemCrisisRead, status_code=201,
             responses={200: {"model": ItemCrisisRead, "description": "The level of the crisis in progress changed"},
                        409: {"description": "The case is closed, or already in crisis at that level"}})  # fmt: skip
def declare_crisis(session: SessionDep, actor: ActorDep, now: NowDep, locale: LocaleDep, settings: SettingsDep,
                   item_id: IdPath, body: CrisisIn, response: Response) -> ItemCrisisRead:  # fmt: skip
    """Declare a crisis (``{"level", "reason"}``) from a monitored item: on the case of its story, opened from the
    item first when there is none (as ``POST /monitor/items/{id}/case``), then as ``POST /cases/{ref}/crisis``
    (on a case already in crisis, a new level answers 200). The case's history records both."""
    read, reference, new = monitor_crisis.declare_from_item(session, actor=actor, item_id=item_id, data=body,
                                                            now=now, paging=Paging.from_settings(settings),
                                                            locale=locale)  # fmt: skip
    if not new:
        response.status_code = 200
    return ItemCrisisRead(case_reference=reference, crisis=read)


@router.get("/monitor/emerging", response_model=list[EmergingRead])
def emerging(session: SessionDep, actor: ActorDep, now: NowDep, flagged: bool = False) -> list[EmergingRead]:
    """Topics and watch terms with mentions in the last 24 hours / 7 days, against their own baseline (Poisson
    score, docs/monitoring.md), with the daily series of the last 14 days. ``flagged=true``: only the emerging."""
    return digests.emerging(session, actor=actor, until=now, flagged_only=flagged)


def _day(value: date | None, now: datetime) -> date:
    return value or local_date(now)


@router.get("/digest", response_model=DigestRead)
def get_digest(session: SessionDep, actor: ActorDep, now: NowDep, settings: SettingsDep,
               day: Annotated[date | None, Query(alias="date")] = None) -> DigestRead:  # fmt: skip
    """The morning digest (điểm tin báo chí) of the 24 hours before the digest time (07:00) of ``date`` (default
    today): clusters by topic with their outlets and case, cases opened, notices published, clocks due that day,
    and the emerging issues."""
    return digests.digest(session, actor=actor, day=_day(day, now), digest_time=rules.parse_clock(settings.digest_time))


@router.get("/digest.docx", response_class=Response)
def get_digest_docx(session: SessionDep, actor: ActorDep, now: NowDep, settings: SettingsDep,
                    day: Annotated[date | None, Query(alias="date")] = None) -> Response:  # fmt: skip
    """The digest as a Word document for print."""
    digest = digests.digest(
        session, actor=actor, day=_day(day, now), digest_time=rules.parse_clock(settings.digest_time)
    )
    body = render.digest_docx(digest, org_name=settings.org_name)
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="diem-tin-{digest.date.isoformat()}.docx"'},
    )


@router.put("/digest/subscription", response_model=SubscriptionRead)
def set_subscription(session: SessionDep, actor: ActorDep, now: NowDep, body: SubscriptionRead) -> SubscriptionRead:
    """Receive (or stop receiving) the digest by e-mail at the digest time."""
    return SubscriptionRead(subscribed=digests.set_subscription(session, actor=actor, subscribed=body.subscribed,
                                                                now=now))  # fmt: skip
