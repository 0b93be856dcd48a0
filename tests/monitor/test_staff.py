"""The monitoring pages, through the browser's path: log in, read, post forms with the CSRF token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.monitor import rules, service
from app.monitor.models import MonitorSource, SourceKind
from tests.conftest import FIXED_NOW, Clock
from tests.factories import standard_org
from tests.web.staff.pages import login, post_form


@pytest.fixture
def office(client: TestClient, session: Session, clock: Clock) -> TestClient:
    standard_org(session, clock.now)
    session.commit()
    assert login(client, "office").status_code == 303
    return client


def _item(session: Session, title: str) -> int:
    source = MonitorSource(name="Tuổi Trẻ — Giáo dục", url="https://tuoitre.vn/rss/giao-duc.rss", kind=SourceKind.FEED,
                           outlet="Tuổi Trẻ", created_at=FIXED_NOW, last_error="Máy chủ trả lời HTTP 500.",
                           failures=4)  # fmt: skip
    session.add(source)
    session.flush()
    assert source.id is not None
    entry = rules.Entry(url="https://tuoitre.vn/giao-duc/a.htm", title=title, text="Phụ huynh phản ánh lạm thu.")
    matcher = service.load_matcher(session)
    ids = service.store_items(session, source_id=source.id, outlet="Tuổi Trẻ", entries=[entry], matcher=matcher,
                              index=rules.ClusterIndex(), now=FIXED_NOW)  # fmt: skip
    session.commit()
    return ids[0]


def test_pages(office: TestClient, session: Session) -> None:
    r = post_form(office, "/staff/monitor/terms", "/staff/monitor/terms",
                  {"term": "lạm thu", "topic": "facilities_finance_tuition", "unit": ""})  # fmt: skip
    assert r.status_code == 303
    again = post_form(office, "/staff/monitor/terms", "/staff/monitor/terms", {"term": "LAM THU"})
    assert again.status_code == 409 and "đã có" in again.text
    _item(session, "Trường THCS Nguyễn Du bị tố lạm thu")
    for url, words in [("/staff/monitor", "Vấn đề nổi lên"), ("/staff/monitor/items", "Mở vụ việc"),
                       ("/staff/monitor/sources", "Lỗi liên tiếp (4 lần)"), ("/staff/monitor/terms", "lạm thu"),
                       ("/staff/monitor/digest?date=2026-11-28", "Trường THCS Nguyễn Du bị tố lạm thu"),
                       ("/staff/monitor/digest?date=nope", "Ngày không hợp lệ"),
                       ("/staff/reports", "Vấn đề nổi lên")]:  # fmt: skip
        page = office.get(url)
        assert page.status_code == 200 and words in page.text, url
    assert "HTTP 500" in office.get("/staff/monitor/sources").text


def test_add_source_with_errors_beside_the_fields(office: TestClient) -> None:
    bad = post_form(office, "/staff/monitor/sources", "/staff/monitor/sources",
                    {"outlet": "Thanh Niên", "name": "Giáo dục", "url": "thanhnien.vn", "kind": "feed",
                     "poll_minutes": "30"})  # fmt: skip
    assert bad.status_code == 422 and "http" in bad.text
    ok = post_form(office, "/staff/monitor/sources", "/staff/monitor/sources",
                   {"outlet": "Thanh Niên", "name": "Giáo dục", "url": "https://thanhnien.vn/rss/giao-duc.rss",
                    "kind": "feed", "poll_minutes": "30"})  # fmt: skip
    assert ok.status_code == 303
    assert "thanhnien.vn/rss/giao-duc.rss" in office.get("/staff/monitor/sources").text


def test_open_a_case_in_one_click(office: TestClient, session: Session) -> None:
    item_id = _item(session, "Trường THCS Nguyễn Du bị tố lạm thu")
    r = post_form(office, "/staff/monitor/items", f"/staff/monitor/items/{item_id}/case", {})
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/cases/VV-2026-")
    case_page = office.get(r.headers["location"])
    assert case_page.status_code == 200 and "Tin báo chí về vụ việc" in case_page.text
    again = post_form(office, "/staff/monitor/items?matched=all", f"/staff/monitor/items/{item_id}/case", {})
    assert again.status_code == 409 and "đã thành vụ việc" in again.text


def test_subscription_form(office: TestClient, session: Session) -> None:
    from sqlmodel import select

    from app.org.models import User

    user = session.exec(select(User).where(User.username == "office")).one()
    user.email = "office@sgddt.example.gov.vn"
    session.add(user)
    session.commit()
    r = post_form(office, "/staff/monitor/digest", "/staff/monitor/digest/subscription", {"subscribed": "true"})
    assert r.status_code == 303
    assert "Thôi nhận điểm tin" in office.get("/staff/monitor/digest").text
