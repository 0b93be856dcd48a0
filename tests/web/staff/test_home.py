"""The home page: the panels of each role the user holds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event
from sqlmodel import Session

from app.auth.permissions import Role
from app.cases.models import Case
from app.cases.vocabulary import Severity
from app.notifications import queue
from app.statements import queries as statement_queries
from app.statements import service as statements
from app.statements.models import StatementCreate
from app.statements.rules import StatementKind
from app.tasks import service as tasks
from app.tasks.models import TaskCreate
from tests.conftest import FIXED_NOW, Clock
from tests.crisis.helpers import case_in_crisis
from tests.factories import actor, appoint_spokesperson, approved_statement, case_in_progress, make_case, make_user
from tests.web.staff.pages import login
from tests.web.staff.test_cases import accepted, routed


def panel(html: str, key: str) -> str:
    return html.split(f'id="{key}"')[1].split("</section>")[0]


def test_press_office_triage_board(browser: TestClient, org: None, session: Session) -> None:
    new = make_case(session, by="office", now=FIXED_NOW, title="Phản ánh mới", legal_trigger="major_event")
    waiting = routed(session, title="Chờ đơn vị nhận")
    working = accepted(session, title="Đang xử lý rồi")
    login(browser, "office")
    page = browser.get("/staff/")
    assert page.status_code == 200
    assert "Vụ việc mới cần phân loại" in page.text and "Đã chuyển đơn vị, chờ đơn vị nhận xử lý" in page.text
    triage, rest = page.text.split('id="triage-assigned"')
    assert new.reference in triage and waiting.reference not in triage
    assert waiting.reference in panel(page.text, "triage-assigned")
    assert working.reference not in panel(page.text, "triage-assigned")
    clocks = panel(page.text, "clocks-running")
    assert "Các thời hạn đang chạy, gần nhất trước" in page.text
    assert new.reference in clocks and working.reference in clocks  # every running clock, on every case
    assert clocks.index(new.reference) < clocks.index("Nghị định 244/2026/NĐ-CP, Điều 7 khoản 3")
    due_times = re.findall(r'data-due="([^"]+)"', clocks)
    assert due_times == sorted(due_times)  # nearest first


def test_unit_worklist_nearest_deadline_first(browser: TestClient, org: None, session: Session, clock: Clock) -> None:
    later = accepted(session, title="Việc của Trung học")  # its unit target: 2 working days after routing
    sooner = accepted(session, title="Sự cố nghiêm trọng", legal_trigger="major_event")  # 24 hours
    waiting = routed(session, title="Mới chuyển cho Trung học")
    other = routed(session, "GDTH", title="Việc của Tiểu học")
    clock.advance(hours=25)  # the 24-hour clock is overdue now
    login(browser, "handler")
    page = browser.get("/staff/")
    worklist = panel(page.text, "worklist-GDTrH")
    assert "Việc của đơn vị" in page.text and "Phòng Giáo dục Trung học" in page.text
    assert "Hạn gần nhất" in worklist
    assert worklist.index(sooner.reference) < worklist.index(later.reference) < worklist.index(waiting.reference)
    assert 'class="badge overdue countdown"' in worklist and "is-overdue" in worklist
    assert other.reference not in page.text
    assert "Vụ việc mới cần phân loại" not in page.text


def test_spokesperson_approval_queue_with_the_time_left(browser: TestClient, org: None, session: Session) -> None:
    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    case = case_in_progress(session, now=FIXED_NOW, title="Học phí tăng")
    statement = statements.create_statement(session, actor=actor(session, "handler"), case=case,
                                            data=StatementCreate(kind=StatementKind.RESPONSE, text="Trả lời"),
                                            now=FIXED_NOW)  # fmt: skip
    statements.submit(session, actor=actor(session, "head"), statement=statement, case=case, note=None, now=FIXED_NOW)
    login(browser, "spokesperson")
    page = browser.get("/staff/")
    queue = panel(page.text, "approval-queue")
    assert "Chờ duyệt nội dung phát ngôn" in page.text
    assert case.reference in queue and "Học phí tăng" in queue and "Trả lời, thông báo kết quả xử lý" in queue
    assert "27/11/2026 13:00" in queue and "còn 4 giờ" in queue  # the 4-hour approval target
    assert "Bạn chưa có thẩm quyền" not in queue


def test_director_overview(browser: TestClient, org: None, session: Session) -> None:
    crisis = make_case(session, by="office", now=FIXED_NOW, title="Ngộ độc bán trú", severity=Severity.CRISIS)
    make_case(session, by="office", now=FIXED_NOW - timedelta(hours=1), severity=Severity.HOT)
    make_case(session, by="office", now=FIXED_NOW - timedelta(hours=2), severity=Severity.HOT)
    login(browser, "director")
    page = browser.get("/staff/")
    assert "Vụ việc đang mở theo mức độ" in page.text and "Khủng hoảng đang xử lý" in page.text
    assert '<span class="num">2</span> <span>Nóng</span>' in page.text
    assert '<span class="num">1</span> <span>Khủng hoảng</span>' in page.text
    assert crisis.reference in page.text
    assert "Chờ duyệt nội dung phát ngôn" in page.text  # the director is a spokesperson too


def test_director_overview_counts_the_clocks_missed_this_month(
    browser: TestClient, org: None, session: Session, clock: Clock
) -> None:
    late = make_case(session, by="office", now=FIXED_NOW - timedelta(days=2), title="Trả lời muộn",
                     legal_trigger="major_event")  # fmt: skip
    make_case(session, by="office", now=FIXED_NOW, title="Còn trong hạn", legal_trigger="major_event")
    login(browser, "director")
    missed = panel(browser.get("/staff/").text, "overview-missed")
    assert "Thời hạn bị trễ trong tháng 11/2026" in missed
    assert "không được thực hiện đúng hạn: 1." in missed and late.reference in missed


def test_admin_panel(browser: TestClient, org: None) -> None:
    login(browser, "admin")
    page = browser.get("/staff/")
    assert "/staff/admin/users" in page.text and "/staff/admin/tokens" in page.text
    assert "/staff/admin/calendar" in page.text and "/staff/admin/targets" in page.text
    assert "Vụ việc mới cần phân loại" not in page.text


def test_several_roles_see_each_roles_panels(browser: TestClient, org: None, session: Session) -> None:
    make_user(session, "multi", (Role.PRESS_OFFICER, "VP"), (Role.HANDLER, "GDTH"), now=FIXED_NOW)
    login(browser, "multi")
    page = browser.get("/staff/")
    assert "Vụ việc mới cần phân loại" in page.text
    assert "Việc của đơn vị" in page.text and "Phòng Giáo dục Tiểu học" in page.text


def test_the_approval_queue_reads_a_constant_number_of_queries(session: Session, org: None) -> None:
    """Issue 17: each item of the director's queue used to cost six look-ups (notices, authors, latest version,
    approvals, appointments, authorisations); they are read once for the whole queue."""
    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    director = actor(session, "director")

    def submitted(n: int) -> None:
        for i in range(n):
            case = case_in_progress(session, now=FIXED_NOW, title=f"Vụ việc chờ duyệt {i}")
            statement = statements.create_statement(session, actor=actor(session, "handler"), case=case,
                                                    data=StatementCreate(kind=StatementKind.RESPONSE, text="Trả lời"),
                                                    now=FIXED_NOW)  # fmt: skip
            statements.submit(session, actor=actor(session, "head"), statement=statement, case=case, note=None,
                              now=FIXED_NOW)  # fmt: skip
        session.flush()

    def queries_for_the_queue() -> tuple[int, int]:
        count = 0

        def seen(*_args: object) -> None:
            nonlocal count
            count += 1

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", seen)
        try:
            items = statement_queries.approval_queue(session, actor=director, now=FIXED_NOW)
        finally:
            event.remove(connection, "before_cursor_execute", seen)
        assert all(item.may_decide for item in items)
        return len(items), count

    submitted(1)
    one, queries_one = queries_for_the_queue()
    submitted(5)
    six, queries_six = queries_for_the_queue()
    assert (one, six) == (1, 6)
    assert queries_six == queries_one == 1  # columns, not rows; the director approves by office (no records read)


def submit_on(session: Session, case: Case) -> int:
    statement = statements.create_statement(session, actor=actor(session, "handler"), case=case,
                                            data=StatementCreate(kind=StatementKind.RESPONSE, text="Trả lời"),
                                            now=FIXED_NOW)  # fmt: skip
    statements.submit(session, actor=actor(session, "head"), statement=statement, case=case, note=None, now=FIXED_NOW)
    assert statement.id is not None
    return statement.id


@pytest.mark.parametrize("user", ["spokesperson", "director"])
def test_the_approval_panel_shows_the_queue_read_for_the_header(
    browser: TestClient, org: None, session: Session, user: str
) -> None:
    """Issue 17: the approval queue is read once a page. The header's queue takes the items the reader may decide;
    the home's panel shows the first 20 of the same rows: the same statements in the same order as a read of its
    own, with what each shows, those the reader may not decide included (a case of 2025 is under Decree 09/2017,
    which has no standing spokesperson)."""
    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    old = case_in_progress(session, now=datetime(2025, 6, 2, 2, 0, tzinfo=UTC), title="Vụ việc năm 2025",
                           severity=Severity.HOT)  # fmt: skip
    ids = [submit_on(session, old)]
    ids += [submit_on(session, case_in_progress(session, now=FIXED_NOW, title=f"Chờ duyệt {i}")) for i in range(22)]
    login(browser, user)
    page = browser.get("/staff/")
    approval = panel(page.text, "approval-queue")
    shown = [int(i) for i in re.findall(r'href="/staff/statements/(\d+)', approval)]
    expected = statement_queries.approval_queue(session, actor=actor(session, user), now=FIXED_NOW, limit=20)
    assert shown == [item.statement_id for item in expected] == ids[:20]  # oldest submission first
    for item in expected:
        assert item.case_reference in approval and item.case_title in approval
        assert item.approval_due_at is not None and item.submitted_by is not None
        assert item.submitted_by.full_name in approval
    assert old.reference in approval and "Nóng" in approval
    may_not = "Bạn chưa có thẩm quyền phát ngôn cho vụ việc này."
    assert (approval.count(may_not), approval.count("#approve")) == ((1, 19) if user == "spokesperson" else (0, 20))
    waiting = panel(page.text, "my-queue")
    to_approve = re.findall(r'data-kind="to_approve" data-case="([^"]+)"', waiting)
    assert len(to_approve) == (22 if user == "spokesperson" else 23)
    assert (old.reference in to_approve) == (user == "director")


def more_of_everything(session: Session, n: int) -> None:
    """``n`` more of each thing a home lists: new, routed and accepted cases, drafts, submitted, returned and
    approved statements, requests for information to the unit, crises of the year."""
    for i in range(n):
        make_case(session, by="office", now=FIXED_NOW, title=f"Mới {i}", legal_trigger="major_event")
        routed(session, title=f"Chờ nhận {i}")
        accepted(session, title=f"Đang xử lý {i}")
        handler, head, director = actor(session, "handler"), actor(session, "head"), actor(session, "director")
        for step in ("draft", "submitted", "returned"):
            case = case_in_progress(session, now=FIXED_NOW, title=f"Có nội dung {step} {i}")
            data = StatementCreate(kind=StatementKind.RESPONSE, text="Trả lời")
            statement = statements.create_statement(session, actor=handler, case=case, data=data, now=FIXED_NOW)
            if step != "draft":
                statements.submit(session, actor=head, statement=statement, case=case, note=None, now=FIXED_NOW)
            if step == "returned":
                statements.return_statement(session, actor=director, statement=statement, case=case,
                                            comment="Viết lại", now=FIXED_NOW)  # fmt: skip
        approved_statement(session, case_in_progress(session, now=FIXED_NOW), kind="response", at=FIXED_NOW)
        tasks.create_task(session, actor=actor(session, "spokesperson"), reference=case.reference,
                          data=TaskCreate(unit="GDTrH", request=f"Số liệu {i}", due_at=FIXED_NOW + timedelta(days=1)),
                          now=FIXED_NOW)  # fmt: skip
        case_in_crisis(session, now=FIXED_NOW, title=f"Khủng hoảng {i}")
    session.flush()


# The statements of each role's home (the header's queue included) with one of everything; at most these.
HOME_STATEMENTS = {"office": 18, "handler": 29, "head": 31, "spokesperson": 12, "director": 20, "admin": 10}


@pytest.mark.parametrize("user", sorted(HOME_STATEMENTS))
def test_each_home_reads_a_constant_number_of_statements(
    browser: TestClient, org: None, session: Session, connection: Connection, user: str
) -> None:
    """Issue 17: what a home lists grows with the office's work; the statements it runs must not (no look-up per
    item: the approval queue, the waiting queue, the worklists, the year's crises)."""
    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    more_of_everything(session, 1)
    login(browser, user)

    def statements_of_the_home() -> int:
        count = 0

        def seen(*_args: object) -> None:
            nonlocal count
            count += 1

        event.listen(connection, "before_cursor_execute", seen)
        try:
            assert browser.get("/staff/").status_code == 200
        finally:
            event.remove(connection, "before_cursor_execute", seen)
        return count

    statements_of_the_home()
    one = statements_of_the_home()
    more_of_everything(session, 3)
    four = statements_of_the_home()
    assert four == one <= HOME_STATEMENTS[user], (user, one, four)


def waiting_count(html: str) -> int:
    """The number in the header's "Việc chờ tôi" link (none shown: 0)."""
    found = re.search(r'data-count="waiting">(\d+)<', html)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("user", sorted(HOME_STATEMENTS))
def test_every_pages_header_counts_what_the_home_lists(browser: TestClient, org: None, session: Session,
                                                       user: str) -> None:  # fmt: skip
    """Issue 17: a page other than the home counts what waits for the user (one statement) instead of reading it:
    the same number as the home's header, the queue's length."""
    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    more_of_everything(session, 2)
    login(browser, user)
    expected = len(queue.my_queue(session, actor=actor(session, user), now=FIXED_NOW).items)
    assert expected > 0 or user == "admin"
    for path in ("/staff/", "/staff/cases", "/staff/notifications"):
        assert waiting_count(browser.get(path).text) == expected, path


def test_a_kind_beyond_the_queue_limit_counts_what_the_home_lists(browser: TestClient, org: None,
                                                                  session: Session) -> None:  # fmt: skip
    """Each kind lists at most ``queue.LIMIT`` items; the header's count on any page is what the home lists."""
    for i in range(queue.LIMIT + 2):
        make_case(session, by="office", now=FIXED_NOW, title=f"Mới {i}")
    login(browser, "office")
    assert waiting_count(browser.get("/staff/cases").text) == waiting_count(browser.get("/staff/").text) == queue.LIMIT
