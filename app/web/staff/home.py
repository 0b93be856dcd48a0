"""The home page: first what waits for me (``notifications.queue``: each item with its kind, case, statement, since
when and its deadline; the same list as ``GET /api/v1/me/queue``), then one panel per role the user holds (a user
with several roles sees each role's panels).

- press office: the triage board (new cases to route; cases routed to a unit but not yet accepted; every running
  clock, nearest first);
- handler / unit head: the unit's worklist ordered by the nearest deadline (overdue first), and the unit's
  unanswered requests for information;
- spokesperson / director: the approval queue (submitted statements, with the time left on each);
- director: the overview (open cases by severity, clocks missed this month, crises in progress);
- admin: the administration shortcuts.

Panels are plain data (``Panel``) rendered by ``templates/staff/home.html``; a panel's ``kind`` says which list
it holds (cases, clocks, statements, tasks, counts or links).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth.permissions import Actor, Permission, Role, can
from app.cases.queries import CaseFilters, CaseSort, count_by_severity
from app.cases.vocabulary import Severity
from app.cases.workflow import CaseStatus
from app.clocks import queries as clock_queries
from app.clocks.models import CaseClockRead
from app.crisis import queries as crisis
from app.crisis.models import YearCrisis
from app.i18n import Message, _
from app.notifications.models import QueueItem as WaitingItem
from app.notifications.models import QueuePage
from app.org.service import list_units
from app.statements import queries as statement_queries
from app.statements.models import QueueItem
from app.stories import queries as story_queries
from app.tasks import service as tasks
from app.tasks.models import TaskRead
from app.timeutil import local_date, local_midnight
from app.web.deps import ActorDep, NowDep, SessionDep, get_locale
from app.web.staff.common import OPEN_ORDER, WORKING_ORDER, CaseRow, list_url
from app.web.staff.common import case_rows as _case_rows
from app.web.staff.notifications import shows_my_queue
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
    kind: str = "cases"  # cases | clocks | queue | tasks | waiting (the lists below) | counts | links
    clocks: list[CaseClockRead] = field(default_factory=list)
    queue: list[QueueItem] = field(default_factory=list)
    tasks: list[TaskRead] = field(default_factory=list)
    waiting: list[WaitingItem] = field(default_factory=list)
    total: int | None = None  # how many in all, when the panel shows only the first ones
    lead: Message | None = None  # a line under the title
    crises: list[YearCrisis] = field(default_factory=list)


def case_rows(session: Session, actor: Actor, filters: CaseFilters, now: datetime | None = None) -> list[CaseRow]:
    return _case_rows(session, actor, filters, now)[0]


def _running_clocks_panel(session: Session, actor: Actor, now: datetime, locale: str) -> Panel:
    return Panel(
        "clocks-running",
        _("Các thời hạn đang chạy, gần nhất trước"),
        kind="clocks",
        clocks=clock_queries.running_clocks(session, actor=actor, now=now, locale=locale, limit=PANEL_LIMIT),
        more_url=list_url(status=[s.value for s in OPEN_ORDER], sort="due"),
        empty=_("Không có thời hạn nào đang chạy."),
    )


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


def _unit_panels(session: Session, actor: Actor, now: datetime) -> list[Panel]:
    unit_ids = {g.unit_id for g in actor.grants if g.role in (Role.HANDLER, Role.UNIT_HEAD) and g.unit_id}
    panels = []
    own = [unit for unit in list_units(session) if unit.id in unit_ids]
    for unit in own:
        # Nearest deadline first: overdue cases come first, cases without a running clock last.
        filters = CaseFilters(status=WORKING_ORDER, unit=unit.code, limit=PANEL_LIMIT, sort=CaseSort.DUE)
        panels.append(
            Panel(
                f"worklist-{unit.code}",
                _("Việc của đơn vị"),
                case_rows(session, actor, filters, now),
                more_url=list_url(unit=unit.code, status=[s.value for s in WORKING_ORDER], sort="due"),
                empty=_("Đơn vị không có vụ việc đang mở."),
                columns=("reference", "title", "status", "severity", "due_at", "received_at"),
                unit=unit,
            )
        )
    open_tasks = tasks.open_tasks(session, actor=actor, unit_ids=[u.id for u in own if u.id], now=now)
    if open_tasks:
        panels.append(
            Panel("unit-tasks", _("Yêu cầu cung cấp thông tin chờ đơn vị trả lời"), kind="tasks", tasks=open_tasks)
        )
    return panels


def _approval_panel(session: Session, actor: Actor, now: datetime, submitted: list[QueueItem] | None) -> Panel:
    return Panel(
        "approval-queue",
        _("Chờ duyệt nội dung phát ngôn"),
        kind="queue",
        queue=statement_queries.approval_queue(session, actor=actor, now=now, limit=PANEL_LIMIT, read=submitted),
        more_url=list_url(status="awaiting_approval", sort="updated_at"),
        empty=_("Không có nội dung nào chờ duyệt."),
    )


def month_bounds(now: datetime) -> tuple[date, datetime, datetime]:
    """The first day of the current local month, and the month's start and end as UTC instants."""
    first = local_date(now).replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, local_midnight(first), local_midnight(following)


def _overview_panels(session: Session, actor: Actor, now: datetime, locale: str) -> list[Panel]:
    open_statuses = [s.value for s in OPEN_ORDER]
    counts = count_by_severity(session, actor=actor, filters=CaseFilters(status=OPEN_ORDER))
    crises = CaseFilters(status=OPEN_ORDER, severity=[Severity.CRISIS], limit=PANEL_LIMIT)
    first, since, until = month_bounds(now)
    total, missed = clock_queries.missed_clocks(session, actor=actor, since=since, until=until, now=now, locale=locale,
                                         limit=PANEL_LIMIT)  # fmt: skip
    return [
        Panel(
            "overview-severity",
            _("Vụ việc đang mở theo mức độ"),
            counts=[(s, counts[s], list_url(status=open_statuses, severity=s.value)) for s in reversed(Severity)],
        ),
        Panel(
            "overview-missed",
            _("Thời hạn bị trễ trong tháng {month}", month=first.strftime("%m/%Y")),
            kind="clocks",
            clocks=missed,
            total=total,
            lead=_("Thời hạn đến hạn trong tháng mà không được thực hiện đúng hạn: {n}.", n=total) if total else None,
            empty=_("Tháng này chưa có thời hạn nào bị trễ."),
        ),
        Panel(
            "overview-crises",
            _("Khủng hoảng đang xử lý"),
            case_rows(session, actor, crises, now),
            more_url=list_url(status=open_statuses, severity="crisis"),
            empty=_("Không có khủng hoảng nào đang mở."),
            columns=("reference", "title", "status", "lead_unit", "due_at", "received_at"),
        ),
        Panel(
            "overview-year-crises",
            _("Khủng hoảng trong năm {year}", year=local_date(now).year),
            kind="crises",
            crises=crisis.year_crises(session, actor=actor, year=local_date(now).year, now=now),
            empty=_("Năm nay chưa có khủng hoảng nào."),
            lead=_("Thời gian tính từ khi tiếp nhận vụ việc."),
        ),
    ]


def _admin_panel(actor: Actor) -> Panel:
    links = [
        (_("Đơn vị"), "/staff/admin/units", Permission.UNITS_MANAGE),
        (_("Người dùng và vai trò"), "/staff/admin/users", Permission.USERS_MANAGE),
        (_("Mã truy cập API"), "/staff/admin/tokens", Permission.TOKENS_MANAGE),
        (_("Lịch ngày làm việc"), "/staff/admin/calendar", Permission.CALENDAR_MANAGE),
        (_("Chỉ tiêu thời hạn nội bộ"), "/staff/admin/targets", Permission.TARGETS_MANAGE),
        (_("Lịch trực khủng hoảng"), "/staff/admin/roster", Permission.ROSTER_MANAGE),
    ]
    return Panel("admin", _("Quản trị hệ thống"), kind="links",
                 links=[(label, url) for label, url, perm in links if can(actor, perm)])  # fmt: skip


def home_panels(session: Session, actor: Actor, now: datetime, locale: str,
                submitted: list[QueueItem] | None = None) -> list[Panel]:  # fmt: skip
    """``submitted``: the approval queue's rows the header has read (``load_unread``), if it read them."""
    panels: list[Panel] = []
    if actor.has_role(Role.PRESS_OFFICER):
        panels += _press_office_panels(session, actor)
        panels.append(_running_clocks_panel(session, actor, now, locale))
    if actor.has_role(Role.HANDLER, Role.UNIT_HEAD):
        panels += _unit_panels(session, actor, now)
    if actor.has_role(Role.DIRECTOR):
        panels += _overview_panels(session, actor, now, locale)
    if actor.has_role(Role.SPOKESPERSON, Role.DIRECTOR):
        panels.append(_approval_panel(session, actor, now, submitted))
    if actor.has_role(Role.ADMIN):
        panels.append(_admin_panel(actor))
    return panels


WAITING_LIMIT = 50  # the queue's rows on the home (the header and the counts above the table count all of it)


def waiting_panel(page: QueuePage) -> Panel:
    """What waits for me: the counts by kind, then the nearest deadlines first. The press office's queue at a
    million cases holds some 550 items: a table of the first 50 (rendering all of them took 50 ms a page)."""
    total = len(page.items)
    lead = None
    if total > WAITING_LIMIT:
        lead = _("{shown} việc gần hạn nhất trong {total} việc đang chờ bạn.", shown=WAITING_LIMIT, total=total)
    return Panel("my-queue", _("Việc chờ tôi"), kind="waiting", waiting=page.items[:WAITING_LIMIT], total=total,
                 empty=_("Không có việc nào đang chờ bạn."), lead=lead)  # fmt: skip


@router.get("/")
@shows_my_queue
def home(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    mine: QueuePage = request.state.my_queue  # computed once per request, for the header (``load_unread``)
    submitted = request.state.submitted  # the approval queue's rows, read for the header (None: not read)
    panels = [waiting_panel(mine), *home_panels(session, actor, now, get_locale(request), submitted)]
    progress = story_queries.unit_progress(session, actor=actor, now=now)  # the unit's communications plan
    return render(request, "staff/home.html", {"panels": panels, "queue_counts": mine.counts, "progress": progress})
