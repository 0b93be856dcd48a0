"""The story lifecycle and the school year's calendar. Pure: no I/O.

```
draft ─submit (unit head)─▶ submitted ─approve (press office)─▶ approved ─publish (press office)─▶ published
  ▲                             │                                   │
  └───────return (press office, with a comment)─────────────────────┘
```

A story is a unit's news item or exemplary story (nhân tố điển hình, người tốt việc tốt) for the Sở's portal and
pages. It is not a statement: it needs no spokesperson. The unit's handlers draft it, its head submits it, the
press office edits it, returns it with a comment, approves and publishes it. Nothing reaches the public before
``published``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.auth.permissions import Permission
from app.errors import InvalidTransition, ValidationFailed
from app.i18n import Message, _


class StoryKind(StrEnum):
    NEWS = "news"
    EXEMPLARY = "exemplary"


class StoryStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"


class StoryAction(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    PUBLISH = "publish"
    PHOTO_ADD = "photo_add"  # history only: a photo added (the comment holds its file name)
    PHOTO_REMOVE = "photo_remove"


KIND_LABELS: dict[StoryKind, Message] = {
    StoryKind.NEWS: _("Tin hoạt động"),
    StoryKind.EXEMPLARY: _("Gương điển hình, người tốt việc tốt"),
}

STATUS_LABELS: dict[StoryStatus, Message] = {
    StoryStatus.DRAFT: _("Bản nháp"),
    StoryStatus.SUBMITTED: _("Đã gửi Văn phòng Sở"),
    StoryStatus.APPROVED: _("Đã duyệt, chờ đăng"),
    StoryStatus.PUBLISHED: _("Đã đăng"),
}

ACTION_LABELS: dict[StoryAction, Message] = {
    StoryAction.CREATE: _("Soạn tin bài"),
    StoryAction.EDIT: _("Sửa tin bài"),
    StoryAction.SUBMIT: _("Gửi Văn phòng Sở"),
    StoryAction.RETURN: _("Trả lại đơn vị"),
    StoryAction.APPROVE: _("Duyệt tin bài"),
    StoryAction.PUBLISH: _("Đăng tin bài"),
    StoryAction.PHOTO_ADD: _("Thêm ảnh"),
    StoryAction.PHOTO_REMOVE: _("Gỡ ảnh"),
}


@dataclass(frozen=True)
class Edge:
    source: StoryStatus
    action: StoryAction
    target: StoryStatus
    permission: Permission


EDGES: tuple[Edge, ...] = (
    Edge(StoryStatus.DRAFT, StoryAction.SUBMIT, StoryStatus.SUBMITTED, Permission.STORY_SUBMIT),
    Edge(StoryStatus.SUBMITTED, StoryAction.RETURN, StoryStatus.DRAFT, Permission.STORY_REVIEW),
    Edge(StoryStatus.APPROVED, StoryAction.RETURN, StoryStatus.DRAFT, Permission.STORY_REVIEW),
    Edge(StoryStatus.SUBMITTED, StoryAction.APPROVE, StoryStatus.APPROVED, Permission.STORY_REVIEW),
    Edge(StoryStatus.APPROVED, StoryAction.PUBLISH, StoryStatus.PUBLISHED, Permission.STORY_REVIEW),
)
TRANSITIONS: dict[tuple[StoryStatus, StoryAction], Edge] = {(e.source, e.action): e for e in EDGES}

# Who may edit the text in each status: the unit while it drafts, the press office once it has it.
EDIT_PERMISSION: dict[StoryStatus, Permission] = {
    StoryStatus.DRAFT: Permission.STORY_DRAFT,
    StoryStatus.SUBMITTED: Permission.STORY_REVIEW,
}


def edge_for(status: StoryStatus, action: StoryAction) -> Edge:
    """The edge ``action`` takes from ``status``, or InvalidTransition (409)."""
    edge = TRANSITIONS.get((status, action))
    if edge is None:
        raise InvalidTransition(
            _("Không thể “{action}” khi tin bài đang ở trạng thái “{status}”.",
              action=ACTION_LABELS[action], status=STATUS_LABELS[status])
        )  # fmt: skip
    return edge


def allowed_actions(status: StoryStatus) -> list[StoryAction]:
    return [e.action for e in EDGES if e.source == status]


# --- the school year ----------------------------------------------------------------------------------------
#
# A school year runs from 1 September to 31 August ("2026-2027"). Its first semester (học kỳ I) runs to 15 January,
# the second (học kỳ II) from 16 January to the end of the year, which is how the Sở's plan counts targets.


@dataclass(frozen=True)
class SchoolYear:
    start_year: int

    @property
    def code(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @property
    def start(self) -> date:
        return date(self.start_year, 9, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 8, 31)

    def semester_of(self, day: date) -> int | None:
        """1 or 2 for a day in the year, None outside it."""
        if not self.start <= day <= self.end:
            return None
        return 1 if day <= date(self.start_year + 1, 1, 15) else 2

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def school_year_of(day: date) -> SchoolYear:
    return SchoolYear(day.year if day.month >= 9 else day.year - 1)


def parse_school_year(code: str, *, field: str = "school_year") -> SchoolYear:
    """``2026-2027`` → SchoolYear(2026); anything else is a 422."""
    parts = code.strip().split("-")
    if len(parts) == 2 and all(p.isdigit() and len(p) == 4 for p in parts):
        first, second = int(parts[0]), int(parts[1])
        if second == first + 1 and 2000 <= first <= 2100:
            return SchoolYear(first)
    raise ValidationFailed(_("Năm học phải có dạng 2026-2027."), field=field)
