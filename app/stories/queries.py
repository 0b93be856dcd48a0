"""Reading stories, contacts and the plan: the staff's lists and read models, the public's published stories, and
the per-unit counts the home page and the emulation scorecard use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission
from app.cases.vocabulary import Topic
from app.errors import NotFound
from app.files.models import AttachmentPublic
from app.i18n import _
from app.org.models import Unit, User
from app.statements import diff
from app.stories import photos
from app.stories.models import (
    CommsContact,
    CommsPlan,
    CommsTarget,
    ContactRead,
    PersonRef,
    PlanRead,
    ProgressRead,
    Ref,
    Story,
    StoryDiffRead,
    StoryDiffRow,
    StoryEvent,
    StoryEventRead,
    StoryPublic,
    StoryRead,
    StorySummary,
    StoryVersion,
    StoryVersionRead,
    TargetRead,
    UnitContactPage,
    UnitContactRead,
)
from app.stories.service import may, sees_all_stories
from app.stories.workflow import (
    EDIT_PERMISSION,
    SchoolYear,
    StoryAction,
    StoryKind,
    StoryStatus,
    allowed_actions,
    edge_for,
    school_year_of,
)
from app.timeutil import local_date, local_midnight

PUBLIC_LIMIT = 50


def _units(session: Session, ids: Iterable[int]) -> dict[int, Unit]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(wanted))).all() if u.id is not None}


def _people(session: Session, ids: Iterable[int | None]) -> dict[int, PersonRef]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {u.id: PersonRef(username=u.username, full_name=u.full_name) for u in users if u.id is not None}


def _summary(story: Story, unit: Unit) -> StorySummary:
    assert story.id is not None
    return StorySummary(
        id=story.id, kind=story.kind, status=story.status, theme=story.theme, title=story.title,
        unit=Ref(code=unit.code, name=unit.name), version=story.current_version, created_at=story.created_at,
        updated_at=story.updated_at, submitted_at=story.submitted_at, published_at=story.published_at,
    )  # fmt: skip


def list_stories(session: Session, *, actor: Actor, status: Sequence[StoryStatus] = (),
                 unit: str | None = None) -> list[StorySummary]:  # fmt: skip
    """The stories the actor may see (a unit: its own, drafts included; the Sở-wide roles: all), newest first."""
    query = select(Story)
    if not sees_all_stories(actor):
        query = query.where(col(Story.unit_id).in_(sorted(actor.unit_ids(Permission.STORY_VIEW))))
    if status:
        query = query.where(col(Story.status).in_(list(status)))
    if unit:
        query = query.join(Unit, col(Unit.id) == col(Story.unit_id)).where(Unit.code == unit)
    stories = session.exec(query.order_by(col(Story.updated_at).desc(), col(Story.id).desc()).limit(500)).all()
    units = _units(session, (s.unit_id for s in stories))
    return [_summary(s, units[s.unit_id]) for s in stories]


def actions_for(actor: Actor, story: Story) -> list[StoryAction]:
    result = []
    perm = EDIT_PERMISSION.get(story.status)
    if perm is not None and may(actor, perm, story):
        result.append(StoryAction.EDIT)
    for action in allowed_actions(story.status):
        if may(actor, edge_for(story.status, action).permission, story):
            result.append(action)
    return result


def story_read(session: Session, *, actor: Actor, story: Story) -> StoryRead:
    versions = session.exec(
        select(StoryVersion).where(StoryVersion.story_id == story.id).order_by(col(StoryVersion.number))
    ).all()
    events = session.exec(
        select(StoryEvent).where(StoryEvent.story_id == story.id).order_by(col(StoryEvent.at), col(StoryEvent.id))
    ).all()
    people = _people(session, [*(v.created_by_id for v in versions), *(e.actor_id for e in events)])
    unit = session.get(Unit, story.unit_id)
    assert unit is not None
    returned = [e for e in events if e.action == StoryAction.RETURN]
    return_comment = returned[-1].comment if returned and story.status == StoryStatus.DRAFT else None
    return StoryRead(
        **_summary(story, unit).model_dump(),
        body=story.body,
        actions=actions_for(actor, story),
        return_comment=return_comment,
        photos=photos.photo_reads(story, photos.list_photos(session, story=story)),
        may_change_photos=photos.may_change_photos(actor, story),
        versions=[
            StoryVersionRead(
                number=v.number, title=v.title, body=v.body, created_at=v.created_at, created_by=people[v.created_by_id]
            )
            for v in versions
        ],  # fmt: skip
        events=[
            StoryEventRead(
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                version=e.version,
                comment=e.comment,
                at=e.at,
                actor=people[e.actor_id],
            )
            for e in events
        ],  # fmt: skip
    )


def compare_versions(session: Session, *, story: Story, from_version: int | None,
                     to_version: int | None) -> StoryDiffRead:  # fmt: skip
    """The diff between two versions (title and body; default: the latest and the one before), like statements'."""
    to_number = to_version or story.current_version
    from_number = from_version or max(to_number - 1, 1)
    found = {
        v.number: v
        for v in session.exec(
            select(StoryVersion).where(
                StoryVersion.story_id == story.id, col(StoryVersion.number).in_([from_number, to_number])
            )  # fmt: skip
        ).all()
    }
    for n in (from_number, to_number):
        if n not in found:
            raise NotFound(_("Không có phiên bản {n}.", n=n))
    old, new = found[from_number], found[to_number]
    result = diff.compare(f"{old.title}\n\n{old.body}", f"{new.title}\n\n{new.body}", from_label=f"v{from_number}",
                          to_label=f"v{to_number}")  # fmt: skip
    assert story.id is not None
    return StoryDiffRead(
        story_id=story.id, from_version=from_number, to_version=to_number, unified=result.unified,
        rows=[StoryDiffRow(kind=r.kind, left_no=r.left_no, left=r.left, right_no=r.right_no, right=r.right)
              for r in result.rows],
    )  # fmt: skip


# --- the public -----------------------------------------------------------------------------------------------


def _public(story: Story, unit: Unit, base_url: str, pictures: list[AttachmentPublic]) -> StoryPublic:
    assert story.id is not None and story.published_at is not None
    return StoryPublic(id=story.id, url=f"{base_url.rstrip('/')}/stories/{story.id}", kind=story.kind,
                       theme=story.theme, title=story.title, body=story.body, unit=unit.name,
                       published_at=story.published_at, photos=pictures)  # fmt: skip


def published_stories(session: Session, *, base_url: str, kind: StoryKind | None = None,
                      limit: int = PUBLIC_LIMIT) -> list[StoryPublic]:  # fmt: skip
    """Published stories, newest first: never a draft, a submitted or an approved one."""
    query = select(Story).where(Story.status == StoryStatus.PUBLISHED)
    if kind is not None:
        query = query.where(Story.kind == kind)
    stories = session.exec(query.order_by(col(Story.published_at).desc(), col(Story.id).desc()).limit(limit)).all()
    units = _units(session, (s.unit_id for s in stories))
    pictures = photos.public_photos(session, story_ids=[s.id for s in stories if s.id is not None])
    return [_public(s, units[s.unit_id], base_url, pictures[s.id or 0]) for s in stories]


def published_story(session: Session, *, story_id: int, base_url: str) -> StoryPublic:
    story = session.get(Story, story_id)
    if story is None or story.status != StoryStatus.PUBLISHED:
        raise NotFound(_("Không tìm thấy tin bài."))
    unit = session.get(Unit, story.unit_id)
    assert unit is not None
    return _public(story, unit, base_url, photos.public_photos(session, story_ids=[story_id])[story_id])


# --- contacts -------------------------------------------------------------------------------------------------


def _contact_read(c: CommsContact, people: dict[int, PersonRef]) -> ContactRead:
    person = people.get(c.user_id) if c.user_id else None
    return ContactRead(name=c.name, title=c.title, phone=c.phone, email=c.email,
                       username=person.username if person else None, starts_on=c.starts_on, ends_on=c.ends_on,
                       designated_at=c.designated_at, designated_by=people[c.designated_by_id])  # fmt: skip


def current_contacts(session: Session, *, on: date) -> dict[int, CommsContact]:
    """Each unit's contact on the day ``on`` (designated from a day on or before it, not yet replaced)."""
    rows = session.exec(select(CommsContact).where(col(CommsContact.starts_on) <= on)).all()
    return {c.unit_id: c for c in rows if c.ends_on is None or c.ends_on > on}


def unit_contacts(session: Session, *, now: datetime, unit: str | None = None) -> UnitContactPage:
    """Every active unit with its contact now (None: flagged) and the history, newest first."""
    query = select(Unit).where(col(Unit.active).is_(True))
    if unit is not None:
        query = query.where(Unit.code == unit)
    units = session.exec(query.order_by(col(Unit.kind), col(Unit.name))).all()
    rows = session.exec(select(CommsContact).order_by(col(CommsContact.starts_on).desc())).all()
    people = _people(session, [*(c.user_id for c in rows), *(c.designated_by_id for c in rows)])
    history: dict[int, list[CommsContact]] = defaultdict(list)
    for c in rows:
        history[c.unit_id].append(c)
    today = local_date(now)
    current = current_contacts(session, on=today)
    items = []
    for u in units:
        assert u.id is not None
        now_contact = current.get(u.id)
        items.append(UnitContactRead(
            unit=Ref(code=u.code, name=u.name), kind=u.kind.value,
            contact=_contact_read(now_contact, people) if now_contact else None,
            history=[_contact_read(h, people) for h in history.get(u.id, [])],
        ))  # fmt: skip
    return UnitContactPage(items=items, without_contact=sum(1 for i in items if i.contact is None))


# --- the plan and the counts ------------------------------------------------------------------------------


def plan_read(session: Session, *, year: SchoolYear) -> PlanRead | None:
    plan = session.exec(select(CommsPlan).where(CommsPlan.school_year == year.code)).first()
    if plan is None:
        return None
    targets = session.exec(select(CommsTarget).where(CommsTarget.plan_id == plan.id)).all()
    units = _units(session, (t.unit_id for t in targets))
    return PlanRead(
        school_year=plan.school_year, themes=[Topic(t) for t in plan.themes],
        stories_per_semester=plan.stories_per_semester, updated_at=plan.updated_at,
        targets=sorted((TargetRead(unit=Ref(code=units[t.unit_id].code, name=units[t.unit_id].name),
                                   stories_per_semester=t.stories_per_semester) for t in targets),
                       key=lambda t: t.unit.code),
    )  # fmt: skip


def targets_per_semester(session: Session, *, year: SchoolYear) -> tuple[int, dict[int, int]]:
    """The plan's default stories a semester, and the units' own targets (0 and none without a plan)."""
    plan = session.exec(select(CommsPlan).where(CommsPlan.school_year == year.code)).first()
    if plan is None:
        return 0, {}
    targets = session.exec(select(CommsTarget).where(CommsTarget.plan_id == plan.id)).all()
    return plan.stories_per_semester, {t.unit_id: t.stories_per_semester for t in targets}


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    return local_midnight(start), local_midnight(end + timedelta(days=1))


def story_counts(session: Session, *, start: date, end: date, now: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Per unit, between two local dates (inclusive) and up to ``now``: stories first submitted, stories
    published."""
    lo, hi = _window(start, end)
    submitted: dict[int, int] = defaultdict(int)
    published: dict[int, int] = defaultdict(int)
    rows = session.exec(select(Story).where(col(Story.first_submitted_at).is_not(None))).all()
    for s in rows:
        assert s.first_submitted_at is not None
        if lo <= s.first_submitted_at < hi and s.first_submitted_at <= now:
            submitted[s.unit_id] += 1
        if s.published_at is not None and lo <= s.published_at < hi and s.published_at <= now:
            published[s.unit_id] += 1
    return dict(submitted), dict(published)


def unit_progress(session: Session, *, actor: Actor, now: datetime) -> list[ProgressRead]:
    """The actor's units' progress against the plan of the school year of today (for their home page); nothing, and
    nothing read, for someone with no unit (the director, the press office at large)."""
    units = _units(session, actor.unit_ids(Permission.STORY_VIEW))
    if not units:
        return []
    today = local_date(now)
    year = school_year_of(today)
    semester = year.semester_of(today)
    default, own = targets_per_semester(session, year=year)
    sem_start, sem_end = (year.start, date(year.start_year + 1, 1, 15)) if semester == 1 else \
        (date(year.start_year + 1, 1, 16), year.end)  # fmt: skip
    sub_sem, pub_sem = story_counts(session, start=sem_start, end=sem_end, now=now)
    sub_year, pub_year = story_counts(session, start=year.start, end=year.end, now=now)
    contacts = current_contacts(session, on=today)
    result = []
    for unit_id, unit in sorted(units.items(), key=lambda kv: kv[1].name):
        target = own.get(unit_id, default)
        result.append(ProgressRead(
            unit=Ref(code=unit.code, name=unit.name), school_year=year.code, semester=semester,
            target_per_semester=target, target_year=2 * target, submitted_semester=sub_sem.get(unit_id, 0),
            published_semester=pub_sem.get(unit_id, 0), submitted_year=sub_year.get(unit_id, 0),
            published_year=pub_year.get(unit_id, 0), contact_designated=unit_id in contacts,
        ))  # fmt: skip
    return result
