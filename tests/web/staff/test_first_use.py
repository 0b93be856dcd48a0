"""What a first real use found (issue 12 §4), each fix through the real HTTP app: empty filter values, dates typed
and read dd/mm/yyyy, publishing (its confirmation and the notice type), routing at intake, inquiries on the case
page, the approval checklist, wording, the API docs without a CDN, the calendar's years. The browser side of the
same fixes is in ``tests/browser/test_first_use.py``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.cases.models import Case
from tests.conftest import FIXED_NOW
from tests.factories import case_in_progress, make_case
from tests.statements.helpers import Api
from tests.web.staff.pages import csrf_of, login, post_form
from tests.web.staff.test_statements import field_error, page_of, submitted

PAGES_WITH_DATES = ["/staff/cases/new", "/staff/cases", "/staff/reports", "/staff/reports/units",
                    "/staff/reports/annual", "/staff/admin/calendar", "/staff/admin/tokens"]  # fmt: skip


@pytest.fixture
def case(session: Session, org: None) -> Case:
    from tests.factories import appoint_spokesperson

    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    return case_in_progress(session, now=FIXED_NOW - timedelta(hours=2), title="Phụ huynh phản ánh thu chi",
                            legal_trigger="press_request", outlet="Báo Tuổi Trẻ")  # fmt: skip


class TestEmptyFilterValues:
    """A filter form sends its "Tất cả" choices as empty values: they mean no filter, never a 422."""

    def test_the_public_notices_form_as_sent(self, browser: TestClient) -> None:
        page = browser.get("/notices?q=hoc+phi&topic=&kind=&outlet=&since=&until=")
        assert page.status_code == 200, page.text
        assert 'value="hoc phi"' in page.text and "422" not in page.text

    def test_the_public_api(self, browser: TestClient) -> None:
        response = browser.get("/api/public/v1/notices?topic=&kind=&since=&until=&q=&outlet=&cursor=")
        assert response.status_code == 200 and response.json()["items"] == []

    @pytest.mark.parametrize("url", [
        "/staff/cases?q=&status=&unit=&severity=&topic=&source_kind=&received_from=&received_to=&due=&sort=",
        "/staff/reports?from=&to=", "/staff/reports/units?from=&to=", "/staff/reports/annual?year=",
        "/staff/admin/calendar?year=", "/api/v1/cases?status=&severity=&topic=&unit=&q=&limit=",
    ])  # fmt: skip
    def test_staff_filters(self, browser: TestClient, org: None, url: str) -> None:
        login(browser, "admin" if "admin" in url else "office")
        response = browser.get(url)
        assert response.status_code == 200, (url, response.text[:500])

    def test_a_filter_still_filters(self, browser: TestClient, org: None, session: Session) -> None:
        make_case(session, by="office", now=FIXED_NOW, title="Học phí năm học mới")
        make_case(session, by="office", now=FIXED_NOW, title="Bạo lực học đường")
        login(browser, "office")
        items = browser.get("/api/v1/cases?q=hoc+phi&topic=&status=").json()["items"]
        assert [c["title"] for c in items] == ["Học phí năm học mới"]


class TestDates:
    """Every date typed or read is dd/mm/yyyy and 24-hour, whatever the browser's language: text fields, never the
    browser's own date pickers (mm/dd/yyyy AM/PM in an English browser)."""

    @pytest.mark.parametrize("url", PAGES_WITH_DATES)
    def test_no_browser_date_pickers(self, browser: TestClient, org: None, url: str) -> None:
        login(browser, "admin" if "admin" in url else "office")
        page = browser.get(url)
        assert page.status_code == 200
        assert 'type="date"' not in page.text and 'type="datetime-local"' not in page.text
        assert 'placeholder="dd/mm/yyyy' in page.text

    def test_the_inquiry_form(self, browser: TestClient) -> None:
        page = browser.get("/inquiries/new")
        assert 'type="datetime-local"' not in page.text and 'placeholder="dd/mm/yyyy HH:MM"' in page.text

    def test_the_dashboard_period_typed_day_first(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        page = browser.get("/staff/reports?from=01/11/2026&to=30/11/2026")
        assert page.status_code == 200
        assert 'value="01/11/2026"' in page.text and 'value="30/11/2026"' in page.text
        preset = browser.get("/staff/reports?from=2026-11-01&to=2026-11-30")  # the presets' links: ISO, shown d/m/y
        assert 'value="01/11/2026"' in preset.text

    def test_the_public_filter_typed_day_first(self, browser: TestClient) -> None:
        page = browser.get("/notices?since=01/11/2026&until=30/11/2026")
        assert page.status_code == 200 and 'value="01/11/2026"' in page.text and 'value="30/11/2026"' in page.text

    def test_a_calendar_override_typed_day_first(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        response = post_form(browser, "/staff/admin/calendar", "/staff/admin/calendar/overrides",
                             {"day": "04/01/2027", "kind": "extra_off", "description": "Nghỉ bù"})  # fmt: skip
        assert response.status_code == 303 and "year=2027" in response.headers["location"]

    def test_the_case_list_dates(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        page = browser.get("/staff/cases?received_from=01/11/2026&received_to=30/11/2026")
        assert page.status_code == 200 and 'value="01/11/2026"' in page.text


class TestPublishing:
    """A notice number can never be taken back: the form asks first, and says which document it makes."""

    def _approved(self, browser: TestClient, case: Case, kind: str) -> int:
        api = Api(browser)
        statement = api.draft(case.reference, kind=kind, text="Sở Giáo dục và Đào tạo thông tin: đã xác minh.")
        api.submit(statement["id"])
        api.approve(statement["id"])
        return int(statement["id"])

    @pytest.mark.parametrize(("kind", "key", "flash", "word"), [
        ("response", "published_tb", "Đã công bố thông báo.", "thông báo"),
        ("initial_information", "published_tc", "Đã công bố thông cáo báo chí.", "thông cáo báo chí"),
    ])  # fmt: skip
    def test_confirmation_and_notice_type(self, browser: TestClient, case: Case, kind: str, key: str, flash: str,
                                          word: str) -> None:  # fmt: skip
        sid = self._approved(browser, case, kind)
        login(browser, "office")
        url = f"/staff/statements/{sid}"
        page = browser.get(url).text
        confirm = re.search(r'data-confirm="([^"]+)"', page.split('id="publish"')[1])
        assert confirm and word in confirm.group(1) and "Không thể hoàn tác" in confirm.group(1)
        assert f"Công bố {word}" in page
        response = post_form(browser, url, f"{url}/publish", {"expected_status": "approved"})
        assert response.headers["location"] == f"{url}?done={key}"
        assert flash in browser.get(response.headers["location"]).text

    def test_the_english_flash(self, browser: TestClient, case: Case) -> None:
        sid = self._approved(browser, case, "response")
        login(browser, "office")
        browser.cookies.set("lang", "en")
        assert "The notice is published." in browser.get(f"/staff/statements/{sid}?done=published_tb").text


class TestRoutingAtIntake:
    def test_the_form_routes_in_one_step(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        data: dict[str, object] = {"source_kind": "press_inquiry", "title": "Phóng viên hỏi về học phí",
                                   "topic": "other", "severity": "routine", "received_at": "27/11/2026 08:30",
                                   "lead_unit": "GDTrH"}  # fmt: skip
        response = post_form(browser, "/staff/cases/new", "/staff/cases", data)
        assert response.status_code == 303
        api = Api(browser)
        ref = response.headers["location"].split("/")[3].split("?")[0]
        assert api.case(ref)["status"] == "assigned"
        events = api.events(ref)
        assert [(e["kind"], e["to_status"], e["data"]["lead_unit"]) for e in events] == [
            ("created", "assigned", "GDTrH")
        ]
        login(browser, "head")  # the unit sees it at once, ready to accept
        assert ref in browser.get("/staff/").text

    def test_without_a_unit_it_waits_for_triage(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        data: dict[str, object] = {"source_kind": "press_inquiry", "title": "Phóng viên hỏi về học phí",
                                   "topic": "other", "severity": "routine"}  # fmt: skip
        response = post_form(browser, "/staff/cases/new", "/staff/cases", data)
        ref = response.headers["location"].split("/")[3].split("?")[0]
        assert Api(browser).case(ref)["status"] == "new"

    def test_the_api_keeps_new_unless_asked(self, browser: TestClient, org: None) -> None:
        api = Api(browser)
        body: dict[str, Any] = {"title": "Học phí", "source_kind": "press_article", "lead_unit": "GDTrH"}
        assert api.ok(api.post("/api/v1/cases", "office", body), 201)["status"] == "new"
        routed = api.ok(api.post("/api/v1/cases", "office", {**body, "route": True}), 201)
        assert routed["status"] == "assigned" and routed["lead_unit"]["code"] == "GDTrH"
        assert len(api.events(routed["reference"])) == 1
        missing = api.post(
            "/api/v1/cases", "office", {"title": "Học phí", "source_kind": "press_article", "route": True}
        )
        assert missing.status_code == 422 and missing.json()["field"] == "lead_unit"


class TestInquiriesOnTheCasePage:
    def _inquiry(self, browser: TestClient, **changes: Any) -> dict[str, Any]:
        body = {"outlet": "Báo Thanh Niên", "reporter_name": "Nguyễn Văn An", "press_card_number": "Đ01234/BTN",
                "contact": "an@thanhnien.example.vn", "reporter_deadline": "2026-11-28T17:00:00+07:00",
                "question": "Đề nghị Sở cho biết kết quả kiểm tra việc thu các khoản ngoài học phí?",
                **changes}  # fmt: skip
        response = browser.post("/api/public/v1/inquiries", json=body)
        assert response.status_code == 201, response.text
        code: str = response.json()["code"]
        return Api(browser).ok(Api(browser).get(f"/api/v1/inquiries/{code}", "office"))

    def test_a_press_card_with_d(self, browser: TestClient, org: None) -> None:
        assert self._inquiry(browser)["press_card_number"] == "Đ01234/BTN"
        form = browser.get("/inquiries/new")
        data = {"outlet": "Báo Tuổi Trẻ", "reporter_name": "Trần Thị B", "press_card_number": "đ 567/TTO",
                "contact": "b@tuoitre.example.vn", "question": "Sở có kế hoạch gì về học phí năm tới không?",
                "csrf_token": csrf_of(form)}  # fmt: skip
        response = browser.post("/inquiries", data=data, follow_redirects=False)
        assert response.status_code == 303, response.text

    def test_the_case_shows_its_inquiries_with_the_deadline(self, browser: TestClient, org: None) -> None:
        inquiry = self._inquiry(browser)
        login(browser, "office")
        page = browser.get(f"/staff/cases/{inquiry['case_reference']}").text
        section = page.split('id="inquiries"')[1]
        assert "Báo Thanh Niên" in section and "Đ01234/BTN" in section
        assert "28/11/2026 17:00" in section and 'class="countdown"' in section  # the reporter's own deadline
        assert "còn 1 ngày 8 giờ" in section  # FIXED_NOW is 27/11/2026 09:00

    def test_linking_to_an_existing_case(self, browser: TestClient, org: None, session: Session) -> None:
        target = make_case(session, by="office", now=FIXED_NOW, title="Thu chi ngoài học phí")
        inquiry = self._inquiry(browser)
        own = inquiry["case_reference"]
        login(browser, "office")
        url = f"/staff/cases/{own}"
        wrong = post_form(browser, url, f"{url}/inquiries/{inquiry['code']}/link", {"target": "VV-2026-09999"})
        assert wrong.status_code == 404 and "Không tìm thấy vụ việc VV-2026-09999" in field_error(
            wrong.text, f"link-{inquiry['code']}-target"
        )
        response = post_form(browser, url, f"{url}/inquiries/{inquiry['code']}/link",
                             {"target": target.reference.lower(), "note": "Cùng nội dung"})  # fmt: skip
        assert response.status_code == 303
        assert response.headers["location"] == f"/staff/cases/{target.reference}?done=inquiry_linked#inquiries"
        page = browser.get(response.headers["location"]).text
        assert "Nguyễn Văn An" in page.split('id="inquiries"')[1]
        api = Api(browser)
        assert api.case(own)["status"] == "closed"
        closing = [e for e in api.events(own) if e["action"] == "close"]
        assert closing[0]["data"]["duplicate_of"] == target.reference


class TestCloseAsDuplicate:
    def test_the_form_names_the_original(self, browser: TestClient, org: None, session: Session) -> None:
        original = make_case(session, by="office", now=FIXED_NOW, title="Bản gốc")
        copy = make_case(session, by="office", now=FIXED_NOW, title="Bản trùng")
        login(browser, "office")
        url = f"/staff/cases/{copy.reference}"
        assert 'name="duplicate_of"' in browser.get(url).text
        base = {"action": "close", "reason": "duplicate", "note": "Trùng", "expected_status": "new"}
        itself = post_form(browser, url, f"{url}/transitions", {**base, "duplicate_of": copy.reference})
        assert itself.status_code == 422 and field_error(itself.text, "close-duplicate_of")
        response = post_form(browser, url, f"{url}/transitions", {**base, "duplicate_of": original.reference})
        assert response.status_code == 303
        page = browser.get(url).text
        assert f'<a href="/staff/cases/{original.reference}">{original.reference}</a>' in page  # in the timeline
        api = Api(browser)
        assert api.case(copy.reference)["related"] == [original.reference]
        assert api.case(original.reference)["related"] == [copy.reference]

    def test_only_when_closing_as_a_duplicate(self, browser: TestClient, org: None, session: Session) -> None:
        case = make_case(session, by="office", now=FIXED_NOW)
        other = make_case(session, by="office", now=FIXED_NOW)
        api = Api(browser)
        response = api.post(
            f"/api/v1/cases/{case.reference}/transitions",
            "office",
            {"action": "close", "reason": "no_action", "note": "x", "duplicate_of": other.reference},
        )
        assert response.status_code == 422 and response.json()["field"] == "duplicate_of"


class TestApprovalChecklist:
    def test_every_unticked_item_at_once(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = submitted(session, case)
        login(browser, "spokesperson")
        page = browser.get(page_of(statement)).text
        assert "data-require-all=" in page  # checked in the browser first (static/app.js)
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/approve",
                             {"no_state_secret": "1", "expected_status": "submitted"})  # fmt: skip
        assert response.status_code == 422
        assert "Chưa xác nhận 2 mục kiểm tra trước khi duyệt" in response.text
        for key in ("no_private_data", "no_pending_proceedings"):
            assert field_error(response.text, f"approve-{key}") == "Chưa xác nhận mục này."
        assert 'id="err-approve-no_state_secret"' not in response.text

    def test_the_api_names_them_all(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = submitted(session, case)
        api = Api(browser)
        response = api.post(f"/api/v1/statements/{statement.id}/approve", "spokesperson", {"checklist": {}})
        body = response.json()
        assert response.status_code == 422 and body["field"] == "checklist.no_state_secret"
        assert body["missing"] == ["checklist.no_state_secret", "checklist.no_private_data",
                                   "checklist.no_pending_proceedings"]  # fmt: skip
        assert "3 mục" in body["detail"] and "Không có bí mật nhà nước." in body["detail"]


class TestWording:
    def test_overdue_is_said_once(self, browser: TestClient, org: None, session: Session) -> None:
        case = make_case(session, by="office", now=FIXED_NOW - timedelta(days=2), legal_trigger="major_event",
                         received_at=FIXED_NOW - timedelta(days=2))  # fmt: skip
        login(browser, "office")
        page = browser.get(f"/staff/cases/{case.reference}").text
        assert "quá hạn 1 ngày" in page
        assert not re.search(r"Quá hạn</span>\s*<span[^>]*>\s*quá hạn", page, re.IGNORECASE)
        assert "Quá hạn quá hạn" not in re.sub(r"<[^>]+>", "", page).replace("\n", " ")

    def test_the_hash_only_for_the_approver(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = submitted(session, case)
        login(browser, "handler")
        assert "SHA-256" not in browser.get(page_of(statement)).text
        login(browser, "spokesperson")
        assert "SHA-256" in browser.get(page_of(statement)).text

    def test_medians_in_days_and_hours(self) -> None:
        from app.web.templating import _env

        macro = _env.from_string('{% import "staff/reports/_charts.html" as ch with context %}{{ ch.hours(210.6) }}')
        assert macro.render(locale="vi", _=str) == "8 ngày 18 giờ"
        assert macro.render(locale="en", _=str) == "8 d 18 h"


def test_the_api_docs_need_no_other_host(browser: TestClient) -> None:
    page = browser.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "<script>" not in page.text  # no inline script: the CSP allows only our files
    for url in urls:
        assert browser.get(url).status_code == 200, url
    assert "http" not in page.headers["content-security-policy"]
    assert browser.get("/redoc").status_code == 404


class TestCalendarYears:
    @pytest.mark.parametrize("day", ["1900-01-01", "0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
    def test_the_api_refuses(self, browser: TestClient, org: None, day: str) -> None:
        api = Api(browser)
        response = api.post("/api/v1/calendar/overrides", "admin", {"day": day, "kind": "extra_off",
                                                                    "description": "Nghỉ"})  # fmt: skip
        assert response.status_code == 422 and response.json()["field"] == "day", response.text

    def test_the_edges_are_kept(self, browser: TestClient, org: None) -> None:
        api = Api(browser)
        for day in ("2000-01-04", "2100-12-29"):
            response = api.post("/api/v1/calendar/overrides", "admin", {"day": day, "kind": "extra_off",
                                                                        "description": "Nghỉ"})  # fmt: skip
            assert response.status_code == 201, response.text

    def test_the_form_refuses(self, browser: TestClient, org: None) -> None:
        login(browser, "admin")
        response = post_form(browser, "/staff/admin/calendar", "/staff/admin/calendar/overrides",
                             {"day": "01/01/1900", "kind": "extra_off", "description": "Nghỉ"})  # fmt: skip
        assert response.status_code == 422
        assert field_error(response.text, "day") == "Ngày phải thuộc các năm từ 2000 đến 2100."
