"""Admin screens of the deadline engine: the calendar (year view, overrides added and removed) and the internal
targets (list, create, edit, deactivate)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.rules.models import InternalTarget
from tests.web.staff.pages import login, post_form


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="err-{re.escape(field)}">([^<]*)<', html)
    assert match, f"no error beside {field}"
    return match.group(1)


class TestCalendar:
    def test_the_year_view(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        page = browser.get("/staff/admin/calendar?year=2026")
        assert page.status_code == 200
        assert "Lịch ngày làm việc 2026" in page.text and "Tháng 2" in page.text
        assert "Tết" in page.text  # the holidays package's names
        assert "02/01/2026" in page.text and "Ngày nghỉ thêm (nghỉ bù, hoán đổi)" in page.text  # seeded override
        assert 'class="day k-holiday"' in page.text and 'class="day k-makeup"' in page.text
        assert 'action="/staff/admin/calendar/overrides"' in page.text
        assert browser.get("/staff/admin/calendar").status_code == 200  # this year by default
        assert 'href="/staff/admin/">Quản trị</a>' in page.text.split('class="crumbs"')[1].split("</nav>")[0]

    def test_add_and_remove_an_override(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        data = {"day": "13/02/2027", "kind": "makeup_workday", "description": "Làm bù Tết 2027"}
        response = post_form(browser, "/staff/admin/calendar?year=2027", "/staff/admin/calendar/overrides", data)
        assert response.status_code == 303 and "year=2027" in response.headers["location"]
        page = browser.get(response.headers["location"]).text
        assert "Đã thêm ngày điều chỉnh" in page and "Làm bù Tết 2027" in page and "13/02/2027" in page
        remove = "/staff/admin/calendar/overrides/2027-02-13/delete"
        response = post_form(browser, "/staff/admin/calendar?year=2027", remove, {})
        assert response.status_code == 303
        assert "Làm bù Tết 2027" not in browser.get("/staff/admin/calendar?year=2027").text
        again = post_form(browser, "/staff/admin/calendar?year=2027", remove, {})
        assert again.status_code == 404 and "không có trong lịch điều chỉnh" in again.text and "<h1>Lịch" in again.text

    def test_errors_beside_the_fields(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        response = post_form(browser, "/staff/admin/calendar", "/staff/admin/calendar/overrides",
                             {"day": "2026-11-28", "kind": "extra_off", "description": "Nghỉ"})  # fmt: skip
        assert response.status_code == 422 and "đã là ngày nghỉ" in field_error(response.text, "day")
        response = post_form(browser, "/staff/admin/calendar", "/staff/admin/calendar/overrides",
                             {"day": "2026-01-02", "kind": "extra_off", "description": "Trùng"})  # fmt: skip
        assert response.status_code == 409 and field_error(response.text, "day")
        response = post_form(browser, "/staff/admin/calendar", "/staff/admin/calendar/overrides",
                             {"day": "", "kind": "extra_off", "description": ""})  # fmt: skip
        assert response.status_code == 422 and field_error(response.text, "description")

    def test_read_only_for_the_others(self, browser: TestClient, org: None) -> None:
        login(browser, "director")
        page = browser.get("/staff/admin/calendar?year=2026")
        assert page.status_code == 200 and 'action="/staff/admin/calendar/overrides"' not in page.text
        crumbs = page.text.split('class="crumbs"')[1].split("</nav>")[0]
        assert 'href="/staff/admin/"' not in crumbs and 'href="/staff/">Trang chính</a>' in crumbs  # no 403 link
        assert browser.get("/staff/admin/").status_code == 403
        response = post_form(browser, "/staff/admin/calendar", "/staff/admin/calendar/overrides",
                             {"day": "2026-12-05", "kind": "makeup_workday", "description": "Thử"})  # fmt: skip
        assert response.status_code == 403


class TestTargets:
    def test_list_create_edit_deactivate(self, browser: TestClient, org: None, session: Session) -> None:
        login(browser, "admin")
        page = browser.get("/staff/admin/targets").text
        assert "Thông tin ban đầu cho báo chí trong 6 giờ" in page and "Đang áp dụng" in page
        response = post_form(browser, "/staff/admin/targets/new", "/staff/admin/targets",
                             {"name": "Phản hồi mạng xã hội trong 12 giờ", "severity": "hot",
                              "source_kind": "social_media", "start_event": "received", "length": "12",
                              "unit": "hours", "met_by": "first_notice", "actor": "press_office"})  # fmt: skip
        assert response.status_code == 303
        target = session.exec(
            select(InternalTarget).where(InternalTarget.name == "Phản hồi mạng xã hội trong 12 giờ")
        ).one()
        assert target.length == 12 and target.severity == "hot" and not target.may_pause
        edit = browser.get(f"/staff/admin/targets/{target.id}")
        assert edit.status_code == 200 and 'value="12"' in edit.text
        response = post_form(browser, f"/staff/admin/targets/{target.id}", f"/staff/admin/targets/{target.id}",
                             {"name": "Phản hồi mạng xã hội trong 8 giờ", "severity": "", "source_kind": "social_media",
                              "start_event": "received", "length": "8", "unit": "hours", "met_by": "first_notice",
                              "actor": "press_office", "may_pause": "1", "active": "1"})  # fmt: skip
        assert response.status_code == 303
        session.refresh(target)
        assert target.length == 8 and target.severity is None and target.may_pause
        response = post_form(browser, "/staff/admin/targets", f"/staff/admin/targets/{target.id}/deactivate", {})
        assert response.status_code == 303
        session.refresh(target)
        assert not target.active and "Ngừng áp dụng" in browser.get("/staff/admin/targets").text

    def test_errors_beside_the_fields(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        response = post_form(browser, "/staff/admin/targets/new", "/staff/admin/targets",
                             {"name": "", "start_event": "received", "length": "0", "unit": "hours",
                              "met_by": "reply", "actor": "spokesperson"})  # fmt: skip
        assert response.status_code == 422
        assert field_error(response.text, "name") and field_error(response.text, "length")

    def test_read_only_for_the_others(self, browser: TestClient, org: None, session: Session) -> None:
        login(browser, "office")
        page = browser.get("/staff/admin/targets")
        assert page.status_code == 200 and "/staff/admin/targets/new" not in page.text
        assert browser.get("/staff/admin/targets/new").status_code == 403
        target = session.exec(select(InternalTarget)).first()
        assert target is not None
        response = post_form(browser, "/staff/admin/targets", f"/staff/admin/targets/{target.id}/deactivate", {})
        assert response.status_code == 403
