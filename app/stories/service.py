"""Use cases that write: drafting and editing stories (each edit a version), their lifecycle, the units'
communications contacts and the school year's plan. Session first, keyword-only, ``actor`` and ``now`` explicit;
flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import public_version
from app.auth.permissions import GLOBAL_ROLES, Actor, Permission, can
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _
from app.org.models import Unit, User
from app.org.service import unit_by_code
from app.stories.models import (
    CommsContact,
    CommsPlan,
    CommsTarget,
    ContactIn,
    PlanIn,
    Story,
    StoryCreate,
    StoryEvent,
    StoryUpdate,
    StoryVersion,
)
from app.stories.workflow import EDIT_PERMISSION, StoryAction, StoryStatus, edge_for, parse_school_year
from app.webhooks import service as webhooks

# --- who sees and does what ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _UnitScope:
    """A story's scope in the terms of ``permissions.can``: the unit that wrote it."""

    lead_unit_id: int | None
    supporting_unit_ids: tuple[int, ...] = field(default=())


def sees_all_stories(actor: Actor) -> bool:
    return any(g.role in GLOBAL_ROLES for g in actor.grants) and can(actor, Permission.STORY_VIEW)


def may(actor: Actor, perm: Permission, story: Story) -> bool:
    return can(actor, perm, _UnitScope(story.unit_id))


def may_see(actor: Actor, story: Story) -> bool:
    return sees_all_stories(actor) or story.unit_id in actor.unit_ids(Permission.STORY_VIEW)


def _require(actor: Actor, perm: Permission, story: Story) -> None:
    if not may_see(actor, story):
        raise NotFound(_("Không tìm thấy tin bài."))
    if not may(actor, perm, story):
        raise PermissionDenied(_("Bạn không có quyền với tin bài này."))


def load_story(session: Session, *, actor: Actor, story_id: int) -> Story:
    """The story, if the actor may see it (another unit's story answers 404, like a missing one)."""
    story = session.get(Story, story_id)
    if story is None or not may_see(actor, story):
        raise NotFound(_("Không tìm thấy tin bài."))
    return story


# --- stories --------------------------------------------------------------------------------------------------


def _author_unit(session: Session, actor: Actor, code: str | None) -> Unit:
    if code is not None:
        unit = unit_by_code(session, code)
    else:
        own = sorted(actor.unit_ids(Permission.STORY_DRAFT))
        if len(own) != 1:
            raise ValidationFailed(_("Cần chọn đơn vị của tin bài."), field="unit")
        found = session.get(Unit, own[0])
        assert found is not None
        unit = found
    assert unit.id is not None
    if not can(actor, Permission.STORY_DRAFT, _UnitScope(unit.id)):
        raise PermissionDenied(_("Bạn chỉ soạn được tin bài của đơn vị mình."))
    return unit


def _event(session: Session, story: Story, *, action: StoryAction, source: StoryStatus | None, actor: Actor,
           now: datetime, comment: str | None = None) -> None:  # fmt: skip
    assert story.id is not None
    session.add(StoryEvent(story_id=story.id, action=action, from_status=source, to_status=story.status,
                           version=story.current_version, comment=comment, at=now, actor_id=actor.user_id))  # fmt: skip


def create_story(session: Session, *, actor: Actor, data: StoryCreate, now: datetime) -> Story:
    """A draft of the actor's unit (or of ``unit``, which the actor must belong to), version 1."""
    unit = _author_unit(session, actor, data.unit)
    assert unit.id is not None
    story = Story(unit_id=unit.id, kind=data.kind, status=StoryStatus.DRAFT, theme=data.theme, title=data.title,
                  body=data.body, created_at=now, created_by_id=actor.user_id, updated_at=now)  # fmt: skip
    session.add(story)
    session.flush()
    assert story.id is not None
    session.add(StoryVersion(story_id=story.id, number=1, title=story.title, body=story.body, created_at=now,
                             created_by_id=actor.user_id))  # fmt: skip
    _event(session, story, action=StoryAction.CREATE, source=None, actor=actor, now=now)
    session.flush()
    return story


def edit_story(session: Session, *, actor: Actor, story: Story, data: StoryUpdate, now: datetime) -> Story:
    """The unit edits its draft; the press office edits what was submitted. A changed text is a new version."""
    perm = EDIT_PERMISSION.get(story.status)
    if perm is None:
        _require(actor, Permission.STORY_VIEW, story)
        raise Conflict(_("Tin bài đã duyệt hoặc đã đăng không sửa được; trả lại đơn vị trước."))
    _require(actor, perm, story)
    if data.kind is not None:
        story.kind = data.kind
    if "theme" in data.model_fields_set:
        story.theme = data.theme
    title = data.title if data.title is not None else story.title
    body = data.body if data.body is not None else story.body
    if (title, body) != (story.title, story.body):
        story.current_version += 1
        story.title, story.body = title, body
        assert story.id is not None
        session.add(StoryVersion(story_id=story.id, number=story.current_version, title=title, body=body,
                                 created_at=now, created_by_id=actor.user_id))  # fmt: skip
    story.updated_at = now
    session.add(story)
    _event(session, story, action=StoryAction.EDIT, source=story.status, actor=actor, now=now)
    session.flush()
    return story


def step(session: Session, *, actor: Actor, story: Story, action: StoryAction, now: datetime,
         comment: str | None = None) -> Story:  # fmt: skip
    """Submit, return, approve or publish: the edge from the table, its permission, a guarded write (a story
    changed by someone else meanwhile is a 409) and the history. Publishing makes the story public."""
    if not may_see(actor, story):
        raise NotFound(_("Không tìm thấy tin bài."))
    edge = edge_for(story.status, action)
    _require(actor, edge.permission, story)
    if action == StoryAction.RETURN and not (comment or "").strip():
        raise ValidationFailed(_("Cần ghi lý do trả lại."), field="comment")
    values: dict[str, object] = {"status": edge.target, "updated_at": now}
    if action == StoryAction.SUBMIT:
        values["submitted_at"] = now
        if story.first_submitted_at is None:
            values["first_submitted_at"] = now
    elif action == StoryAction.APPROVE:
        values["approved_at"] = now
    elif action == StoryAction.RETURN:
        values["approved_at"] = None
    elif action == StoryAction.PUBLISH:
        values["published_at"] = now
        values["published_by_id"] = actor.user_id
    result = session.execute(
        update(Story).where(col(Story.id) == story.id, col(Story.status) == story.status).values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("Tin bài vừa được người khác thay đổi; hãy tải lại."))
    source = story.status
    session.refresh(story)
    _event(session, story, action=action, source=source, actor=actor, now=now, comment=comment)
    if action == StoryAction.PUBLISH:
        public_version.bump(session)
        unit = session.get(Unit, story.unit_id)
        assert story.id is not None and unit is not None
        webhooks.emit_story_published(session, story_id=story.id, url=f"/stories/{story.id}", kind=story.kind.value,
                                      title=story.title, body=story.body, unit=unit.name, now=now)  # fmt: skip
    session.flush()
    return story


# --- the communications contact ---------------------------------------------------------------------------


def designate_contact(
    session: Session, *, actor: Actor, unit_code: str, data: ContactIn, now: datetime
) -> CommsContact:
    """The unit's communications contact from ``starts_on``; the one before ends that day (history kept)."""
    if not can(actor, Permission.COMMS_MANAGE):
        raise PermissionDenied(_("Bạn không có quyền quản lý đầu mối truyền thông."))
    unit = unit_by_code(session, unit_code)
    assert unit.id is not None
    user: User | None = None
    if data.username:
        user = session.exec(select(User).where(User.username == data.username)).first()
        if user is None:
            raise ValidationFailed(_("Không có người dùng {username}.", username=data.username), field="username")
    name = data.name or (user.full_name if user else None)
    if not name:
        raise ValidationFailed(_("Cần họ tên người làm đầu mối truyền thông."), field="name")
    current = session.exec(
        select(CommsContact).where(col(CommsContact.unit_id) == unit.id, col(CommsContact.ends_on).is_(None))
    ).first()
    if current is not None:
        if data.starts_on <= current.starts_on:
            raise ValidationFailed(
                _("Ngày bắt đầu phải sau ngày bắt đầu của đầu mối hiện tại ({day}).",
                  day=current.starts_on.strftime("%d/%m/%Y")), field="starts_on",
            )  # fmt: skip
        current.ends_on = data.starts_on
        session.add(current)
    contact = CommsContact(
        unit_id=unit.id, user_id=user.id if user else None, name=name,
        title=data.title or (user.title if user else ""), phone=data.phone or (user.phone if user else None),
        email=str(data.email) if data.email else (user.email if user else None), starts_on=data.starts_on,
        designated_at=now, designated_by_id=actor.user_id,
    )  # fmt: skip
    session.add(contact)
    session.flush()
    return contact


# --- the plan ---------------------------------------------------------------------------------------------


def save_plan(session: Session, *, actor: Actor, school_year: str, data: PlanIn, now: datetime) -> CommsPlan:
    """Set the year's themes, its default target and the units' own targets (the list replaces the old one)."""
    if not can(actor, Permission.COMMS_MANAGE):
        raise PermissionDenied(_("Bạn không có quyền quản lý kế hoạch truyền thông."))
    year = parse_school_year(school_year)
    units: list[tuple[int, int]] = []
    for i, target in enumerate(data.targets):
        unit = unit_by_code(session, target.unit, field=f"targets.{i}.unit")
        assert unit.id is not None
        units.append((unit.id, target.stories_per_semester))
    if len({u for u, _n in units}) != len(units):
        raise ValidationFailed(_("Mỗi đơn vị chỉ có một chỉ tiêu."), field="targets")
    plan = session.exec(select(CommsPlan).where(CommsPlan.school_year == year.code)).first()
    if plan is None:
        plan = CommsPlan(school_year=year.code, updated_at=now, updated_by_id=actor.user_id)
    plan.themes = [t.value for t in dict.fromkeys(data.themes)]
    plan.stories_per_semester = data.stories_per_semester
    plan.updated_at, plan.updated_by_id = now, actor.user_id
    session.add(plan)
    session.flush()
    assert plan.id is not None
    old: Sequence[CommsTarget] = session.exec(select(CommsTarget).where(CommsTarget.plan_id == plan.id)).all()
    for row in old:
        session.delete(row)
    session.flush()
    for unit_id, n in units:
        session.add(CommsTarget(plan_id=plan.id, unit_id=unit_id, stories_per_semester=n))
    session.flush()
    return plan
