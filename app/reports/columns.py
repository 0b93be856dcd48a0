"""The columns of the case-list export: header (Vietnamese, translated late), and the cell of each row. Pure.

Cells are text, a local time (Asia/Ho_Chi_Minh, without offset: spreadsheets know no time zones) or empty.
Labels (status, severity, topic …) are written in the reader's language, like the pages show them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple

from app.cases.vocabulary import (
    LEGAL_TRIGGER_LABELS,
    SEVERITY_LABELS,
    SOURCE_KIND_LABELS,
    TOPIC_LABELS,
    LegalTrigger,
    Severity,
    SourceKind,
    Topic,
)
from app.cases.workflow import CLOSE_REASON_LABELS, STATUS_LABELS, CaseStatus, CloseReason
from app.i18n import Message, _, text
from app.timeutil import to_local

Cell = str | datetime | int | float | None  # numbers: the reports' counts and rates


@dataclass(frozen=True)
class UnitName:
    name: str
    name_en: str | None

    def localized(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


class CaseExportRow(NamedTuple):
    """One case as the export needs it: its fields and the names of what it links to (a tuple: 100,000 are
    built per export)."""

    reference: str
    title: str
    status: CaseStatus
    severity: Severity
    topic: Topic
    source_kind: SourceKind
    legal_trigger: LegalTrigger | None
    outlet: str | None
    reporter_name: str | None
    reporter_contact: str | None
    source_url: str | None
    received_at: datetime
    occurred_at: datetime | None
    lead_unit: UnitName | None
    supporting_units: tuple[UnitName, ...]
    assignees: tuple[str, ...]
    tags: tuple[str, ...]
    close_reason: CloseReason | None
    status_changed_at: datetime
    created_at: datetime
    summary: str


@dataclass(frozen=True)
class ExportColumn:
    header: Message
    cell: Callable[[CaseExportRow, str], Cell]


@cache
def _label(message: Message, locale: str) -> str:
    return text(message, locale)


def _local(value: datetime | None) -> datetime | None:
    """Local wall-clock time without offset (Excel has no time zones; the header says which zone)."""
    return to_local(value).replace(tzinfo=None) if value is not None else None


CASE_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn(_("Mã vụ việc"), lambda r, _loc: r.reference),
    ExportColumn(_("Tiêu đề"), lambda r, _loc: r.title),
    ExportColumn(_("Trạng thái"), lambda r, loc: _label(STATUS_LABELS[r.status], loc)),
    ExportColumn(_("Mức độ"), lambda r, loc: _label(SEVERITY_LABELS[r.severity], loc)),
    ExportColumn(_("Lĩnh vực"), lambda r, loc: _label(TOPIC_LABELS[r.topic], loc)),
    ExportColumn(_("Nguồn thông tin"), lambda r, loc: _label(SOURCE_KIND_LABELS[r.source_kind], loc)),
    ExportColumn(_("Căn cứ phát ngôn"),
                 lambda r, loc: _label(LEGAL_TRIGGER_LABELS[r.legal_trigger], loc) if r.legal_trigger else None),
    ExportColumn(_("Cơ quan báo chí"), lambda r, _loc: r.outlet),
    ExportColumn(_("Phóng viên"), lambda r, _loc: r.reporter_name),
    ExportColumn(_("Liên hệ phóng viên"), lambda r, _loc: r.reporter_contact),
    ExportColumn(_("Đường dẫn nguồn"), lambda r, _loc: r.source_url),
    ExportColumn(_("Thời điểm tiếp nhận (giờ Việt Nam)"), lambda r, _loc: _local(r.received_at)),
    ExportColumn(_("Thời điểm xảy ra (giờ Việt Nam)"), lambda r, _loc: _local(r.occurred_at)),
    ExportColumn(_("Đơn vị chủ trì"), lambda r, loc: r.lead_unit.localized(loc) if r.lead_unit else None),
    ExportColumn(_("Đơn vị phối hợp"), lambda r, loc: "; ".join(u.localized(loc) for u in r.supporting_units)),
    ExportColumn(_("Người xử lý"), lambda r, _loc: "; ".join(r.assignees)),
    ExportColumn(_("Nhãn"), lambda r, _loc: ", ".join(r.tags)),
    ExportColumn(_("Lý do đóng"),
                 lambda r, loc: _label(CLOSE_REASON_LABELS[r.close_reason], loc) if r.close_reason else None),
    ExportColumn(_("Chuyển trạng thái lúc (giờ Việt Nam)"), lambda r, _loc: _local(r.status_changed_at)),
    ExportColumn(_("Tạo lúc (giờ Việt Nam)"), lambda r, _loc: _local(r.created_at)),
    ExportColumn(_("Tóm tắt"), lambda r, _loc: r.summary),
)  # fmt: skip


def headers(columns: Sequence[ExportColumn], locale: str) -> list[str]:
    return [text(c.header, locale) for c in columns]


def cells(columns: Sequence[ExportColumn], row: CaseExportRow, locale: str) -> list[Cell]:
    return [c.cell(row, locale) for c in columns]
