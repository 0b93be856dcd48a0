"""The report pages: dashboard with its SVG charts, the yearly report with the cases behind each number, the unit
scorecards, the press events log (forms), in Vietnamese and English."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.press_events.models import PressEventCreate, PressEventKind
from app.press_events.service import create_press_event
from tests.conftest import FIXED_NOW
from tests.factories import actor, case_in_progress, make_case, publish_statement
from tests.web.staff.pages import login, post_form, untranslated

DAY = timedelta(days=1)


@pytest.fixture
def data(session: Session, org: None) -> dict[str, str]:
    answered = make_case(session, by="office", now=FIXED_NOW - 3 * DAY, received_at=FIXED_NOW - 3 * DAY,
                         legal_trigger="major_event", severity="crisis", title="Ngộ độc thực phẩm")  # fmt: skip
    publish_statement(session, answered, kind="initial_information", at=FIXED_NOW - 2 * DAY)
    request = case_in_progress(session, now=FIXED_NOW - DAY, legal_trigger="press_request", title="Hỏi về học phí")
    make_case(session, by="office", now=FIXED_NOW, legal_trigger="untrue_report", title="Tin sai về môn Lịch sử")
    create_press_event(session, actor=actor(session, "office"), now=FIXED_NOW, data=PressEventCreate(
        kind=PressEventKind.PRESS_CONFERENCE, held_at=FIXED_NOW - DAY, title="Họp báo tháng 11",
        spokesperson_name="Võ Thanh Bình", cases=[request.reference]))  # fmt: skip
    session.flush()
    return {"answered": answered.reference, "request": request.reference}


def signed_in(browser: TestClient, who: str = "office") -> TestClient:
    assert login(browser, who).status_code == 303
    return browser


class TestPages:
    def test_the_menu_links_to_the_reports_for_those_who_may_read_them(self, browser: TestClient, org: None) -> None:
        assert 'href="/staff/reports"' in signed_in(browser, "director").get("/staff/").text
        browser.cookies.clear()
        assert 'href="/staff/reports"' not in signed_in(browser, "handler").get("/staff/").text
        assert browser.get("/staff/reports").status_code == 403

    def test_dashboard(self, browser: TestClient, data: dict[str, str]) -> None:
        page = signed_in(browser).get("/staff/reports")
        assert page.status_code == 200
        html = page.text
        assert 'aria-current="page">Báo cáo<' in html
        assert re.search(r'<svg class="chart columns"[^>]*role="img"', html)
        assert 'class="stack"' in html and 'class="bar"' in html
        assert "<script" not in html.split("<main", 1)[1]  # no inline script (CSP): the charts are SVG
        assert "style=" not in html
        assert re.search(r'id="stat-total"><span class="num">3</span>', html)
        assert "/api/v1/reports/dashboard.csv?year=2026" in html
        assert "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 3" in html

    def test_a_chosen_period_and_a_bad_one(self, browser: TestClient, data: dict[str, str]) -> None:
        page = signed_in(browser).get("/staff/reports?from=2026-11-26&to=2026-11-27")
        assert re.search(r'id="stat-total"><span class="num">2</span>', page.text)
        assert "/api/v1/reports/dashboard.xlsx?from=2026-11-26&amp;to=2026-11-27" in page.text
        bad = browser.get("/staff/reports?from=27/13/2026&to=x")
        assert bad.status_code == 200 and 'role="alert"' in bad.text
        backwards = browser.get("/staff/reports?from=2026-11-27&to=2026-11-01")
        assert "Ngày bắt đầu phải trước ngày kết thúc." in backwards.text

    def test_the_yearly_report_shows_the_cases_behind_each_number(self, browser: TestClient,
                                                                   data: dict[str, str]) -> None:  # fmt: skip
        html = signed_in(browser).get("/staff/reports/annual?year=2026").text
        assert "Số cuộc họp báo tổ chức trong năm" in html
        assert 'id="indicator-6"' in html
        section = html.split('id="indicator-4"', 1)[1].split('id="indicator-5"', 1)[0]
        for ref in data.values():
            assert f'href="/staff/cases/{ref}"' in section
        assert "Đã phát ngôn" in section
        assert "Họp báo tháng 11" in html.split('id="indicator-1"', 1)[1].split('id="indicator-2"', 1)[0]
        assert "/api/v1/reports/annual.xlsx?year=2026" in html

    def test_the_cases_of_an_indicator_page_by_page(self, browser: TestClient, data: dict[str, str]) -> None:
        signed_in(browser)
        page = browser.get("/staff/reports/annual/4?year=2026")
        assert page.status_code == 200
        for ref in data.values():
            assert f'href="/staff/cases/{ref}"' in page.text
        assert 'rel="next"' not in page.text  # two cases: one page
        assert "/api/v1/reports/annual/cases.csv?year=2026" in page.text
        assert browser.get("/staff/reports/annual/4?year=2026&cursor=made-up.x").status_code == 400
        assert browser.get("/staff/reports/annual/9?year=2026").status_code == 422
        browser.get("/staff/lang/en")
        english = browser.get("/staff/reports/annual/5?year=2026&pending=1")
        assert english.status_code == 200 and untranslated(english.text) == []

    def test_scorecards(self, browser: TestClient, data: dict[str, str]) -> None:
        html = signed_in(browser).get("/staff/reports/units").text
        assert 'id="unit-GDTrH"' in html and "Phòng Giáo dục Trung học" in html

    def test_a_unit_head_sees_the_unit(self, browser: TestClient, data: dict[str, str]) -> None:
        html = signed_in(browser, "head").get("/staff/reports/units").text
        assert 'id="unit-GDTrH"' in html and 'id="unit-GDTH"' not in html
        assert "Chỉ gồm vụ việc của đơn vị bạn." in html

    @pytest.mark.parametrize(
        "url", ["/staff/reports", "/staff/reports/annual", "/staff/reports/units", "/staff/reports/press-events"]
    )
    def test_in_english(self, browser: TestClient, data: dict[str, str], url: str) -> None:
        signed_in(browser)
        browser.get("/staff/lang/en")
        response = browser.get(url)
        assert response.status_code == 200
        assert '<html lang="en">' in response.text
        assert untranslated(response.text) == []


class TestPressEventForms:
    def test_log_edit_delete(self, browser: TestClient, data: dict[str, str]) -> None:
        signed_in(browser)
        url = "/staff/reports/press-events"
        response = post_form(browser, url, url, {
            "kind": "press_briefing", "held_at": "2026-11-26T15:00", "title": "Giao ban báo chí tháng 11",
            "spokesperson_name": "Võ Thanh Bình", "spokesperson_title": "Chánh Văn phòng Sở",
            "organiser": "Ban Tuyên giáo và Dân vận Thành ủy", "cases": f"{data['answered']}, {data['request']}",
            "note": "",
        })  # fmt: skip
        assert response.status_code == 303, response.text
        page = browser.get(response.headers["location"])
        assert "Đã lưu họp báo, giao ban." in page.text and "Giao ban báo chí tháng 11" in page.text
        event_id = re.findall(r"/staff/reports/press-events/(\d+)/edit", page.text)
        assert len(event_id) == 2
        edit_url = f"{url}/{max(event_id, key=int)}/edit"
        form = browser.get(edit_url)
        assert 'value="Giao ban báo chí tháng 11"' in form.text
        changed = post_form(browser, edit_url, f"{url}/{max(event_id, key=int)}", {
            "kind": "press_briefing", "held_at": "26/11/2026 16:00", "title": "Giao ban báo chí (sửa)",
            "spokesperson_name": "Võ Thanh Bình", "spokesperson_title": "", "organiser": "", "cases": "",
            "note": "",
        })  # fmt: skip
        assert changed.status_code == 303
        page = browser.get(url)
        assert "Giao ban báo chí (sửa)" in page.text and "16:00" in page.text
        gone = post_form(browser, edit_url, f"{url}/{max(event_id, key=int)}/delete", {})
        assert gone.status_code == 303
        assert "Giao ban báo chí (sửa)" not in browser.get(url).text

    def test_a_bad_form_is_shown_again(self, browser: TestClient, data: dict[str, str]) -> None:
        signed_in(browser)
        url = "/staff/reports/press-events"
        fields = {"kind": "press_conference", "held_at": "2026-11-26T15:00", "cases": "VV-2026-99999"}
        response = post_form(browser, url, url, {**fields, "title": "", "spokesperson_name": ""})
        assert response.status_code == 422
        assert 'id="err-title"' in response.text and 'aria-invalid="true"' in response.text
        unknown = post_form(browser, url, url, {**fields, "title": "Họp báo", "spokesperson_name": "Võ Thanh Bình"})
        assert unknown.status_code == 422 and "Không tìm thấy vụ việc VV-2026-99999." in unknown.text

    def test_a_unit_head_reads_without_the_form(self, browser: TestClient, data: dict[str, str]) -> None:
        html = signed_in(browser, "head").get("/staff/reports/press-events").text
        assert "Họp báo tháng 11" in html
        assert 'method="post" action="/staff/reports/press-events"' not in html
