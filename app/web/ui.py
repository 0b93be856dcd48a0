"""What every staff page shows around its content: the main menu for the signed-in user and the one-line
confirmation after a Post/Redirect/Get (``?done=<key>``).

The menu only shows where a user can go; the services still check every permission.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.permissions import Actor, Permission, can
from app.cases.workflow import ACTION_LABELS, Action
from app.i18n import Message, _


@dataclass(frozen=True)
class NavItem:
    key: str
    href: str
    label: Message


def staff_nav(actor: Actor | None) -> list[NavItem]:
    if actor is None:
        return []
    items = [
        NavItem("home", "/staff/", _("Trang chính")),
        NavItem("cases", "/staff/cases", _("Vụ việc")),
    ]
    if can(actor, Permission.CASE_CREATE):
        items.append(NavItem("intake", "/staff/cases/new", _("Tiếp nhận vụ việc")))
    if can(actor, Permission.REPORTS_VIEW):
        items.append(NavItem("reports", "/staff/reports", _("Báo cáo")))
    if any(can(actor, p) for p in (Permission.UNITS_MANAGE, Permission.USERS_MANAGE, Permission.TOKENS_MANAGE)):
        items.append(NavItem("admin", "/staff/admin/", _("Quản trị")))
    items.append(NavItem("settings", "/staff/settings", _("Cài đặt của tôi")))
    return items


def active_nav(path: str) -> str:
    if path.startswith("/staff/admin"):
        return "admin"
    if path.startswith("/staff/reports"):
        return "reports"
    if path.startswith("/staff/cases/new"):
        return "intake"
    if path.startswith("/staff/cases"):
        return "cases"
    if path.startswith("/staff/settings"):
        return "settings"
    return "home"


FLASH_MESSAGES: dict[str, Message] = {
    "created": _("Đã tiếp nhận vụ việc."),
    "saved": _("Đã lưu thay đổi."),
    "note": _("Đã thêm ghi chú."),
    "logout": _("Bạn đã đăng xuất."),
    "settings": _("Đã lưu cài đặt."),
    "password": _("Đã đổi mật khẩu."),
    "unit": _("Đã lưu đơn vị."),
    "user": _("Đã lưu người dùng."),
    "revoked": _("Đã thu hồi mã truy cập."),
    "press_event": _("Đã lưu họp báo, giao ban."),
    "press_event_deleted": _("Đã xóa họp báo, giao ban."),
    **{a.value: _("Đã thực hiện: {action}.", action=ACTION_LABELS[a]) for a in Action},
}


def flash(key: str | None) -> Message | None:
    return FLASH_MESSAGES.get(key) if key else None
