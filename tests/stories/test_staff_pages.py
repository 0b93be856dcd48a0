"""The staff pages of stories, contacts and the emulation scorecard, driven like a browser."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW
from tests.factories import standard_org
from tests.web.staff.pages import login, post_form


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def test_draft_submit_return_approve_publish_by_the_pages(browser: TestClient, org: None) -> None:
    login(browser, "handler")
    r = post_form(browser, "/staff/stories", "/staff/stories",
                  {"kind": "news", "title": "Hội thi giáo viên dạy giỏi cấp tỉnh", "body": "Nội dung tin.",
                   "theme": "teachers_managers"})  # fmt: skip
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    assert re.fullmatch(r"/staff/stories/\d+", url)
    bad = post_form(browser, "/staff/stories", "/staff/stories", {"kind": "news", "title": "", "body": "x"})
    assert bad.status_code == 422 and 'class="field invalid"' in bad.text
    browser.cookies.clear()
    login(browser, "head")
    assert post_form(browser, url, f"{url}/submit", {}).status_code == 303
    browser.cookies.clear()
    login(browser, "office")
    page = browser.get(url)
    assert "Lý do trả lại" in page.text
    assert post_form(browser, url, f"{url}/return", {"comment": "Thêm số liệu."}).status_code == 303
    browser.cookies.clear()
    login(browser, "head")
    assert "Thêm số liệu." in browser.get(url).text
    post_form(browser, url, f"{url}/submit", {})
    browser.cookies.clear()
    login(browser, "office")
    assert post_form(browser, url, f"{url}/edit", {"title": "Hội thi giáo viên dạy giỏi cấp tỉnh năm 2026",
                                                   "body": "Nội dung tin."}).status_code == 303  # fmt: skip
    assert "+Hội thi giáo viên dạy giỏi cấp tỉnh năm 2026" in browser.get(url).text
    assert post_form(browser, url, f"{url}/publish", {}).status_code == 409  # not approved
    post_form(browser, url, f"{url}/approve", {})
    post_form(browser, url, f"{url}/publish", {})
    assert "Đã đăng" in browser.get(url).text
    assert "Hội thi giáo viên dạy giỏi cấp tỉnh năm 2026" in browser.get("/stories").text


def test_contacts_page_flags_units_and_designates(browser: TestClient, org: None) -> None:
    login(browser, "office")
    page = browser.get("/staff/comms/contacts")
    assert page.status_code == 200 and "Chưa cử đầu mối truyền thông" in page.text
    r = post_form(browser, "/staff/comms/contacts", "/staff/comms/contacts",
                  {"unit": "GDTrH", "username": "handler", "starts_on": "2026-09-05"})  # fmt: skip
    assert r.status_code == 303, r.text
    assert "Trần Minh Quân" in browser.get("/staff/comms/contacts").text
    bad = post_form(
        browser,
        "/staff/comms/contacts",
        "/staff/comms/contacts",
        {"unit": "NOPE", "name": "A", "starts_on": "2026-09-05"},
    )
    assert bad.status_code == 422 and "NOPE" in bad.text
    browser.cookies.clear()
    login(browser, "admin")
    tree = browser.get("/staff/admin/units").text
    assert "Đầu mối truyền thông:" in tree and "Chưa cử đầu mối truyền thông" in tree


def test_emulation_page_defines_each_figure(browser: TestClient, org: None) -> None:
    login(browser, "director")
    page = browser.get("/staff/reports/emulation", params={"school_year": "2026-2027"})
    assert page.status_code == 200
    for field in ("contact_designated", "stories_submitted", "stories_published", "cases_led", "clocks_missed",
                  "avg_days_to_facts"):  # fmt: skip
        assert f"<code>{field}</code>" in page.text
    assert "/api/v1/reports/emulation.xlsx?school_year=2026-2027" in page.text
    login(browser, "head")
    home = browser.get("/staff/")
    assert "Kế hoạch truyền thông năm học" in home.text
