"""The words a case is described with (product §3): source kinds, topics, severity, legal triggers. Pure."""

from __future__ import annotations

from enum import StrEnum

from app.i18n import Message, _


class SourceKind(StrEnum):
    PRESS_ARTICLE = "press_article"
    PRESS_INQUIRY = "press_inquiry"
    PUBLIC_FEEDBACK = "public_feedback"
    SOCIAL_MEDIA = "social_media"
    INTERNAL_REPORT = "internal_report"
    SUPERIOR_DIRECTIVE = "superior_directive"


class Topic(StrEnum):
    POLICY_REFORM = "policy_reform"
    ETHICS_SCHOOL_SAFETY = "ethics_school_safety"
    EDUCATION_QUALITY = "education_quality"
    TEACHERS_MANAGERS = "teachers_managers"
    FACILITIES_FINANCE_TUITION = "facilities_finance_tuition"
    ADMIN_REFORM_ONLINE_SERVICES = "admin_reform_online_services"
    DIGITAL_TRANSFORMATION = "digital_transformation"
    OTHER = "other"


class Severity(StrEnum):
    """A local scale of the Sở, not a legal category."""

    ROUTINE = "routine"
    HOT = "hot"
    CRISIS = "crisis"


class LegalTrigger(StrEnum):
    MAJOR_EVENT = "major_event"
    DIVIDED_OPINION = "divided_opinion"
    PRESS_REQUEST = "press_request"
    UNTRUE_REPORT = "untrue_report"
    EDITOR_REPLY_REQUEST = "editor_reply_request"
    PRESS_FORWARDED_FEEDBACK = "press_forwarded_feedback"
    PRESS_FORWARDED_COMPLAINT = "press_forwarded_complaint"
    CITIZEN_INFORMATION_REQUEST = "citizen_information_request"
    PETITION_OUTSIDE_COMPETENCE = "petition_outside_competence"


SOURCE_KIND_LABELS: dict[SourceKind, Message] = {
    SourceKind.PRESS_ARTICLE: _("Bài báo"),
    SourceKind.PRESS_INQUIRY: _("Câu hỏi của phóng viên"),
    SourceKind.PUBLIC_FEEDBACK: _("Phản ánh của người dân"),
    SourceKind.SOCIAL_MEDIA: _("Mạng xã hội"),
    SourceKind.INTERNAL_REPORT: _("Báo cáo nội bộ"),
    SourceKind.SUPERIOR_DIRECTIVE: _("Chỉ đạo của cấp trên"),
}

TOPIC_LABELS: dict[Topic, Message] = {
    Topic.POLICY_REFORM: _("Chủ trương, chính sách, đổi mới giáo dục"),
    Topic.ETHICS_SCHOOL_SAFETY: _("Đạo đức, an toàn trường học, bạo lực học đường, tư vấn học sinh"),
    Topic.EDUCATION_QUALITY: _("Chất lượng giáo dục, chương trình, thi cử, tuyển sinh"),
    Topic.TEACHERS_MANAGERS: _("Nhà giáo và cán bộ quản lý"),
    Topic.FACILITIES_FINANCE_TUITION: _("Cơ sở vật chất, tài chính, học phí"),
    Topic.ADMIN_REFORM_ONLINE_SERVICES: _("Cải cách hành chính, dịch vụ công trực tuyến"),
    Topic.DIGITAL_TRANSFORMATION: _("Chuyển đổi số"),
    Topic.OTHER: _("Khác"),
}

SEVERITY_LABELS: dict[Severity, Message] = {
    Severity.ROUTINE: _("Thông thường"),
    Severity.HOT: _("Nóng"),
    Severity.CRISIS: _("Khủng hoảng"),
}

LEGAL_TRIGGER_LABELS: dict[LegalTrigger, Message] = {
    LegalTrigger.MAJOR_EVENT: _("Sự kiện, vấn đề quan trọng có tác động lớn trong xã hội"),
    LegalTrigger.DIVIDED_OPINION: _("Dư luận có nhiều ý kiến không thống nhất"),
    LegalTrigger.PRESS_REQUEST: _("Cơ quan báo chí yêu cầu phát ngôn, cung cấp thông tin"),
    LegalTrigger.UNTRUE_REPORT: _("Báo chí đăng, phát thông tin sai sự thật"),
    LegalTrigger.EDITOR_REPLY_REQUEST: _("Tổng biên tập đề nghị trả lời trên báo chí"),
    LegalTrigger.PRESS_FORWARDED_FEEDBACK: _("Kiến nghị, phản ánh, phê bình do báo chí chuyển đến"),
    LegalTrigger.PRESS_FORWARDED_COMPLAINT: _("Khiếu nại, tố cáo do báo chí chuyển đến"),
    LegalTrigger.CITIZEN_INFORMATION_REQUEST: _("Công dân yêu cầu cung cấp thông tin (Luật Tiếp cận thông tin)"),
    LegalTrigger.PETITION_OUTSIDE_COMPETENCE: _("Kiến nghị về quy định hành chính không thuộc thẩm quyền của Sở"),
}


class CaseEventKind(StrEnum):
    """What a line of a case's history records. The stored value is the code below (``case_event.kind``); what
    happened within a kind (a clock paused, a task answered, a transition's action) is ``case_event.action``."""

    CREATED = "created"
    TRANSITION = "transition"
    UPDATED = "updated"
    NOTE = "note"
    PRESS_EVENT_LINKED = "press_event_linked"
    PRESS_EVENT_UNLINKED = "press_event_unlinked"
    CLOCK = "clock"
    TASK = "task"
    STATEMENT_CREATED = "statement_created"
    STATEMENT_VERSION_ADDED = "statement_version_added"
    STATEMENT_SUBMITTED = "statement_submitted"
    STATEMENT_RETURNED = "statement_returned"
    STATEMENT_APPROVED = "statement_approved"
    APPROVAL_VOIDED = "approval_voided"
    STATEMENT_COMMENTED = "statement_commented"
    NOTICE_SCHEDULED = "notice_scheduled"
    NOTICE_PUBLISHED = "notice_published"
    AUTHORISATION_GRANTED = "authorisation_granted"
    AUTHORISATION_REVOKED = "authorisation_revoked"
    INQUIRY_LINKED = "inquiry_linked"
    INQUIRY_MOVED = "inquiry_moved"
    MONITOR_ITEM_LINKED = "monitor_item_linked"  # opened from a press item of the monitoring
    ATTACHMENT_ADDED = "attachment_added"
    ATTACHMENT_REMOVED = "attachment_removed"
    CRISIS = "crisis"  # crisis mode (app/crisis): declared, level_changed, stood_down, lessons
    PAGE = "page"  # a crisis page: sent, unanswered, acked


EVENT_KIND_LABELS: dict[CaseEventKind, Message] = {
    CaseEventKind.CREATED: _("Tiếp nhận vụ việc"),
    CaseEventKind.TRANSITION: _("Chuyển trạng thái"),
    CaseEventKind.UPDATED: _("Sửa thông tin"),
    CaseEventKind.NOTE: _("Ghi chú nội bộ"),
    CaseEventKind.PRESS_EVENT_LINKED: _("Được nêu tại họp báo, giao ban"),
    CaseEventKind.PRESS_EVENT_UNLINKED: _("Bỏ khỏi họp báo, giao ban"),
    CaseEventKind.CLOCK: _("Thời hạn"),
    CaseEventKind.TASK: _("Nhiệm vụ cung cấp thông tin"),
    CaseEventKind.STATEMENT_CREATED: _("Tạo dự thảo nội dung phát ngôn"),
    CaseEventKind.STATEMENT_VERSION_ADDED: _("Thêm phiên bản nội dung phát ngôn"),
    CaseEventKind.STATEMENT_SUBMITTED: _("Nội dung phát ngôn được trình duyệt"),
    CaseEventKind.STATEMENT_RETURNED: _("Trả lại nội dung phát ngôn"),
    CaseEventKind.STATEMENT_APPROVED: _("Duyệt nội dung phát ngôn"),
    CaseEventKind.APPROVAL_VOIDED: _("Hủy phê duyệt do có phiên bản mới"),
    CaseEventKind.STATEMENT_COMMENTED: _("Góp ý nội dung phát ngôn"),
    CaseEventKind.NOTICE_SCHEDULED: _("Hẹn giờ công bố thông cáo"),
    CaseEventKind.NOTICE_PUBLISHED: _("Thông cáo được công bố"),
    CaseEventKind.AUTHORISATION_GRANTED: _("Ủy quyền phát ngôn"),
    CaseEventKind.AUTHORISATION_REVOKED: _("Thu hồi ủy quyền phát ngôn"),
    CaseEventKind.INQUIRY_LINKED: _("Gắn câu hỏi của phóng viên"),
    CaseEventKind.INQUIRY_MOVED: _("Chuyển câu hỏi của phóng viên sang vụ việc khác"),
    CaseEventKind.MONITOR_ITEM_LINKED: _("Mở từ tin báo chí theo dõi được"),
    CaseEventKind.ATTACHMENT_ADDED: _("Đính kèm tài liệu"),
    CaseEventKind.ATTACHMENT_REMOVED: _("Gỡ tài liệu đính kèm"),
    CaseEventKind.CRISIS: _("Khủng hoảng truyền thông"),
    CaseEventKind.PAGE: _("Báo động khủng hoảng"),
}

# Where the action within a kind says more than the kind (a transition's action has its own vocabulary).
EVENT_ACTION_LABELS: dict[tuple[CaseEventKind, str], Message] = {
    (CaseEventKind.CLOCK, "paused"): _("Thời hạn tạm dừng"),
    (CaseEventKind.CLOCK, "resumed"): _("Thời hạn tiếp tục tính"),
    (CaseEventKind.CLOCK, "extended"): _("Thời hạn được gia hạn"),
    (CaseEventKind.CLOCK, "met"): _("Ghi nhận thời hạn đã được thực hiện"),
    (CaseEventKind.CLOCK, "recomputed"): _("Tính lại thời hạn theo lịch làm việc"),
    (CaseEventKind.TASK, "created"): _("Giao yêu cầu cung cấp thông tin"),
    (CaseEventKind.TASK, "answered"): _("Đơn vị trả lời yêu cầu cung cấp thông tin"),
    (CaseEventKind.CRISIS, "declared"): _("Công bố tình trạng khủng hoảng"),
    (CaseEventKind.CRISIS, "level_changed"): _("Đổi cấp khủng hoảng"),
    (CaseEventKind.CRISIS, "stood_down"): _("Kết thúc tình trạng khủng hoảng"),
    (CaseEventKind.CRISIS, "lessons"): _("Ghi bài học kinh nghiệm"),
    (CaseEventKind.PAGE, "sent"): _("Gửi báo động khủng hoảng"),
    (CaseEventKind.PAGE, "unanswered"): _("Báo động không được xác nhận, chuyển người tiếp theo"),
    (CaseEventKind.PAGE, "acked"): _("Xác nhận đã nhận báo động"),
}
