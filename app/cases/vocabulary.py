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
