"""The case pages: list, intake, the case page with its actions and timeline, notes, edit."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.cases import service as cases
from app.cases.models import Case
from app.cases.vocabulary import Severity
from app.cases.workflow import Action, CaseStatus
from tests.conftest import FIXED_NOW
from tests.factories import actor, make_case
from tests.web.staff.pages import csrf_of, login, post_form

INTAKE = {
    "source_kind": "press_article",
    "outlet": "Báo Thanh Niên",
    "reporter_name": "Lê Thị Mỹ Duyên",
    "reporter_contact": "0903 000 111",
    "source_url": "https://thanhnien.example.vn/bai-bao",
    "source_published_at": "2026-11-27T07:00",
    "title": "Học sinh bị bạo lực tại trường THCS",
    "summary": "Clip lan truyền trên mạng xã hội.",
    "topic": "ethics_school_safety",
    "severity": "crisis",
    "legal_trigger": "major_event",
    "tags": "bạo lực, THCS",
    "received_at": "2026-11-27T08:30",
    "occurred_at": "2026-11-26T16:00",
    "lead_unit": "GDTrH",
    "supporting_units": ["GDTH"],
}


def routed(session: Session, unit: str = "GDTrH", **fields: Any) -> Case:
    case = make_case(session, by="office", now=FIXED_NOW - timedelta(hours=2), **fields)
    cases.transition_case(
        session,
        actor=actor(session, "office"),
        case=case,
        action=Action.ASSIGN,
        lead_unit=unit,
        now=FIXED_NOW - timedelta(hours=1),
    )
    return case


def accepted(session: Session, unit: str = "GDTrH", by: str = "handler", **fields: object) -> Case:
    case = routed(session, unit, **fields)
    cases.transition_case(
        session, actor=actor(session, by), case=case, action=Action.ACCEPT, now=FIXED_NOW - timedelta(minutes=30)
    )
    return case


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="err-{re.escape(field)}">([^<]*)<', html)
    assert match, f"no error beside {field}"
    return match.group(1)


def transition(client: TestClient, case: Case, action: str, **data: object) -> object:
    url = f"/staff/cases/{case.reference}"
    return post_form(client, url, f"{url}/transitions", {"action": action, **data})


# --- list ---------------------------------------------------------------------------------------------------


class TestList:
    def test_shows_the_cases_newest_first(self, browser: TestClient, org: None, session: Session) -> None:
        first = make_case(session, by="office", now=FIXED_NOW - timedelta(hours=3), title="Vụ việc thứ nhất")
        second = make_case(session, by="office", now=FIXED_NOW - timedelta(hours=1), title="Vụ việc thứ hai")
        login(browser, "office")
        page = browser.get("/staff/cases")
        assert page.status_code == 200
        assert page.text.index(second.reference) < page.text.index(first.reference)
        assert "Vụ việc thứ nhất" in page.text and "Mới tiếp nhận" in page.text

    def test_filters(self, browser: TestClient, org: None, session: Session) -> None:
        crisis = make_case(
            session, by="office", now=FIXED_NOW - timedelta(days=2), title="Ngộ độc thực phẩm", severity=Severity.CRISIS
        )
        routine = routed(session, title="Lịch thi tuyển sinh")
        login(browser, "office")

        def refs(**params: object) -> set[str]:
            text = browser.get("/staff/cases", params=params).text
            return set(re.findall(r"VV-\d{4}-\d{5}", text)) & {crisis.reference, routine.reference}

        assert refs(severity="crisis") == {crisis.reference}
        assert refs(status="assigned") == {routine.reference}
        assert refs(status=["new", "assigned"]) == {crisis.reference, routine.reference}
        assert refs(q="ngo doc") == {crisis.reference}  # folded, diacritics optional
        assert refs(unit="GDTrH") == {routine.reference}
        assert refs(received_from="2026-11-26") == {routine.reference}
        assert refs(received_from="26/11/2026") == {routine.reference}  # typed without a date picker
        assert refs(received_to="2026-11-25") == {crisis.reference}  # the "to" day is included
        assert refs(topic="other", source_kind="press_article") == {crisis.reference, routine.reference}

    def test_the_filter_form_keeps_its_values(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        page = browser.get("/staff/cases", params={"severity": "hot", "q": "học phí", "sort": "received_at"})
        assert 'value="hot" checked' in page.text
        assert 'value="học phí"' in page.text
        assert 'value="received_at" selected' in page.text

    def test_sorting_and_paging(self, browser: TestClient, org: None, session: Session) -> None:
        made = [make_case(session, by="office", now=FIXED_NOW - timedelta(hours=10 - i)) for i in range(5)]
        login(browser, "office")
        page = browser.get("/staff/cases", params={"sort": "received_at", "limit": 2})
        shown = re.findall(r'href="/staff/cases/(VV-\d{4}-\d{5})"', page.text)
        assert shown == [made[0].reference, made[1].reference]
        next_url = re.search(r'href="([^"]+)" rel="next"', page.text)
        assert next_url
        page2 = browser.get(next_url.group(1).replace("&amp;", "&"))
        assert re.findall(r'href="/staff/cases/(VV-\d{4}-\d{5})"', page2.text) == [made[2].reference, made[3].reference]
        assert "« Trang đầu" in page2.text

    def test_saved_views(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        page = browser.get("/staff/cases")
        assert "Vụ việc mới" in page.text and "Khủng hoảng tuần này" in page.text
        assert "received_from=2026-11-23" in page.text  # Monday of the week of 27/11/2026
        login(browser, "handler")
        page = browser.get("/staff/cases")
        assert "Vụ việc đang mở của đơn vị tôi" in page.text and "unit=GDTrH" in page.text
        assert "status=new&amp;sort" not in page.text  # handlers do not triage

    def test_a_handler_sees_only_the_cases_of_the_unit(self, browser: TestClient, org: None, session: Session) -> None:
        mine, other = routed(session, "GDTrH"), routed(session, "GDTH")
        login(browser, "handler")
        page = browser.get("/staff/cases")
        assert mine.reference in page.text and other.reference not in page.text

    def test_bad_filters_are_ignored_with_a_message(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        page = browser.get("/staff/cases", params={"status": "bogus", "received_from": "hôm qua"})
        assert page.status_code == 200
        assert "Một số bộ lọc không hợp lệ đã được bỏ qua." in page.text

    def test_an_unknown_unit_is_a_message(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        page = browser.get("/staff/cases", params={"unit": "NOPE"})
        assert page.status_code == 422
        assert "Không có đơn vị mã NOPE." in page.text


# --- intake -------------------------------------------------------------------------------------------------


class TestIntake:
    def test_the_form(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        page = browser.get("/staff/cases/new")
        assert page.status_code == 200
        for name in (
            "source_kind",
            "outlet",
            "reporter_name",
            "reporter_contact",
            "source_url",
            "title",
            "topic",
            "severity",
            "legal_trigger",
            "received_at",
            "occurred_at",
            "impact_determined_at",
            "lead_unit",
            "supporting_units",
            "tags",
            "summary",
            "source_published_at",
        ):
            assert f'name="{name}"' in page.text, name
        # Date-times are text fields typed dd/mm/yyyy HH:MM (24-hour), whatever the browser's language.
        assert 'type="datetime-local"' not in page.text and 'placeholder="dd/mm/yyyy HH:MM"' in page.text
        assert 'value="27/11/2026 09:00"' in page.text  # now, local time

    def test_logs_a_case_and_shows_it(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        response = post_form(browser, "/staff/cases/new", "/staff/cases", INTAKE)
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/cases/VV-2026-00001?done=created"
        page = browser.get(response.headers["location"])
        assert "Đã tiếp nhận vụ việc." in page.text
        assert "Học sinh bị bạo lực tại trường THCS" in page.text
        assert "27/11/2026 08:30" in page.text  # received, local time
        assert "26/11/2026 16:00" in page.text
        assert "Phòng Giáo dục Trung học" in page.text and "Phòng Giáo dục Tiểu học" in page.text
        assert "Tiếp nhận vụ việc" in page.text  # the first event
        api = browser.get("/api/v1/cases/VV-2026-00001").json()
        assert api["received_at"] == "2026-11-27T01:30:00Z"
        assert api["tags"] == ["bạo lực", "thcs"]
        # Choosing the lead unit at intake routes the case in the same step, with one event.
        assert api["status"] == "assigned" and api["lead_unit"]["code"] == "GDTrH"
        events = browser.get("/api/v1/cases/VV-2026-00001/events").json()["items"]
        assert [(e["kind"], e["to_status"], (e["data"] or {}).get("lead_unit")) for e in events] == [
            ("created", "assigned", "GDTrH")
        ]

    def test_times_typed_as_day_month_year(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        data = {**INTAKE, "received_at": "27/11/2026 08:30", "occurred_at": "26/11/2026 16:00"}
        response = post_form(browser, "/staff/cases/new", "/staff/cases", data)
        assert response.status_code == 303, response.text
        api = browser.get("/api/v1/cases/VV-2026-00001").json()
        assert api["received_at"] == "2026-11-27T01:30:00Z" and api["occurred_at"] == "2026-11-26T09:00:00Z"

    def test_errors_are_shown_beside_the_fields(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        data = {**INTAKE, "title": "", "source_url": "thanhnien.vn/bai", "occurred_at": "hôm qua"}
        response = post_form(browser, "/staff/cases/new", "/staff/cases", data)
        assert response.status_code == 422
        assert field_error(response.text, "title") == "Trường này là bắt buộc."
        assert "http://" in field_error(response.text, "source_url")
        assert "Thời điểm không hợp lệ" in field_error(response.text, "occurred_at")
        assert 'aria-invalid="true"' in response.text
        assert 'value="Báo Thanh Niên"' in response.text  # what was typed is kept
        assert browser.get("/api/v1/cases").json()["items"] == []

    def test_a_service_error_is_shown_beside_its_field_and_nothing_is_saved(
        self, browser: TestClient, org: None
    ) -> None:
        login(browser, "office")
        response = post_form(browser, "/staff/cases/new", "/staff/cases", {**INTAKE, "related": "VV-2026-09999"})
        assert response.status_code == 422
        assert field_error(response.text, "related") == "Không tìm thấy vụ việc VV-2026-09999."
        future = post_form(browser, "/staff/cases/new", "/staff/cases", {**INTAKE, "received_at": "2026-12-30T08:00"})
        assert field_error(future.text, "received_at") == "Thời điểm tiếp nhận không thể ở tương lai."
        ok = post_form(browser, "/staff/cases/new", "/staff/cases", INTAKE)
        assert ok.headers["location"].startswith("/staff/cases/VV-2026-00001")  # no number was used up

    def test_without_the_csrf_token_it_is_refused(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        response = browser.post("/staff/cases", data=INTAKE, follow_redirects=False)
        assert response.status_code == 403
        assert "CSRF" in response.text
        assert browser.get("/api/v1/cases").json()["items"] == []

    def test_a_handler_may_not_log_cases(self, browser: TestClient, org: None) -> None:
        login(browser, "handler")
        page = browser.get("/staff/cases/new")
        assert page.status_code == 403
        assert "Không được phép" in page.text
        assert "/staff/cases/new" not in browser.get("/staff/").text  # not in the menu either


# --- the case page ------------------------------------------------------------------------------------------


def actions_on(html: str) -> set[str]:
    return set(re.findall(r'name="action" value="([a-z_]+)"', html))


class TestCasePage:
    def test_shows_the_case_and_only_the_allowed_actions(
        self, browser: TestClient, org: None, session: Session
    ) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, outlet="Báo Tuổi Trẻ", tags=["tuyen-sinh"])
        login(browser, "office")
        page = browser.get(f"/staff/cases/{case.reference}")
        assert page.status_code == 200
        assert case.title in page.text and "Báo Tuổi Trẻ" in page.text and "tuyen-sinh" in page.text
        assert actions_on(page.text) == {"assign", "close"}
        assert f"/staff/cases/{case.reference}/edit" in page.text

    def test_the_handler_may_only_accept_a_routed_case(self, browser: TestClient, org: None, session: Session) -> None:
        case = routed(session)
        login(browser, "handler")
        page = browser.get(f"/staff/cases/{case.reference}")
        assert actions_on(page.text) == {"accept"}
        assert "/edit" not in page.text

    def test_another_units_case_is_the_404_page(self, browser: TestClient, org: None, session: Session) -> None:
        case = routed(session, "GDTH")
        login(browser, "handler")
        page = browser.get(f"/staff/cases/{case.reference}")
        assert page.status_code == 404
        assert "<html" in page.text and "Không tìm thấy" in page.text
        assert f"Không tìm thấy vụ việc {case.reference}." in page.text
        assert case.title not in page.text
        for path in ("/edit", "/transitions", "/notes"):
            method = browser.get if path == "/edit" else browser.post
            assert method(f"/staff/cases/{case.reference}{path}").status_code in (403, 404)

    def test_an_unknown_case_is_the_404_page(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        page = browser.get("/staff/cases/VV-2026-99999")
        assert page.status_code == 404 and "Không tìm thấy" in page.text

    def test_route_accept_hold_resume_close_reopen(self, browser: TestClient, org: None, session: Session) -> None:
        case = make_case(session, by="office", now=FIXED_NOW)
        ref = case.reference
        login(browser, "office")
        response = transition(
            browser,
            case,
            "assign",
            lead_unit="GDTrH",
            supporting_units_shown="1",
            supporting_units=["GDTH"],
            expected_status="new",
            note="Giao Phòng Trung học",
        )
        assert response.status_code == 303  # type: ignore[attr-defined]
        page = browser.get(f"/staff/cases/{ref}?done=assign")
        assert "Đã thực hiện: Chuyển đơn vị xử lý." in page.text
        assert "Mới tiếp nhận → Đã chuyển đơn vị" in page.text and "Giao Phòng Trung học" in page.text

        login(browser, "handler")
        assert transition(browser, case, "accept", expected_status="assigned").status_code == 303  # type: ignore[attr-defined]
        page = browser.get(f"/staff/cases/{ref}")
        assert "Đã chuyển đơn vị → Đang xử lý" in page.text
        assert "Trần Minh Quân" in page.text  # the accepting handler is the assignee
        timeline = page.text.split('id="timeline"')[1]
        assert 'Người xử lý: <span translate="no">Trần Minh Quân</span>' in timeline  # a name, not a username
        assert actions_on(page.text) == {"hold"}
        assert transition(browser, case, "hold", note="Chờ kết luận của Thanh tra").status_code == 303  # type: ignore[attr-defined]
        assert transition(browser, case, "resume").status_code == 303  # type: ignore[attr-defined]

        login(browser, "office")
        assert transition(browser, case, "close", reason="transferred", note="Chuyển UBND").status_code == 303  # type: ignore[attr-defined]
        page = browser.get(f"/staff/cases/{ref}")
        assert "Đã đóng" in page.text and "Chuyển cơ quan khác" in page.text
        assert transition(browser, case, "reopen").status_code == 303  # type: ignore[attr-defined]
        events = browser.get(f"/api/v1/cases/{ref}/events").json()["items"]
        assert [e["action"] for e in events if e["kind"] == "transition"] == [
            "assign",
            "accept",
            "hold",
            "resume",
            "close",
            "reopen",
        ]

    def test_close_needs_an_explanation_beside_the_field(
        self, browser: TestClient, org: None, session: Session
    ) -> None:
        case = make_case(session, by="office", now=FIXED_NOW)
        login(browser, "office")
        response = transition(browser, case, "close", reason="no_action", note="")
        assert response.status_code == 422  # type: ignore[attr-defined]
        html = response.text  # type: ignore[attr-defined]
        assert field_error(html, "close-note") == "Cần ghi rõ lý do đóng vụ việc."
        assert '<details class="action action-close" open>' in html
        assert browser.get(f"/api/v1/cases/{case.reference}").json()["status"] == "new"

    def test_assign_needs_a_unit(self, browser: TestClient, org: None, session: Session) -> None:
        case = make_case(session, by="office", now=FIXED_NOW)
        login(browser, "office")
        response = transition(browser, case, "assign", supporting_units_shown="1")
        assert response.status_code == 422  # type: ignore[attr-defined]
        assert field_error(response.text, "assign-lead_unit") == "Cần chọn đơn vị chủ trì xử lý."  # type: ignore[attr-defined]

    def test_an_action_someone_else_made_impossible_is_a_clear_message(
        self, browser: TestClient, org: None, session: Session
    ) -> None:
        case = routed(session)
        login(browser, "handler")
        page = browser.get(f"/staff/cases/{case.reference}")  # the form says: expected "assigned"
        token = csrf_of(page)
        # Meanwhile the unit head accepts the case.
        cases.transition_case(session, actor=actor(session, "head"), case=case, action=Action.ACCEPT, now=FIXED_NOW)
        response = browser.post(
            f"/staff/cases/{case.reference}/transitions",
            data={"csrf_token": token, "action": "accept", "expected_status": "assigned"},
            follow_redirects=False,
        )
        assert response.status_code == 409
        assert "Không thực hiện được thao tác: Vụ việc vừa được người khác cập nhật" in response.text
        assert "(trạng thái hiện tại: Đang xử lý)" in response.text
        assert 'id="timeline"' in response.text  # the case page, not an error page
        assert actions_on(response.text) == {"hold"}  # what is possible now

    def test_an_edge_that_is_not_allowed_is_a_message(self, browser: TestClient, org: None, session: Session) -> None:
        case = make_case(session, by="office", now=FIXED_NOW)
        login(browser, "office")
        response = transition(browser, case, "reopen")
        assert response.status_code == 409  # type: ignore[attr-defined]
        assert "Không thể «Mở lại» khi vụ việc đang ở trạng thái «Mới tiếp nhận»." in response.text  # type: ignore[attr-defined]

    def test_a_transition_without_the_csrf_token_is_refused(
        self, browser: TestClient, org: None, session: Session
    ) -> None:
        case = make_case(session, by="office", now=FIXED_NOW)
        login(browser, "office")
        response = browser.post(
            f"/staff/cases/{case.reference}/transitions",
            data={"action": "assign", "lead_unit": "GDTrH"},
            follow_redirects=False,
        )
        assert response.status_code == 403
        wrong = browser.post(
            f"/staff/cases/{case.reference}/transitions",
            data={"action": "assign", "lead_unit": "GDTrH", "csrf_token": "forged"},
        )
        assert wrong.status_code == 403
        assert browser.get(f"/api/v1/cases/{case.reference}").json()["status"] == "new"

    def test_notes(self, browser: TestClient, org: None, session: Session) -> None:
        case = accepted(session)
        login(browser, "handler")
        url = f"/staff/cases/{case.reference}"
        response = post_form(browser, url, f"{url}/notes", {"text": "Đã liên hệ hiệu trưởng."})
        assert response.status_code == 303
        page = browser.get(response.headers["location"])
        assert "Đã thêm ghi chú." in page.text and "Đã liên hệ hiệu trưởng." in page.text
        assert "Ghi chú nội bộ" in page.text
        empty = post_form(browser, url, f"{url}/notes", {"text": "   "})
        assert empty.status_code == 422
        assert field_error(empty.text, "note-text") == "Không được để trống."


# --- edit ---------------------------------------------------------------------------------------------------


class TestEdit:
    def test_only_the_fields_the_user_may_change(self, browser: TestClient, org: None, session: Session) -> None:
        case = make_case(session, by="office", now=FIXED_NOW)
        login(browser, "office")
        page = browser.get(f"/staff/cases/{case.reference}/edit")
        assert page.status_code == 200
        assert 'name="title"' in page.text and 'name="lead_unit"' in page.text
        assert 'name="severity"' not in page.text  # the spokesperson sets severity
        login(browser, "spokesperson")
        assert 'name="severity"' in browser.get(f"/staff/cases/{case.reference}/edit").text

    def test_a_routed_case_keeps_its_lead_unit_out_of_the_form(
        self, browser: TestClient, org: None, session: Session
    ) -> None:
        case = routed(session)
        login(browser, "office")
        page = browser.get(f"/staff/cases/{case.reference}/edit")
        assert 'name="lead_unit"' not in page.text and 'name="supporting_units"' in page.text

    def test_a_handler_may_not_edit(self, browser: TestClient, org: None, session: Session) -> None:
        case = routed(session)
        login(browser, "handler")
        assert browser.get(f"/staff/cases/{case.reference}/edit").status_code == 403

    def test_saves_what_changed(self, browser: TestClient, org: None, session: Session) -> None:
        case = make_case(session, by="office", now=FIXED_NOW - timedelta(hours=1), title="Tiêu đề cũ")
        login(browser, "spokesperson")
        url = f"/staff/cases/{case.reference}/edit"
        page = browser.get(url)
        form = dict(re.findall(r'name="(title|source_kind|topic|severity|received_at)"[^>]*value="([^"]*)"', page.text))
        form.update(title="Tiêu đề mới", source_kind="press_article", topic="other", severity="hot", tags="nong")
        response = browser.post(url, data={"csrf_token": csrf_of(page), **form}, follow_redirects=False)
        assert response.status_code == 303, response.text
        shown = browser.get(response.headers["location"])
        assert "Đã lưu thay đổi." in shown.text and "Tiêu đề mới" in shown.text
        assert "Sửa thông tin" in shown.text and "Mức độ (Thông thường → Nóng)" in shown.text
        events = browser.get(f"/api/v1/cases/{case.reference}/events").json()["items"]
        changes = events[-1]["data"]["changes"]
        assert set(changes) == {"title", "severity", "tags"}

    def test_saving_an_untouched_form_records_nothing(self, browser: TestClient, org: None, session: Session) -> None:
        case = routed(session, outlet="Báo Tuổi Trẻ", tags=["a", "b"], supporting_units=["GDTH"])
        login(browser, "office")
        url = f"/staff/cases/{case.reference}/edit"
        page = browser.get(url)
        data: dict[str, object] = dict(
            re.findall(r'<input id="f-[a-z_]+" name="([a-z_]+)" [^>]*?value="([^"]*)"', page.text)
        )
        data.update(
            source_kind="press_article", topic="other", supporting_units=["GDTH"], summary="", csrf_token=csrf_of(page)
        )
        response = browser.post(url, data=data, follow_redirects=False)
        assert response.status_code == 303, response.text
        kinds = [e["kind"] for e in browser.get(f"/api/v1/cases/{case.reference}/events").json()["items"]]
        assert kinds == ["created", "transition"]

    def test_errors_beside_the_fields(self, browser: TestClient, org: None, session: Session) -> None:
        case = make_case(session, by="office", now=FIXED_NOW)
        login(browser, "office")
        url = f"/staff/cases/{case.reference}/edit"
        response = post_form(
            browser,
            url,
            url,
            {
                "title": "",
                "source_kind": "press_article",
                "topic": "other",
                "received_at": "2026-11-27T08:00",
                "source_url": "ftp://x",
            },
        )
        assert response.status_code == 422
        assert field_error(response.text, "title") == "Không được để trống."
        bad_url = post_form(
            browser,
            url,
            url,
            {
                "title": "Mới",
                "source_kind": "press_article",
                "topic": "other",
                "received_at": "2026-11-27T08:00",
                "source_url": "ftp://x",
            },
        )
        assert bad_url.status_code == 422
        assert "http://" in field_error(bad_url.text, "source_url")


@pytest.mark.parametrize("status", [CaseStatus.NEW])
def test_status_labels_are_human(browser: TestClient, org: None, session: Session, status: CaseStatus) -> None:
    make_case(session, by="office", now=FIXED_NOW)
    login(browser, "office")
    assert "Mới tiếp nhận" in browser.get("/staff/cases").text
