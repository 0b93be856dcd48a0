"""Who may do what: one vocabulary of permissions and one role → permission table. Pure: no I/O.

Roles are held per unit (product §1). The press office, the spokesperson, the director and the admin act Sở-wide;
a handler or unit head acts only on cases their unit leads or supports, and some acts (accepting, drafting the
statement, submitting it) only on cases their unit leads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from app.errors import NotFound, PermissionDenied
from app.i18n import Message, _


class Role(StrEnum):
    PRESS_OFFICER = "press_officer"
    HANDLER = "handler"
    UNIT_HEAD = "unit_head"
    SPOKESPERSON = "spokesperson"
    DIRECTOR = "director"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, Message] = {
    Role.PRESS_OFFICER: _("Cán bộ đầu mối truyền thông (Văn phòng Sở)"),
    Role.HANDLER: _("Chuyên viên xử lý"),
    Role.UNIT_HEAD: _("Trưởng đơn vị"),
    Role.SPOKESPERSON: _("Người phát ngôn"),
    Role.DIRECTOR: _("Giám đốc Sở"),
    Role.ADMIN: _("Quản trị hệ thống"),
}

# Roles that act across the whole Sở; the others act within their unit.
GLOBAL_ROLES = frozenset({Role.PRESS_OFFICER, Role.SPOKESPERSON, Role.DIRECTOR, Role.ADMIN})


class Permission(StrEnum):
    CASE_VIEW = "case:view"
    CASE_CREATE = "case:create"
    CASE_EDIT = "case:edit"
    CASE_SEVERITY = "case:severity"
    CASE_TRIAGE = "case:triage"
    CASE_WORK = "case:work"
    CASE_NOTE = "case:note"
    CASE_ASSIGN_PEOPLE = "case:assign_people"
    CASE_CLOSE = "case:close"
    CASE_REOPEN = "case:reopen"
    STATEMENT_DRAFT = "statement:draft"
    STATEMENT_SUBMIT = "statement:submit"
    STATEMENT_REVIEW = "statement:review"
    NOTICE_PUBLISH = "notice:publish"
    CLOCK_EXTEND = "clock:extend"
    CLOCK_EXTENSION_REQUEST = "clock:extension_request"
    CLOCK_MARK_MET = "clock:mark_met"
    TASK_MANAGE = "task:manage"
    SPOKESPERSON_APPOINT = "spokesperson:appoint"
    SPOKESPERSON_AUTHORISE = "spokesperson:authorise"
    UNITS_MANAGE = "units:manage"
    USERS_MANAGE = "users:manage"
    TOKENS_MANAGE = "tokens:manage"
    CALENDAR_MANAGE = "calendar:manage"
    TARGETS_MANAGE = "targets:manage"
    REPORTS_VIEW = "reports:view"
    PRESS_EVENTS_MANAGE = "press_events:manage"
    MONITOR_VIEW = "monitor:view"
    MONITOR_MANAGE = "monitor:manage"
    TEMPLATES_MANAGE = "templates:manage"
    CRISIS_DECLARE = "crisis:declare"
    ROSTER_MANAGE = "roster:manage"
    WEBHOOKS_MANAGE = "webhooks:manage"
    STORY_VIEW = "story:view"
    STORY_DRAFT = "story:draft"
    STORY_SUBMIT = "story:submit"
    STORY_REVIEW = "story:review"
    COMMS_MANAGE = "comms:manage"


PERMISSION_LABELS: dict[Permission, Message] = {
    Permission.CASE_VIEW: _("Xem vụ việc"),
    Permission.CASE_CREATE: _("Tiếp nhận vụ việc mới"),
    Permission.CASE_EDIT: _("Sửa thông tin vụ việc"),
    Permission.CASE_SEVERITY: _("Đặt mức độ vụ việc"),
    Permission.CASE_TRIAGE: _("Phân loại và chuyển vụ việc cho đơn vị"),
    Permission.CASE_WORK: _("Xử lý vụ việc của đơn vị"),
    Permission.CASE_NOTE: _("Ghi chú nội bộ"),
    Permission.CASE_ASSIGN_PEOPLE: _("Giao người xử lý"),
    Permission.CASE_CLOSE: _("Đóng vụ việc"),
    Permission.CASE_REOPEN: _("Mở lại vụ việc"),
    Permission.STATEMENT_DRAFT: _("Soạn nội dung phát ngôn"),
    Permission.STATEMENT_SUBMIT: _("Trình duyệt nội dung phát ngôn"),
    Permission.STATEMENT_REVIEW: _("Duyệt hoặc trả lại nội dung phát ngôn (khi có thẩm quyền phát ngôn)"),
    Permission.NOTICE_PUBLISH: _("Công bố thông cáo"),
    Permission.CLOCK_EXTEND: _("Gia hạn thời hạn"),
    Permission.CLOCK_EXTENSION_REQUEST: _("Đề nghị gia hạn"),
    Permission.CLOCK_MARK_MET: _("Ghi nhận thời hạn đã được thực hiện (trả lời ngoài hệ thống)"),
    Permission.TASK_MANAGE: _("Yêu cầu đơn vị cung cấp thông tin"),
    Permission.SPOKESPERSON_APPOINT: _("Giao nhiệm vụ người phát ngôn"),
    Permission.SPOKESPERSON_AUTHORISE: _("Ủy quyền phát ngôn theo vụ việc"),
    Permission.UNITS_MANAGE: _("Quản lý đơn vị"),
    Permission.USERS_MANAGE: _("Quản lý người dùng và vai trò"),
    Permission.TOKENS_MANAGE: _("Cấp và thu hồi mã truy cập API"),
    Permission.CALENDAR_MANAGE: _("Quản lý lịch ngày làm việc"),
    Permission.TARGETS_MANAGE: _("Quản lý chỉ tiêu thời hạn nội bộ"),
    Permission.REPORTS_VIEW: _("Xem báo cáo"),
    Permission.PRESS_EVENTS_MANAGE: _("Ghi nhận họp báo, giao ban báo chí"),
    Permission.MONITOR_VIEW: _("Xem theo dõi báo chí và điểm tin"),
    Permission.MONITOR_MANAGE: _("Quản lý nguồn tin và từ khóa theo dõi"),
    Permission.TEMPLATES_MANAGE: _("Quản lý mẫu nội dung trả lời"),
    Permission.CRISIS_DECLARE: _("Công bố, thay đổi cấp và kết thúc tình trạng khủng hoảng; ghi bài học kinh nghiệm"),
    Permission.ROSTER_MANAGE: _("Lập lịch trực khủng hoảng"),
    Permission.WEBHOOKS_MANAGE: _("Quản lý webhook gửi thông cáo ra các kênh"),
    Permission.STORY_VIEW: _("Xem tin bài của đơn vị"),
    Permission.STORY_DRAFT: _("Soạn tin bài của đơn vị"),
    Permission.STORY_SUBMIT: _("Gửi tin bài của đơn vị cho Văn phòng Sở"),
    Permission.STORY_REVIEW: _("Biên tập, trả lại, duyệt và đăng tin bài của đơn vị"),
    Permission.COMMS_MANAGE: _("Quản lý đầu mối truyền thông và kế hoạch truyền thông năm học"),
}

P = Permission
_PRESS_OFFICER = {
    P.CASE_VIEW, P.CASE_CREATE, P.CASE_EDIT, P.CASE_TRIAGE, P.CASE_NOTE, P.CASE_ASSIGN_PEOPLE, P.CASE_CLOSE,
    P.CASE_REOPEN, P.STATEMENT_DRAFT, P.STATEMENT_SUBMIT, P.NOTICE_PUBLISH, P.TASK_MANAGE, P.REPORTS_VIEW,
    P.CLOCK_MARK_MET, P.PRESS_EVENTS_MANAGE, P.STORY_VIEW, P.STORY_DRAFT, P.STORY_REVIEW, P.COMMS_MANAGE,
    P.CRISIS_DECLARE, P.TEMPLATES_MANAGE,
}  # fmt: skip
_HANDLER = {P.CASE_VIEW, P.CASE_WORK, P.CASE_NOTE, P.STATEMENT_DRAFT, P.STORY_VIEW, P.STORY_DRAFT}
_UNIT_HEAD = _HANDLER | {P.CASE_ASSIGN_PEOPLE, P.STATEMENT_SUBMIT, P.CLOCK_EXTENSION_REQUEST, P.REPORTS_VIEW,
                         P.STORY_SUBMIT}  # fmt: skip
_SPOKESPERSON = {
    P.CASE_VIEW, P.CASE_CREATE, P.CASE_EDIT, P.CASE_SEVERITY, P.CASE_TRIAGE, P.CASE_NOTE, P.CASE_CLOSE,
    P.CASE_REOPEN, P.STATEMENT_DRAFT, P.STATEMENT_REVIEW, P.CLOCK_EXTEND, P.TASK_MANAGE, P.REPORTS_VIEW,
    P.CLOCK_MARK_MET, P.PRESS_EVENTS_MANAGE, P.STORY_VIEW, P.CRISIS_DECLARE, P.TEMPLATES_MANAGE,
}  # fmt: skip
_DIRECTOR = _SPOKESPERSON | {P.SPOKESPERSON_APPOINT, P.SPOKESPERSON_AUTHORISE, P.ROSTER_MANAGE}
_ADMIN = {
    P.CASE_VIEW, P.UNITS_MANAGE, P.USERS_MANAGE, P.TOKENS_MANAGE, P.CALENDAR_MANAGE, P.TARGETS_MANAGE,
    P.REPORTS_VIEW, P.STORY_VIEW, P.COMMS_MANAGE, P.ROSTER_MANAGE, P.WEBHOOKS_MANAGE,
}  # fmt: skip

# Press monitoring (product §11.4): the press office keeps the sources and terms; the leadership reads the digest.
_PRESS_OFFICER |= {P.MONITOR_VIEW, P.MONITOR_MANAGE}
_SPOKESPERSON |= {P.MONITOR_VIEW}
_DIRECTOR |= {P.MONITOR_VIEW}
_ADMIN |= {P.MONITOR_VIEW, P.MONITOR_MANAGE}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PRESS_OFFICER: frozenset(_PRESS_OFFICER),
    Role.HANDLER: frozenset(_HANDLER),
    Role.UNIT_HEAD: frozenset(_UNIT_HEAD),
    Role.SPOKESPERSON: frozenset(_SPOKESPERSON),
    Role.DIRECTOR: frozenset(_DIRECTOR),
    Role.ADMIN: frozenset(_ADMIN),
}

# For a unit-scoped role, these act only on cases the unit *leads*; the rest also on cases it supports.
LEAD_UNIT_ONLY = frozenset({P.CASE_WORK, P.CASE_ASSIGN_PEOPLE, P.STATEMENT_DRAFT, P.STATEMENT_SUBMIT,
                            P.CLOCK_EXTENSION_REQUEST})  # fmt: skip


@dataclass(frozen=True)
class Grant:
    role: Role
    unit_id: int | None = None


@dataclass(frozen=True)
class Actor:
    """The authenticated user as the rules see them: identity and role grants, loaded once per request."""

    user_id: int
    username: str
    full_name: str
    grants: frozenset[Grant] = field(default_factory=frozenset)
    title: str = ""
    locale: str = "vi"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, *roles: Role) -> bool:
        return any(g.role in roles for g in self.grants)

    @property
    def sees_all_cases(self) -> bool:
        return any(g.role in GLOBAL_ROLES and P.CASE_VIEW in ROLE_PERMISSIONS[g.role] for g in self.grants)

    def unit_ids(self, perm: Permission = P.CASE_VIEW) -> frozenset[int]:
        """Units in which a unit-scoped grant gives ``perm``."""
        return frozenset(
            g.unit_id
            for g in self.grants
            if g.role not in GLOBAL_ROLES and g.unit_id is not None and perm in ROLE_PERMISSIONS[g.role]
        )


class CaseScope(Protocol):
    @property
    def lead_unit_id(self) -> int | None: ...

    @property
    def supporting_unit_ids(self) -> Iterable[int]: ...


def can(actor: Actor, perm: Permission, case: CaseScope | None = None) -> bool:
    """Role grant plus case scope. Without a case, says whether the actor holds ``perm`` anywhere."""
    for grant in actor.grants:
        if perm not in ROLE_PERMISSIONS[grant.role]:
            continue
        if grant.role in GLOBAL_ROLES or case is None:
            return True
        if grant.unit_id is None:
            continue
        if grant.unit_id == case.lead_unit_id:
            return True
        if perm not in LEAD_UNIT_ONLY and grant.unit_id in set(case.supporting_unit_ids):
            return True
    return False


def require(actor: Actor, perm: Permission, case: CaseScope | None = None) -> None:
    """Raise unless ``can``. A case the actor may not even view is reported as not found (never 403)."""
    if can(actor, perm, case):
        return
    if case is not None and not can(actor, P.CASE_VIEW, case):
        raise NotFound(_("Không tìm thấy vụ việc."))
    raise PermissionDenied(_("Bạn không có quyền: {permission}.", permission=PERMISSION_LABELS[perm]))
