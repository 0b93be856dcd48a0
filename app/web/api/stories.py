"""The units' own communication (product §11.7): stories and their lifecycle, the units' communications contacts,
the school year's plan and the units' progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.stories import queries, service
from app.stories.models import (
    ContactIn,
    PlanIn,
    PlanRead,
    ProgressRead,
    ReturnIn,
    StoryCreate,
    StoryDiffRead,
    StoryPage,
    StoryRead,
    StoryUpdate,
    UnitContactPage,
)
from app.stories.workflow import StoryAction, StoryStatus, parse_school_year
from app.validation import Code
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep

router = APIRouter(tags=["stories"])

SchoolYearPath = Annotated[str, Path(max_length=9, description="e.g. 2026-2027")]


@router.post("/stories", response_model=StoryRead, status_code=201)
def create_story(session: SessionDep, actor: ActorDep, now: NowDep, body: StoryCreate) -> StoryRead:
    """Draft a story of your unit: ``{"kind": "news" | "exemplary", "title", "body", "unit", "theme"}``."""
    story = service.create_story(session, actor=actor, data=body, now=now)
    return queries.story_read(session, actor=actor, story=story)


@router.get("/stories", response_model=StoryPage)
def list_stories(
    session: SessionDep,
    actor: ActorDep,
    status: Annotated[list[StoryStatus] | None, Query()] = None,
    unit: Annotated[Code | None, Query()] = None,
) -> StoryPage:
    """The stories you may see, newest first: your unit's (drafts too), or all of them for the press office."""
    return StoryPage(items=queries.list_stories(session, actor=actor, status=status or [], unit=unit))


@router.get("/stories/{story_id}", response_model=StoryRead)
def get_story(session: SessionDep, actor: ActorDep, story_id: IdPath) -> StoryRead:
    """One story with its versions, its history and what you may do now."""
    story = service.load_story(session, actor=actor, story_id=story_id)
    return queries.story_read(session, actor=actor, story=story)


@router.patch("/stories/{story_id}", response_model=StoryRead)
def edit_story(session: SessionDep, actor: ActorDep, now: NowDep, story_id: IdPath, body: StoryUpdate) -> StoryRead:
    """Edit the title, text, kind or theme: the unit while it is a draft, the press office once submitted. A changed
    text is a new version."""
    story = service.load_story(session, actor=actor, story_id=story_id)
    service.edit_story(session, actor=actor, story=story, data=body, now=now)
    return queries.story_read(session, actor=actor, story=story)


@router.get("/stories/{story_id}/diff", response_model=StoryDiffRead)
def diff(
    session: SessionDep,
    actor: ActorDep,
    story_id: IdPath,
    from_version: Annotated[int | None, Query(alias="from", ge=1, le=100000)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1, le=100000)] = None,
) -> StoryDiffRead:
    """What changed between two versions (default: the latest and the one before)."""
    story = service.load_story(session, actor=actor, story_id=story_id)
    return queries.compare_versions(session, story=story, from_version=from_version, to_version=to_version)


def _step(session: SessionDep, actor: ActorDep, now: NowDep, story_id: int, action: StoryAction,
          comment: str | None = None) -> StoryRead:  # fmt: skip
    story = service.load_story(session, actor=actor, story_id=story_id)
    service.step(session, actor=actor, story=story, action=action, now=now, comment=comment)
    return queries.story_read(session, actor=actor, story=story)


@router.post("/stories/{story_id}/submit", response_model=StoryRead)
def submit(session: SessionDep, actor: ActorDep, now: NowDep, story_id: IdPath) -> StoryRead:
    """The unit head sends the draft to the press office."""
    return _step(session, actor, now, story_id, StoryAction.SUBMIT)


@router.post("/stories/{story_id}/return", response_model=StoryRead)
def return_story(session: SessionDep, actor: ActorDep, now: NowDep, story_id: IdPath, body: ReturnIn) -> StoryRead:
    """The press office returns it to the unit with a ``comment``."""
    return _step(session, actor, now, story_id, StoryAction.RETURN, body.comment)


@router.post("/stories/{story_id}/approve", response_model=StoryRead)
def approve(session: SessionDep, actor: ActorDep, now: NowDep, story_id: IdPath) -> StoryRead:
    """The press office approves it for publication."""
    return _step(session, actor, now, story_id, StoryAction.APPROVE)


@router.post("/stories/{story_id}/publish", response_model=StoryRead)
def publish(session: SessionDep, actor: ActorDep, now: NowDep, story_id: IdPath) -> StoryRead:
    """The press office publishes it: it appears on /stories, in the public JSON API and in the feed."""
    return _step(session, actor, now, story_id, StoryAction.PUBLISH)


# --- contacts, the plan, progress -------------------------------------------------------------------------


@router.get("/comms/contacts", response_model=UnitContactPage)
def contacts(session: SessionDep, actor: ActorDep, now: NowDep) -> UnitContactPage:
    """Every active unit with its communications contact now (``null``: none designated) and the history."""
    del actor  # any staff member
    return queries.unit_contacts(session, now=now)


@router.put("/units/{code}/comms-contact", response_model=UnitContactPage)
def designate(session: SessionDep, actor: ActorDep, now: NowDep, code: Annotated[Code, Path()],
              body: ContactIn) -> UnitContactPage:  # fmt: skip
    """Designate the unit's communications contact from ``starts_on`` (an account by ``username``, or a name with
    title, phone and e-mail). The contact before ends that day; the history is kept."""
    service.designate_contact(session, actor=actor, unit_code=code, data=body, now=now)
    return queries.unit_contacts(session, now=now, unit=code)


@router.get("/comms/plans/{school_year}", response_model=PlanRead | None)
def get_plan(session: SessionDep, actor: ActorDep, school_year: SchoolYearPath) -> PlanRead | None:
    """The school year's communications plan (``null`` if none yet)."""
    del actor
    return queries.plan_read(session, year=parse_school_year(school_year))


@router.put("/comms/plans/{school_year}", response_model=PlanRead)
def put_plan(session: SessionDep, actor: ActorDep, now: NowDep, school_year: SchoolYearPath, body: PlanIn) -> PlanRead:
    """Set the plan: its ``themes`` (the seven topics), the default ``stories_per_semester`` and the units' own
    ``targets``."""
    service.save_plan(session, actor=actor, school_year=school_year, data=body, now=now)
    plan = queries.plan_read(session, year=parse_school_year(school_year))
    assert plan is not None
    return plan


@router.get("/comms/progress", response_model=list[ProgressRead])
def progress(session: SessionDep, actor: ActorDep, now: NowDep) -> list[ProgressRead]:
    """Your units' progress against this school year's plan."""
    return queries.unit_progress(session, actor=actor, now=now)
