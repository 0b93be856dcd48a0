"""The case list's deadline column and filters (overdue, due within 24 hours) and the saved views built on them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW, Clock
from tests.factories import make_case
from tests.web.staff.pages import login
from tests.web.staff.test_cases import accepted


def test_the_due_column_and_filters(browser: TestClient, org: None, session: Session, clock: Clock) -> None:
    overdue = make_case(session, by="office", now=FIXED_NOW, title="Đã quá hạn", legal_trigger="major_event")
    clock.advance(hours=20)
    soon = make_case(session, by="office", now=clock.now, title="Sắp đến hạn", legal_trigger="major_event")
    clock.advance(hours=5)  # the first is 1 hour past its 24 hours; the second has 19 hours left
    quiet = make_case(session, by="office", now=clock.now, title="Không có thời hạn")
    login(browser, "office")
    page = browser.get("/staff/cases").text
    assert "Hạn gần nhất" in page and 'class="badge overdue countdown"' in page and "còn 19 giờ" in page
    only_overdue = browser.get("/staff/cases", params={"due": "overdue"}).text
    assert overdue.reference in only_overdue and soon.reference not in only_overdue
    assert '<option value="overdue" selected>' in only_overdue
    due_soon = browser.get("/staff/cases", params={"due": "soon"}).text
    assert soon.reference in due_soon and overdue.reference not in due_soon and quiet.reference not in due_soon
    assert "Một số bộ lọc không hợp lệ" in browser.get("/staff/cases", params={"due": "someday"}).text


def test_saved_views_for_deadlines(browser: TestClient, org: None, session: Session) -> None:
    accepted(session)
    login(browser, "handler")
    page = browser.get("/staff/cases").text
    assert "Quá hạn của đơn vị tôi" in page and "unit=GDTrH&amp;due=overdue&amp;sort=due" in page
    assert "Khủng hoảng tuần này" in page and "Sắp đến hạn (24 giờ)" in page
    login(browser, "office")
    page = browser.get("/staff/cases").text
    assert "Đang quá hạn" in page and "Quá hạn của đơn vị tôi" not in page
