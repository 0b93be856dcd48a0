"""A story's photos (issue 15): the documents rules of the cases (``app/files``) applied to a story.

A photo is a row of ``attachment`` without a case, with ``story_id``: the same storage (under the SHA-256), the
original (Vietnamese) file name, the type judged from the bytes — here images only (JPEG, PNG, WebP, GIF; anything
else 415) — and ``CRISISDESK_MAX_UPLOAD_MB`` (413). Whoever may edit the story adds one (the unit while it is a
draft, the press office once submitted); a photo comes off (the row marked, like a case's document) until the
story is published. Each is recorded in the story's history. The public downloads a photo only once its story is
published (404 before, and for a removed one).
"""

from __future__ import annotations

from datetime import datetime
from typing import IO

from sqlmodel import Session, col, select

from app.attachments.service import _measure
from app.auth.permissions import Actor, Permission
from app.errors import Conflict, NotFound, UnsupportedMediaType, ValidationFailed
from app.files import rules
from app.files.models import Attachment, AttachmentPublic
from app.files.storage import Storage, key_for
from app.i18n import _
from app.stories.models import Story, StoryEvent, StoryPhotoRead
from app.stories.service import _require, may, may_see
from app.stories.workflow import EDIT_PERMISSION, StoryAction, StoryStatus

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


def _edit_permission(actor: Actor, story: Story) -> Permission:
    perm = EDIT_PERMISSION.get(story.status)
    if perm is None:
        _require(actor, Permission.STORY_VIEW, story)
        raise Conflict(_("Ảnh của tin bài đã duyệt hoặc đã đăng không đổi được; trả lại đơn vị trước."))
    return perm


def _history(session: Session, story: Story, *, action: StoryAction, actor: Actor, now: datetime,
             photo: Attachment) -> None:  # fmt: skip
    assert story.id is not None
    session.add(StoryEvent(story_id=story.id, action=action, from_status=story.status, to_status=story.status,
                           version=story.current_version, comment=photo.filename, at=now,
                           actor_id=actor.user_id))  # fmt: skip


def add_photo(session: Session, *, actor: Actor, story: Story, source: IO[bytes], filename: str | None,
              description: str | None, storage: Storage, max_bytes: int, now: datetime) -> Attachment:  # fmt: skip
    """Keep an image for the story (whoever may edit it now); recorded in its history."""
    _require(actor, _edit_permission(actor, story), story)
    name = rules.clean_filename(filename)
    if not name:
        raise ValidationFailed(_("Tệp cần có tên."), field="file")
    head, size, sha256 = _measure(source, max_bytes)
    sniffed = rules.sniff(head, complete=size <= len(head))
    if sniffed.content_type not in PHOTO_TYPES:
        raise UnsupportedMediaType(
            _("Ảnh của tin bài phải là JPEG, PNG, WebP hoặc GIF (tệp này là {type}).", type=sniffed.content_type),
            content_type=sniffed.content_type,
        )
    key = key_for(sha256)
    storage.put(key, source, size)
    assert story.id is not None
    photo = Attachment(story_id=story.id, filename=name, content_type=sniffed.content_type, size=size,
                       sha256=sha256, storage_key=key, description=description or None, public=False,
                       created_at=now, created_by_id=actor.user_id)  # fmt: skip
    session.add(photo)
    session.flush()
    _history(session, story, action=StoryAction.PHOTO_ADD, actor=actor, now=now, photo=photo)
    session.flush()
    return photo


def list_photos(session: Session, *, story: Story) -> list[Attachment]:
    """The story's photos, oldest first, removed ones left out."""
    query = select(Attachment).where(Attachment.story_id == story.id, col(Attachment.removed_at).is_(None))
    return list(session.exec(query.order_by(col(Attachment.created_at), col(Attachment.id))).all())


def get_photo(session: Session, *, actor: Actor, story: Story, photo_id: int) -> Attachment:
    photo = session.get(Attachment, photo_id)
    if photo is None or photo.story_id != story.id or photo.removed_at is not None or not may_see(actor, story):
        raise NotFound(_("Không tìm thấy ảnh {id}.", id=photo_id))
    return photo


def remove_photo(session: Session, *, actor: Actor, story: Story, photo: Attachment, now: datetime) -> None:
    """Take a photo off the story until it is published (the row stays, marked); recorded in its history."""
    if story.status == StoryStatus.PUBLISHED:
        _require(actor, Permission.STORY_VIEW, story)
        raise Conflict(_("Tin bài đã đăng: ảnh của nó không gỡ được nữa."))
    _require(actor, EDIT_PERMISSION.get(story.status, Permission.STORY_REVIEW), story)
    photo.removed_at = now
    photo.removed_by_id = actor.user_id
    session.add(photo)
    _history(session, story, action=StoryAction.PHOTO_REMOVE, actor=actor, now=now, photo=photo)
    session.flush()


def may_change_photos(actor: Actor, story: Story) -> bool:
    perm = EDIT_PERMISSION.get(story.status)
    return perm is not None and may(actor, perm, story)


def photo_reads(story: Story, photos: list[Attachment]) -> list[StoryPhotoRead]:
    return [
        StoryPhotoRead(
            id=p.id,
            filename=p.filename,
            content_type=p.content_type,
            size=p.size,
            sha256=p.sha256,
            description=p.description,
            created_at=p.created_at,
            url=f"/api/v1/stories/{story.id}/photos/{p.id}/content",
        )  # fmt: skip
        for p in photos
        if p.id is not None
    ]


def public_photos(session: Session, *, story_ids: list[int]) -> dict[int, list[AttachmentPublic]]:
    """The photos of these (published) stories, for the public JSON and pages."""
    out: dict[int, list[AttachmentPublic]] = {i: [] for i in story_ids}
    if not story_ids:
        return out
    rows = session.exec(
        select(Attachment)
        .where(col(Attachment.story_id).in_(story_ids), col(Attachment.removed_at).is_(None))
        .order_by(col(Attachment.created_at), col(Attachment.id))
    ).all()
    for p in rows:
        assert p.story_id is not None
        out[p.story_id].append(
            AttachmentPublic(
                filename=p.filename,
                url=f"/api/public/v1/attachments/{p.id}/content",
                size=p.size,
                sha256=p.sha256,
                content_type=p.content_type,
            )  # fmt: skip
        )
    return out


def public_photo(session: Session, *, photo_id: int) -> Attachment:
    """A photo of a published story, not removed; for anything else, 404."""
    row = session.exec(
        select(Attachment)
        .join(Story, col(Story.id) == Attachment.story_id)
        .where(
            col(Attachment.id) == photo_id,
            col(Attachment.removed_at).is_(None),
            col(Story.status) == StoryStatus.PUBLISHED,
        )  # fmt: skip
    ).first()
    if row is None:
        raise NotFound(_("Không tìm thấy tệp {id}.", id=photo_id))
    return row
