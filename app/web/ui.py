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


ADMIN_PERMISSIONS = (
    Permission.UNITS_MANAGE,
    Permission.USERS_MANAGE,
    Permission.TOKENS_MANAGE,
    Permission.CALENDAR_MANAGE,
    Permission.TARGETS_MANAGE,
)


def staff_nav(actor: Actor | None) -> list[NavItem]:
    if actor is None:
        return []
    items = [
        NavItem("home", "/staff/", _("Trang chính")),
        NavItem("cases", "/staff/cases", _("Vụ việc")),
    ]
    if can(actor, Permission.CASE_CREATE):
        items.append(NavItem("intake", "/staff/cases/new", _("Tiếp nhận vụ việc")))
    if can(actor, Permission.MONITOR_VIEW):
        items.append(NavItem("monitor", "/staff/monitor", _("Theo dõi báo chí")))
    if can(actor, Permission.STORY_VIEW):
        items.append(NavItem("stories", "/staff/stories", _("Tin bài đơn vị")))
    if can(actor, Permission.REPORTS_VIEW):
        items.append(NavItem("reports", "/staff/reports", _("Báo cáo")))
    if can(actor, Permission.STATEMENT_REVIEW) or can(actor, Permission.SPOKESPERSON_APPOINT):
        items.append(NavItem("spokespersons", "/staff/spokespersons", _("Danh sách người phát ngôn")))
    if can(actor, Permission.TEMPLATES_MANAGE):
        items.append(NavItem("templates", "/staff/templates", _("Mẫu nội dung trả lời")))
    if any(can(actor, p) for p in ADMIN_PERMISSIONS):
        items.append(NavItem("admin", "/staff/admin/", _("Quản trị")))
    items.append(NavItem("settings", "/staff/settings", _("Cài đặt của tôi")))
    return items


def active_nav(path: str) -> str:
    if path.startswith("/staff/templates"):
        return "templates"
    if path.startswith("/staff/admin"):
        return "admin"
    if path.startswith("/staff/reports"):
        return "reports"
    if path.startswith("/staff/monitor"):
        return "monitor"
    if path.startswith("/staff/cases/new"):
        return "intake"
    if path.startswith(("/staff/cases", "/staff/statements", "/staff/notices")):
        return "cases"
    if path.startswith(("/staff/stories", "/staff/comms")):
        return "stories"
    if path.startswith("/staff/spokespersons"):
        return "spokespersons"
    if path.startswith("/staff/notifications"):
        return "notifications"
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
    "extended": _("Đã gia hạn thời hạn."),
    "met": _("Đã ghi nhận thời hạn được thực hiện."),
    "task": _("Đã gửi yêu cầu cung cấp thông tin cho đơn vị."),
    "answered": _("Đã trả lời yêu cầu cung cấp thông tin."),
    "statement_created": _("Đã tạo dự thảo nội dung phát ngôn."),
    "version": _("Đã lưu phiên bản mới."),
    "comment": _("Đã thêm góp ý."),
    "submitted": _("Đã trình duyệt nội dung phát ngôn."),
    "returned": _("Đã trả lại nội dung phát ngôn cho đơn vị."),
    "approved": _("Đã duyệt nội dung phát ngôn."),
    "published": _("Đã công bố thông cáo."),
    "published_tc": _("Đã công bố thông cáo báo chí."),
    "published_tb": _("Đã công bố thông báo."),
    "override": _("Đã thêm ngày điều chỉnh vào lịch; các thời hạn liên quan đã được tính lại."),
    "override_removed": _("Đã bỏ ngày điều chỉnh; các thời hạn liên quan đã được tính lại."),
    "target": _("Đã lưu chỉ tiêu thời hạn."),
    "target_off": _("Đã ngừng áp dụng chỉ tiêu thời hạn."),
    "appointed": _("Đã giao nhiệm vụ người phát ngôn thường xuyên."),
    "appointment_ended": _("Đã chấm dứt nhiệm vụ người phát ngôn."),
    "authorised": _("Đã ủy quyền phát ngôn cho vụ việc."),
    "revoked_authorisation": _("Đã thu hồi ủy quyền phát ngôn."),
    "source": _("Đã lưu nguồn tin."),
    "term": _("Đã thêm từ khóa theo dõi."),
    "term_deleted": _("Đã xóa từ khóa theo dõi."),
    "subscribed": _("Đã đăng ký nhận điểm tin qua e-mail."),
    "unsubscribed": _("Đã hủy nhận điểm tin qua e-mail."),
    "attachment": _("Đã đính kèm tệp."),
    "attachment_removed": _("Đã gỡ tệp đính kèm."),
    "template": _("Đã lưu mẫu nội dung."),
    "template_retired": _("Đã ngừng dùng mẫu nội dung."),
    "all_read": _("Đã đánh dấu tất cả tin nhắn là đã đọc."),
    "email": _("Đã lưu cách nhận thư điện tử."),
    "bulk": _("Đã thực hiện thao tác cho các vụ việc đã chọn."),
    "view_saved": _("Đã lưu danh sách."),
    "view_deleted": _("Đã xóa danh sách đã lưu."),
    "inquiry_linked": _("Đã gắn câu hỏi của phóng viên vào vụ việc này; phóng viên sẽ nhận câu trả lời của vụ việc."),
    **{a.value: _("Đã thực hiện: {action}.", action=ACTION_LABELS[a]) for a in Action},
}


def flash(key: str | None) -> Message | None:
    return FLASH_MESSAGES.get(key) if key else None
