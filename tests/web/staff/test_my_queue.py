"""The staff home shows what waits for me first, with its count in the header; the e-mail choice on the settings
page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.cases import service as cases
from app.cases.workflow import Action
from tests.conftest import FIXED_NOW
from tests.factories import actor, make_case
from tests.web.staff.pages import login, post_form


def test_the_queue_comes_first_with_its_count(browser: TestClient, org: None, session: Session) -> None:
    case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
    cases.transition_case(session, actor=actor(session, "office"), case=case, action=Action.ASSIGN, now=FIXED_NOW)
    login(browser, "head")
    home = browser.get("/staff/").text
    assert home.index('id="my-queue"') < home.index('class="panel card" id="worklist-')
    assert f'data-kind="to_accept" data-case="{case.reference}"' in home
    assert 'data-count="waiting">1<' in home and 'data-count="unread">1<' in home  # routed to the unit
    login(browser, "handler")
    home = browser.get("/staff/").text
    assert "Không có việc nào đang chờ bạn." in home and 'data-count="waiting"' not in home


def test_the_messages_page_says_what_happened(browser: TestClient, org: None, session: Session) -> None:
    case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
    cases.transition_case(session, actor=actor(session, "office"), case=case, action=Action.ASSIGN, now=FIXED_NOW)
    login(browser, "head")
    page = browser.get("/staff/notifications").text
    assert "<h1>Tin nhắn của tôi</h1>" in page and "Thông báo của tôi" not in page
    assert 'data-kind="routed"' in page and "Chuyển đến đơn vị" in page
    assert f"Vụ việc {case.reference} được chuyển cho Phòng Giáo dục Trung học" in page


def test_the_email_choice(browser: TestClient, org: None) -> None:
    login(browser, "head")
    page = browser.get("/staff/settings").text
    assert '<option value="immediate" selected>' in page
    response = post_form(browser, "/staff/settings", "/staff/settings/email", {"email_frequency": "daily"})
    assert response.status_code == 303 and response.headers["location"] == "/staff/settings?done=email"
    page = browser.get(response.headers["location"]).text
    assert '<option value="daily" selected>' in page and "Đã lưu cách nhận thư điện tử." in page
    bad = post_form(browser, "/staff/settings", "/staff/settings/email", {"email_frequency": "weekly"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
