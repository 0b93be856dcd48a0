"""The home page: the panels of each role the user holds."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.permissions import Role
from app.cases import service as cases
from app.cases.vocabulary import Severity
from app.cases.workflow import Action
from tests.conftest import FIXED_NOW
from tests.factories import actor, make_case, make_user
from tests.web.staff.pages import login
from tests.web.staff.test_cases import accepted, routed


def test_press_office_triage_board(browser: TestClient, org: None, session: Session) -> None:
    new = make_case(session, by="office", now=FIXED_NOW, title="Phản ánh mới")
    waiting = routed(session, title="Chờ đơn vị nhận")
    working = accepted(session, title="Đang xử lý rồi")
    login(browser, "office")
    page = browser.get("/staff/")
    assert page.status_code == 200
    assert "Vụ việc mới cần phân loại" in page.text and "Đã chuyển đơn vị, chờ đơn vị nhận xử lý" in page.text
    triage, rest = page.text.split('id="triage-assigned"')
    assert new.reference in triage and waiting.reference not in triage
    assert waiting.reference in rest and working.reference not in page.text


def test_unit_worklist(browser: TestClient, org: None, session: Session) -> None:
    mine = accepted(session, title="Việc của Trung học")
    waiting = routed(session, title="Mới chuyển cho Trung học")
    other = routed(session, "GDTH", title="Việc của Tiểu học")
    login(browser, "handler")
    page = browser.get("/staff/")
    assert "Việc của đơn vị" in page.text and "Phòng Giáo dục Trung học" in page.text
    assert "Hạn gần nhất" in page.text  # the deadline column, filled in by the deadline engine
    assert page.text.index(mine.reference) < page.text.index(waiting.reference)  # oldest first
    assert other.reference not in page.text
    assert "Vụ việc mới cần phân loại" not in page.text


def test_spokesperson_approval_queue(browser: TestClient, org: None, session: Session) -> None:
    case = accepted(session, title="Học phí tăng")
    cases.transition_case(
        session, actor=actor(session, "head"), case=case, action=Action.SUBMIT, now=FIXED_NOW, via_statement=True
    )
    login(browser, "spokesperson")
    page = browser.get("/staff/")
    assert "Chờ duyệt nội dung phát ngôn" in page.text
    assert case.reference in page.text and "Học phí tăng" in page.text


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


def test_admin_panel(browser: TestClient, org: None) -> None:
    login(browser, "admin")
    page = browser.get("/staff/")
    assert "/staff/admin/users" in page.text and "/staff/admin/tokens" in page.text
    assert "Vụ việc mới cần phân loại" not in page.text


def test_several_roles_see_each_roles_panels(browser: TestClient, org: None, session: Session) -> None:
    make_user(session, "multi", (Role.PRESS_OFFICER, "VP"), (Role.HANDLER, "GDTH"), now=FIXED_NOW)
    login(browser, "multi")
    page = browser.get("/staff/")
    assert "Vụ việc mới cần phân loại" in page.text
    assert "Việc của đơn vị" in page.text and "Phòng Giáo dục Tiểu học" in page.text
