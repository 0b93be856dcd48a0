"""The emulation scorecard (bảng chấm điểm thi đua về công tác truyền thông, product §11.7): per unit and school
year, its communications contact, the stories it sent and the office published against the plan's target, and
how it worked its cases: led and answered, its own clocks on time and missed, the days it took to supply the facts.

The case figures are the unit scorecards' (``service.unit_scorecards``) over the school year; the stories and the
contact come from ``app/stories``. Definitions: ``DEFINITIONS`` (shown on the page) and docs/stories.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.i18n import Message, _, text
from app.org.models import Unit
from app.reports.columns import Cell
from app.reports.models import EmulationPage, EmulationRow
from app.reports.rules import Period
from app.reports.service import unit_scorecards
from app.stories import queries as stories
from app.stories.workflow import parse_school_year
from app.tasks.models import Task
from app.timeutil import local_date, local_midnight

DAY_SECONDS = 86400

# (field, label, definition): the page shows them, the CSV and XLSX use the labels as headers.
DEFINITIONS: tuple[tuple[str, Message, Message], ...] = (
    ("unit", _("Mã đơn vị"), _("Mã của đơn vị trong danh mục đơn vị.")),
    ("unit_name", _("Đơn vị"), _("Tên đơn vị.")),
    ("contact_designated", _("Đã cử đầu mối truyền thông"),
     _("Có người làm đầu mối truyền thông đang đảm nhiệm vào ngày cuối cùng được tính (hôm nay, hoặc ngày cuối năm "
       "học nếu năm học đã qua).")),
    ("contact_name", _("Đầu mối truyền thông"), _("Họ tên người làm đầu mối truyền thông vào ngày đó.")),
    ("target", _("Chỉ tiêu tin bài cả năm"),
     _("Số tin bài mỗi học kỳ theo kế hoạch truyền thông năm học (chỉ tiêu riêng của đơn vị, nếu không thì chỉ tiêu "
       "chung), nhân hai học kỳ.")),
    ("stories_submitted", _("Tin bài đã gửi"),
     _("Số tin bài đơn vị gửi Văn phòng Sở lần đầu trong năm học (tin bị trả lại rồi gửi lại chỉ tính một lần).")),
    ("stories_published", _("Tin bài đã đăng"), _("Số tin bài của đơn vị được Văn phòng Sở đăng trong năm học.")),
    ("target_met", _("Đạt chỉ tiêu"), _("Số tin bài đã đăng không ít hơn chỉ tiêu cả năm (để trống nếu không giao "
                                        "chỉ tiêu).")),
    ("cases_led", _("Vụ việc chủ trì"), _("Số vụ việc tiếp nhận trong năm học do đơn vị chủ trì xử lý (không tính vụ "
                                         "việc trùng).")),
    ("cases_answered", _("Vụ việc đã trả lời"),
     _("Trong số vụ việc chủ trì, số vụ việc đã có thông cáo trả lời, bác bỏ hoặc từ chối cung cấp thông tin được "
       "công bố.")),
    ("clocks_on_time", _("Thời hạn đúng hạn"),
     _("Số thời hạn của chính đơn vị (chỉ tiêu nội bộ trên vụ việc chủ trì, nhiệm vụ cung cấp thông tin) được thực "
       "hiện đúng hạn.")),
    ("clocks_missed", _("Thời hạn bị lỡ"),
     _("Số thời hạn của chính đơn vị được thực hiện trễ, không thực hiện, hoặc đã quá hạn mà vẫn đang chạy.")),
    ("facts_answered", _("Nhiệm vụ cung cấp thông tin đã trả lời"),
     _("Số nhiệm vụ cung cấp thông tin giao cho đơn vị trong năm học mà đơn vị đã trả lời.")),
    ("avg_days_to_facts", _("Số ngày trung bình cung cấp thông tin"),
     _("Trung bình số ngày (theo lịch, làm tròn một chữ số thập phân) từ khi giao nhiệm vụ cung cấp thông tin đến "
       "khi đơn vị trả lời, trên các nhiệm vụ đã trả lời.")),
)  # fmt: skip


def _facts(session: Session, *, lo: datetime, hi: datetime, now: datetime) -> dict[int, list[float]]:
    rows = session.exec(
        select(Task).where(col(Task.created_at) >= lo, col(Task.created_at) < hi, col(Task.answered_at).is_not(None))
    ).all()
    days: dict[int, list[float]] = defaultdict(list)
    for task in rows:
        assert task.answered_at is not None
        if task.answered_at <= now:
            days[task.unit_id].append((task.answered_at - task.created_at).total_seconds() / DAY_SECONDS)
    return days


def emulation_scorecard(session: Session, *, actor: Actor, school_year: str, now: datetime) -> EmulationPage:
    """Every active unit (a unit head: their own units), in the order of the unit tree's kinds and names."""
    require(actor, Permission.REPORTS_VIEW)
    year = parse_school_year(school_year)
    period = Period(year.start, year.end)
    cases = {row.code: row for row in unit_scorecards(session, actor=actor, period=period, now=now).items}
    last_day = min(local_date(now), year.end)
    contacts = stories.current_contacts(session, on=last_day)
    default, own_targets = stories.targets_per_semester(session, year=year)
    submitted, published = stories.story_counts(session, start=year.start, end=year.end, now=now)
    facts = _facts(session, lo=local_midnight(year.start), hi=local_midnight(year.end + timedelta(days=1)), now=now)
    own = None if actor.sees_all_cases else actor.unit_ids(Permission.REPORTS_VIEW)
    units = session.exec(select(Unit).where(col(Unit.active).is_(True)).order_by(col(Unit.kind), col(Unit.name))).all()
    items = []
    for unit in units:
        assert unit.id is not None
        if own is not None and unit.id not in own:
            continue
        case_row = cases.get(unit.code)
        target = 2 * own_targets.get(unit.id, default)
        contact = contacts.get(unit.id)
        days = facts.get(unit.id, [])
        n_published = published.get(unit.id, 0)
        items.append(EmulationRow(
            unit=unit.code, unit_name=unit.name, kind=unit.kind.value, contact_designated=contact is not None,
            contact_name=contact.name if contact else None, target=target,
            stories_submitted=submitted.get(unit.id, 0), stories_published=n_published,
            target_met=(n_published >= target) if target else None,
            cases_led=case_row.cases_led if case_row else 0, cases_answered=case_row.cases_answered if case_row else 0,
            clocks_on_time=case_row.on_time if case_row else 0,
            clocks_missed=(case_row.late + case_row.missed + case_row.overdue) if case_row else 0,
            facts_answered=len(days), avg_days_to_facts=round(sum(days) / len(days), 1) if days else None,
        ))  # fmt: skip
    return EmulationPage(school_year=year.code, start=year.start, end=year.end, as_of=now,
                         scope="all" if actor.sees_all_cases else "units", items=items)  # fmt: skip


def emulation_header(locale: str) -> list[str]:
    return [text(label, locale) for _field, label, _definition in DEFINITIONS]


def emulation_rows(page: EmulationPage, locale: str) -> Iterator[list[Cell]]:
    yes, no = text(_("Có"), locale), text(_("Không"), locale)
    for row in page.items:
        values = row.model_dump()
        cells: list[Cell] = []
        for name, _label, _definition in DEFINITIONS:
            value = values[name]
            cells.append((yes if value else no) if isinstance(value, bool) else value)
        yield cells
