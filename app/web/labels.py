"""Human labels for the codes the pages show (statuses, actions, topics, roles, event kinds, fields), in the
reader's language. Registered as the Jinja filter ``label``: ``{{ case.status|label("status") }}``.

The vocabularies live with their domains; this module only gathers them. Case event kinds and their labels are
``cases.vocabulary.CaseEventKind``; other domains add their fields to ``FIELD_LABELS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.answer_templates.rules import PLACEHOLDERS
from app.auth.permissions import PERMISSION_LABELS, ROLE_LABELS
from app.cases.vocabulary import (
    EVENT_ACTION_LABELS,
    EVENT_KIND_LABELS,
    LEGAL_TRIGGER_LABELS,
    SEVERITY_LABELS,
    SOURCE_KIND_LABELS,
    TOPIC_LABELS,
    CaseEventKind,
)
from app.cases.workflow import ACTION_LABELS, CLOSE_REASON_LABELS, STATUS_LABELS
from app.clocks.models import CLOCK_ORIGIN_LABELS, CLOCK_STATE_LABELS
from app.files.rules import ALLOWED_TYPES
from app.i18n import Message, _, text
from app.monitor.models import SOURCE_KIND_LABELS as MONITOR_SOURCE_KIND_LABELS
from app.notices.rules import NOTICE_TYPE_LABELS
from app.notifications.models import KIND_LABELS as NOTIFICATION_KIND_LABELS
from app.notifications.models import QUEUE_KIND_LABELS, STAGE_LABELS
from app.org.models import EMAIL_FREQUENCY_LABELS, UNIT_KIND_LABELS
from app.press_events.models import PRESS_EVENT_KIND_LABELS
from app.rules.schema import CLOCK_ACTOR_LABELS, MET_BY_LABELS, START_EVENT_LABELS, UNIT_LABELS
from app.spokespersons.rules import CAPACITY_LABELS, REGIME_LABELS
from app.statements.rules import ACTION_LABELS as STATEMENT_ACTION_LABELS
from app.statements.rules import KIND_LABELS as STATEMENT_KIND_LABELS
from app.statements.rules import REFUSAL_LABELS
from app.statements.rules import STATUS_LABELS as STATEMENT_STATUS_LABELS
from app.workdays.models import DAY_KIND_LABELS, OVERRIDE_KIND_LABELS

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

# ISO weekdays: 1 Monday … 7 Sunday.
WEEKDAY_LABELS: dict[int, Message] = {
    1: _("Thứ Hai"), 2: _("Thứ Ba"), 3: _("Thứ Tư"), 4: _("Thứ Năm"), 5: _("Thứ Sáu"), 6: _("Thứ Bảy"),
    7: _("Chủ nhật"),
}  # fmt: skip
WEEKDAY_SHORT_LABELS: dict[int, Message] = {
    1: _("T2"), 2: _("T3"), 3: _("T4"), 4: _("T5"), 5: _("T6"), 6: _("T7"), 7: _("CN"),
}  # fmt: skip
MONTH_LABELS: dict[int, Message] = {
    1: _("Tháng 1"), 2: _("Tháng 2"), 3: _("Tháng 3"), 4: _("Tháng 4"), 5: _("Tháng 5"), 6: _("Tháng 6"),
    7: _("Tháng 7"), 8: _("Tháng 8"), 9: _("Tháng 9"), 10: _("Tháng 10"), 11: _("Tháng 11"), 12: _("Tháng 12"),
}  # fmt: skip

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
    "press_event_kind": PRESS_EVENT_KIND_LABELS,
    "event": EVENT_KIND_LABELS,
    "field": FIELD_LABELS,
    "statement_kind": STATEMENT_KIND_LABELS,
    "statement_status": STATEMENT_STATUS_LABELS,
    "statement_action": STATEMENT_ACTION_LABELS,
    "refusal_ground": REFUSAL_LABELS,
    "capacity": CAPACITY_LABELS,
    "regime": REGIME_LABELS,
    "notice_type": NOTICE_TYPE_LABELS,
    "clock_state": CLOCK_STATE_LABELS,
    "clock_origin": CLOCK_ORIGIN_LABELS,
    "stage": STAGE_LABELS,
    "notification_kind": NOTIFICATION_KIND_LABELS,
    "queue_kind": QUEUE_KIND_LABELS,
    "email_frequency": EMAIL_FREQUENCY_LABELS,
    "start_event": START_EVENT_LABELS,
    "met_by": MET_BY_LABELS,
    "clock_actor": CLOCK_ACTOR_LABELS,
    "period_unit": UNIT_LABELS,
    "day_kind": DAY_KIND_LABELS,
    "override_kind": OVERRIDE_KIND_LABELS,
    "weekday": WEEKDAY_LABELS,
    "weekday_short": WEEKDAY_SHORT_LABELS,
    "month": MONTH_LABELS,
    "monitor_source_kind": MONITOR_SOURCE_KIND_LABELS,
    "content_type": ALLOWED_TYPES,
    "placeholder": PLACEHOLDERS,
}


def event_label(kind: str, action: str | None, locale: str) -> str:
    """The title of a line of the timeline: the kind's label, refined by its action where that says more."""
    if kind == "transition" and action:
        return label(action, "action", locale)
    message = EVENT_ACTION_LABELS.get((CaseEventKind(kind), action)) if action and kind in EVENT_KIND_LABELS else None
    return text(message, locale) if message is not None else label(kind, "event", locale)


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
