"""The home page: one panel per role the user holds (a user with several roles sees each role's panels).

- press office: the triage board (new cases; cases routed to a unit but not yet accepted);
- handler / unit head: the unit's worklist (open cases of the unit, oldest first, with a deadline column that the
  deadline engine fills in);
- spokesperson / director: the approval queue (cases awaiting approval);
- director: the overview (open cases by severity, crises in progress);
- admin: the administration shortcuts.

Panels are plain data (``Panel``) rendered by ``templates/staff/home.html``; later parts add their own panels
(running clocks, time left on approvals) by appending to the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth.permissions import Actor, Role
from app.cases import service
from app.cases.service import CaseFilters, CaseSort
from app.cases.vocabulary import Severity
from app.cases.workflow import CaseStatus
from app.i18n import Message, _
from app.org.service import list_units
from app.web.deps import ActorDep, SessionDep
from app.web.staff.common import OPEN_ORDER, WORKING_ORDER, CaseRow, list_url
from app.web.staff.common import case_rows as _case_rows
from app.web.templating import render

router = APIRouter()

PANEL_LIMIT = 20


@dataclass
class Panel:
    key: str
    title: Message
    rows: list[CaseRow] = field(default_factory=list)
    more_url: str | None = None
    empty: Message | None = None
    columns: tuple[str, ...] = ("reference", "title", "status", "severity", "lead_unit", "received_at")
    counts: list[tuple[Any, int, str]] | None = None  # (label code, count, link) for count panels
    links: list[tuple[Message, str]] | None = None  # for link panels
    unit: Any = None  # the unit the panel is about (its name is data, shown as such)


def case_rows(session: Session, actor: Actor, filters: CaseFilters) -> list[CaseRow]:
    return _case_rows(session, actor, filters)[0]


def _press_office_panels(session: Session, actor: Actor) -> list[Panel]:
    return [
        Panel(
            "triage-new",
            _("Vụ việc mới cần phân loại"),
            case_rows(
                session, actor, CaseFilters(status=[CaseStatus.NEW], limit=PANEL_LIMIT, sort=CaseSort.RECEIVED_ASC)
            ),  # fmt: skip
            more_url=list_url(status="new", sort="received_at"),
            empty=_("Không có vụ việc mới."),
            columns=("reference", "title", "source_kind", "severity", "received_at"),
        ),
        Panel(
            "triage-assigned",
            _("Đã chuyển đơn vị, chờ đơn vị nhận xử lý"),
            case_rows(
                session, actor, CaseFilters(status=[CaseStatus.ASSIGNED], limit=PANEL_LIMIT, sort=CaseSort.RECEIVED_ASC)
            ),  # fmt: skip
            more_url=list_url(status="assigned", sort="received_at"),
            empty=_("Không có vụ việc đang chờ đơn vị nhận."),
        ),
    ]


def _unit_panels(session: Session, actor: Actor) -> list[Panel]:
    unit_ids = {g.unit_id for g in actor.grants if g.role in (Role.HANDLER, Role.UNIT_HEAD) and g.unit_id}
    panels = []
    for unit in list_units(session):
        if unit.id not in unit_ids:
            continue
        filters = CaseFilters(status=WORKING_ORDER, unit=unit.code, limit=PANEL_LIMIT, sort=CaseSort.RECEIVED_ASC)
        panels.append(
            Panel(
                f"worklist-{unit.code}",
                _("Việc của đơn vị"),
                case_rows(session, actor, filters),
                more_url=list_url(unit=unit.code, status=[s.value for s in WORKING_ORDER], sort="received_at"),
                empty=_("Đơn vị không có vụ việc đang mở."),
                columns=("reference", "title", "status", "severity", "due_at", "received_at"),
                unit=unit,
            )
        )
    return panels


def _approval_panel(session: Session, actor: Actor) -> Panel:
    filters = CaseFilters(status=[CaseStatus.AWAITING_APPROVAL], limit=PANEL_LIMIT, sort=CaseSort.UPDATED_ASC)
    return Panel(
        "approval-queue",
        _("Chờ duyệt nội dung phát ngôn"),
        case_rows(session, actor, filters),
        more_url=list_url(status="awaiting_approval", sort="updated_at"),
        empty=_("Không có nội dung nào chờ duyệt."),
        columns=("reference", "title", "severity", "lead_unit", "due_at", "received_at"),
    )


def _overview_panels(session: Session, actor: Actor) -> list[Panel]:
    open_statuses = [s.value for s in OPEN_ORDER]
    counts = service.count_by_severity(session, actor=actor, filters=CaseFilters(status=OPEN_ORDER))
    crises = CaseFilters(status=OPEN_ORDER, severity=[Severity.CRISIS], limit=PANEL_LIMIT)
    return [
        Panel(
            "overview-severity",
            _("Vụ việc đang mở theo mức độ"),
            counts=[(s, counts[s], list_url(status=open_statuses, severity=s.value)) for s in reversed(Severity)],
        ),
        Panel(
            "overview-crises",
            _("Khủng hoảng đang xử lý"),
            case_rows(session, actor, crises),
            more_url=list_url(status=open_statuses, severity="crisis"),
            empty=_("Không có khủng hoảng nào đang mở."),
        ),
    ]


def _admin_panel() -> Panel:
    return Panel(
        "admin",
        _("Quản trị hệ thống"),
        links=[
            (_("Đơn vị"), "/staff/admin/units"),
            (_("Người dùng và vai trò"), "/staff/admin/users"),
            (_("Mã truy cập API"), "/staff/admin/tokens"),
        ],
    )


def home_panels(session: Session, actor: Actor) -> list[Panel]:
    panels: list[Panel] = []
    if actor.has_role(Role.PRESS_OFFICER):
        panels += _press_office_panels(session, actor)
    if actor.has_role(Role.HANDLER, Role.UNIT_HEAD):
        panels += _unit_panels(session, actor)
    if actor.has_role(Role.SPOKESPERSON, Role.DIRECTOR):
        panels.append(_approval_panel(session, actor))
    if actor.has_role(Role.DIRECTOR):
        panels += _overview_panels(session, actor)
    if actor.has_role(Role.ADMIN):
        panels.append(_admin_panel())
    return panels


@router.get("/")
def home(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "staff/home.html", {"panels": home_panels(session, actor)})
