"""Human labels for the codes the pages show (statuses, actions, topics, roles, event kinds, fields), in the
reader's language. Registered as the Jinja filter ``label``: ``{{ case.status|label("status") }}``.

The vocabularies live with their domains; this module only gathers them. Other domains add their event kinds
to ``EVENT_KIND_LABELS`` and their fields to ``FIELD_LABELS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.auth.permissions import PERMISSION_LABELS, ROLE_LABELS
from app.cases.vocabulary import LEGAL_TRIGGER_LABELS, SEVERITY_LABELS, SOURCE_KIND_LABELS, TOPIC_LABELS
from app.cases.workflow import ACTION_LABELS, CLOSE_REASON_LABELS, STATUS_LABELS
from app.i18n import Message, _, text
from app.org.models import UNIT_KIND_LABELS

EVENT_KIND_LABELS: dict[str, Message] = {
    "created": _("Tiếp nhận vụ việc"),
    "transition": _("Chuyển trạng thái"),
    "updated": _("Sửa thông tin"),
    "note": _("Ghi chú nội bộ"),
    "inquiry_linked": _("Gắn câu hỏi của phóng viên"),
    "inquiry_moved": _("Chuyển câu hỏi của phóng viên sang vụ việc khác"),
}

FIELD_LABELS: dict[str, Message] = {
    "title": _("Tiêu đề"),
    "summary": _("Tóm tắt nội dung"),
    "source_kind": _("Nguồn thông tin"),
    "topic": _("Lĩnh vực"),
    "severity": _("Mức độ"),
    "legal_trigger": _("Căn cứ pháp lý (tình huống)"),
    "outlet": _("Cơ quan báo chí / kênh đăng tải"),
    "reporter_name": _("Phóng viên / người phản ánh"),
    "reporter_contact": _("Liên hệ"),
    "source_url": _("Đường dẫn bài viết"),
    "source_published_at": _("Thời điểm đăng tải gốc"),
    "received_at": _("Thời điểm Sở tiếp nhận"),
    "occurred_at": _("Thời điểm xảy ra sự việc"),
    "impact_determined_at": _("Thời điểm xác định dư luận trái chiều"),
    "lead_unit": _("Đơn vị chủ trì"),
    "supporting_units": _("Đơn vị phối hợp"),
    "assignees": _("Người xử lý"),
    "tags": _("Nhãn"),
    "related": _("Vụ việc liên quan"),
    "note": _("Ghi chú"),
    "reason": _("Lý do"),
}

VOCABULARIES: dict[str, Mapping[Any, Message]] = {
    "status": STATUS_LABELS,
    "action": ACTION_LABELS,
    "close_reason": CLOSE_REASON_LABELS,
    "severity": SEVERITY_LABELS,
    "topic": TOPIC_LABELS,
    "source_kind": SOURCE_KIND_LABELS,
    "legal_trigger": LEGAL_TRIGGER_LABELS,
    "role": ROLE_LABELS,
    "permission": PERMISSION_LABELS,
    "unit_kind": UNIT_KIND_LABELS,
    "event": EVENT_KIND_LABELS,
    "field": FIELD_LABELS,
}


def label(value: Any, vocabulary: str, locale: str) -> str:
    """The label of ``value`` in ``vocabulary``, translated; the raw code when there is none."""
    if value is None:
        return ""
    labels = VOCABULARIES[vocabulary]
    message = labels.get(value)
    if message is None and isinstance(value, str):
        message = next((m for k, m in labels.items() if getattr(k, "value", k) == value), None)
    return text(message, locale) if message is not None else str(getattr(value, "value", value))


def options(vocabulary: str, locale: str, values: list[Any] | None = None) -> list[tuple[str, str]]:
    """``(code, label)`` pairs for a select, in the vocabulary's order (or the given values')."""
    labels = VOCABULARIES[vocabulary]
    keys = values if values is not None else list(labels)
    return [(str(getattr(k, "value", k)), label(k, vocabulary, locale)) for k in keys]
