"""In-app notifications ("Tin nhắn của tôi"): the unread count in the header, the list, marking one or all as read."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.clocks.schedule import Stage
from app.notifications.models import EmailStatus, Notification
from tests.conftest import FIXED_NOW
from tests.factories import actor, make_case
from tests.web.staff.pages import login, post_form


def notify(
    session: Session, username: str, title: str, *, case_id: int | None = None, minutes: int = 0
) -> Notification:
    row = Notification(user_id=actor(session, username).user_id, case_id=case_id, stage=Stage.DUE,
                       dedupe_key=f"test:{username}:{title}", title=title, body=f"{title}\nChi tiết",
                       created_at=FIXED_NOW - timedelta(minutes=minutes), email_status=EmailStatus.NONE)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def test_the_header_counts_the_unread(browser: TestClient, org: None, session: Session) -> None:
    notify(session, "office", "Đến hạn: thông tin ban đầu", minutes=5)
    notify(session, "office", "Quá hạn: trả lời báo chí")
    notify(session, "handler", "Của người khác")
    login(browser, "office")
    home = browser.get("/staff/").text
    assert 'data-count="unread">2<span class="sr-only"> chưa đọc</span>' in home
    page = browser.get("/staff/notifications").text
    assert "Đến hạn: thông tin ban đầu" in page and "Quá hạn: trả lời báo chí" in page
    assert "Của người khác" not in page
    assert page.index("Quá hạn: trả lời báo chí") < page.index("Đến hạn: thông tin ban đầu")  # newest first


def test_mark_one_read_goes_to_its_case(browser: TestClient, org: None, session: Session) -> None:
    case = make_case(session, by="office", now=FIXED_NOW)
    row = notify(session, "office", "Đến hạn", case_id=case.id)
    login(browser, "office")
    response = post_form(browser, "/staff/notifications", f"/staff/notifications/{row.id}/read", {})
    assert response.status_code == 303 and response.headers["location"] == f"/staff/cases/{case.reference}"
    assert 'data-count="unread"' not in browser.get("/staff/").text
    assert "Chưa đọc: 0." in browser.get("/staff/notifications").text


def test_mark_all_read(browser: TestClient, org: None, session: Session) -> None:
    notify(session, "office", "Một")
    notify(session, "office", "Hai")
    login(browser, "office")
    response = post_form(browser, "/staff/notifications", "/staff/notifications/read-all", {})
    assert response.status_code == 303
    page = browser.get(response.headers["location"]).text
    assert "Đã đánh dấu tất cả tin nhắn là đã đọc." in page and "Chưa đọc: 0." in page
    assert browser.get("/staff/notifications?unread=true").text.count('class="notification ') == 0


def test_someone_elses_notification_is_the_404_page(browser: TestClient, org: None, session: Session) -> None:
    row = notify(session, "handler", "Của người khác")
    login(browser, "office")
    response = post_form(browser, "/staff/notifications", f"/staff/notifications/{row.id}/read", {})
    assert response.status_code == 404 and "Không tìm thấy" in response.text


def test_without_the_csrf_token_it_is_refused(browser: TestClient, org: None, session: Session) -> None:
    notify(session, "office", "Một")
    login(browser, "office")
    assert browser.post("/staff/notifications/read-all").status_code == 403
