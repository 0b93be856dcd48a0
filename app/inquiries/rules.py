"""A reporter's written inquiry: its public status and its tracking code. Pure: no I/O.

The public status says only how far the Sở is, never who handles it or what was said internally:

- ``received`` (đã tiếp nhận): the inquiry's case is new, not yet routed to a unit;
- ``being_handled`` (đang xử lý): the case is with a unit, in approval, or approved but not yet published;
- ``answered`` (đã trả lời): a notice answering the case (a response, a rebuttal or a refusal) is published;
- ``closed`` (đã kết thúc): the case was closed without a published answer (the press office replies directly).
"""

from __future__ import annotations

import re
from enum import StrEnum

from app.cases.workflow import CaseStatus
from app.i18n import Message, _


class InquiryStatus(StrEnum):
    RECEIVED = "received"
    BEING_HANDLED = "being_handled"
    ANSWERED = "answered"
    CLOSED = "closed"


INQUIRY_STATUS_LABELS: dict[InquiryStatus, Message] = {
    InquiryStatus.RECEIVED: _("Đã tiếp nhận"),
    InquiryStatus.BEING_HANDLED: _("Đang xử lý"),
    InquiryStatus.ANSWERED: _("Đã trả lời"),
    InquiryStatus.CLOSED: _("Đã kết thúc"),
}

# "PV-" and 24 characters of base32: 120 random bits, case-insensitive, nothing to confuse when read aloud.
CODE_PREFIX = "PV-"
CODE_PATTERN = re.compile(r"^PV-[A-Z2-7]{24}$")


def normalize_code(value: str) -> str | None:
    """The code as stored (upper case, trimmed), or None if it cannot be a tracking code."""
    code = value.strip().upper()
    return code if CODE_PATTERN.match(code) else None


def public_status(case_status: CaseStatus, answered: bool) -> InquiryStatus:
    if answered:
        return InquiryStatus.ANSWERED
    if case_status == CaseStatus.NEW:
        return InquiryStatus.RECEIVED
    if case_status == CaseStatus.CLOSED:
        return InquiryStatus.CLOSED
    return InquiryStatus.BEING_HANDLED


def case_title(question: str, limit: int = 200) -> str:
    """The title of the case an inquiry opens: the question's first line, shortened at a word."""
    first = next((line.strip() for line in question.splitlines() if line.strip()), "").strip()
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0] or first[:limit]
    return cut.rstrip(" ,.;:") + "…"
