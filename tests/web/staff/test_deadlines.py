"""Deadlines on the case page: clocks with their basis, due time, state and countdown; the explanation of a clock;
extend and mark met; tasks (create, answer). Each form: happy path, failure beside the field, permission, CSRF."""

from __future__ import annotations

import re
from datetime import timedelta
from importlib.metadata import version

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.cases.models import Case
from app.clocks.actions import mark_met
from app.clocks.models import Clock, ClockOrigin, ClockState
from app.tasks import service as tasks
from app.tasks.models import TaskCreate
from tests.conftest import FIXED_NOW
from tests.conftest import Clock as AppClock
from tests.factories import actor, make_case
from tests.web.staff.pages import csrf_of, login, post_form
from tests.web.staff.test_cases import accepted


def clock_of(session: Session, case: Case, origin: ClockOrigin = ClockOrigin.STATUTORY) -> Clock:
    return session.exec(select(Clock).where(Clock.case_id == case.id, Clock.origin == origin)).first()  # type: ignore[return-value]


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="err-{re.escape(field)}">([^<]*)<', html)
    assert match, f"no error beside {field}"
    return match.group(1)


def major_event(session: Session) -> Case:
    return make_case(session, by="office", now=FIXED_NOW, title="Sập mái che nhà xe", legal_trigger="major_event")


class TestClocksOnTheCasePage:
    def test_basis_due_time_state_and_countdown(self, browser: TestClient, org: None, session: Session) -> None:
        case = major_event(session)
        login(browser, "office")
        page = browser.get(f"/staff/cases/{case.reference}").text
        clocks = page.split('id="clocks"')[1].split("</section>")[0]
        assert "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 3" in clocks
        assert "28/11/2026 09:00" in clocks and "Đang chạy" in clocks
        assert 'data-due="2026-11-28T09:00:00+07:00"' in clocks and "còn 1 ngày" in clocks
        assert "Quá hạn" not in clocks
        assert f"/staff/cases/{case.reference}/clocks/" in clocks  # the explanation

    def test_an_overdue_clock_is_marked(
        self, browser: TestClient, org: None, session: Session, clock: AppClock
    ) -> None:
        case = major_event(session)
        clock.advance(hours=26)
        login(browser, "office")
        clocks = browser.get(f"/staff/cases/{case.reference}").text.split('id="clocks"')[1].split("</section>")[0]
        assert 'class="badge overdue countdown"' in clocks and ">quá hạn 2 giờ<" in clocks and "is-overdue" in clocks

    def test_internal_targets_name_their_origin(self, browser: TestClient, org: None, session: Session) -> None:
        case = accepted(session, title="Vụ việc có chỉ tiêu")
        login(browser, "handler")
        clocks = browser.get(f"/staff/cases/{case.reference}").text.split('id="clocks"')[1].split("</section>")[0]
        assert "Chỉ tiêu nội bộ của Sở" in clocks
        assert "Đơn vị cung cấp thông tin và dự thảo trong 2 ngày làm việc" in clocks

    def test_the_explanation_shows_the_days_skipped(self, browser: TestClient, org: None, session: Session) -> None:
        case = accepted(session, title="Vụ việc có chỉ tiêu")
        unit_clock = clock_of(session, case, ClockOrigin.INTERNAL)
        login(browser, "handler")
        page = browser.get(f"/staff/cases/{case.reference}/clocks/{unit_clock.id}")
        assert page.status_code == 200
        assert "Các ngày không tính:" in page.text
        assert "Thứ Bảy 28/11/2026: Ngày nghỉ cuối tuần" in page.text
        assert "Chủ nhật 29/11/2026: Ngày nghỉ cuối tuần" in page.text
        assert "ngày thứ 2" in page.text and "01/12/2026 24:00" in page.text
        assert f"phiên bản 0 · ngày lễ theo gói holidays {version('holidays')}" in page.text
        assert browser.get(f"/staff/cases/{case.reference}/clocks/999999").status_code == 404

    def test_another_units_case_clock_is_the_404_page(self, browser: TestClient, org: None, session: Session) -> None:
        case = accepted(session, "GDTH", by="handler2")
        unit_clock = clock_of(session, case, ClockOrigin.INTERNAL)
        login(browser, "handler")
        assert browser.get(f"/staff/cases/{case.reference}/clocks/{unit_clock.id}").status_code == 404


class TestExtend:
    def test_offered_to_the_spokesperson_only(self, browser: TestClient, org: None, session: Session) -> None:
        case = major_event(session)
        for username, offered in (("office", False), ("spokesperson", True), ("director", True)):
            login(browser, username)
            page = browser.get(f"/staff/cases/{case.reference}").text
            assert ("action-clock-extend" in page) is offered, username

    def test_extend_with_a_reason(self, browser: TestClient, org: None, session: Session) -> None:
        case = major_event(session)
        statutory = clock_of(session, case)
        login(browser, "spokesperson")
        url = f"/staff/cases/{case.reference}"
        response = post_form(browser, url, f"{url}/clocks/{statutory.id}/extend",
                             {"by": "12", "reason": "Chờ kết quả xác minh của công an."})  # fmt: skip
        assert response.status_code == 303 and response.headers["location"].endswith("?done=extended#clocks")
        page = browser.get(response.headers["location"]).text
        assert "Đã gia hạn thời hạn." in page and "28/11/2026 21:00" in page
        assert "Thời hạn được gia hạn" in page and "Chờ kết quả xác minh của công an." in page  # the timeline

    def test_a_reason_is_required(self, browser: TestClient, org: None, session: Session) -> None:
        case = major_event(session)
        statutory = clock_of(session, case)
        login(browser, "spokesperson")
        url = f"/staff/cases/{case.reference}"
        response = post_form(browser, url, f"{url}/clocks/{statutory.id}/extend", {"by": "0", "reason": ""})
        assert response.status_code == 422
        assert field_error(response.text, f"extend-{statutory.id}-reason")
        assert field_error(response.text, f"extend-{statutory.id}-by")

    def test_refused_to_the_press_office(self, browser: TestClient, org: None, session: Session) -> None:
        case = major_event(session)
        statutory = clock_of(session, case)
        login(browser, "office")
        url = f"/staff/cases/{case.reference}"
        response = post_form(browser, url, f"{url}/clocks/{statutory.id}/extend", {"by": "2", "reason": "Thử"})
        assert response.status_code == 403 and "Gia hạn thời hạn" in response.text
        session.refresh(statutory)
        assert statutory.extension == 0

    def test_a_clock_met_meanwhile_is_a_clear_message(self, browser: TestClient, org: None, session: Session) -> None:
        case = major_event(session)
        statutory = clock_of(session, case)
        login(browser, "spokesperson")
        url = f"/staff/cases/{case.reference}"
        page = browser.get(url)
        assert statutory.id is not None
        mark_met(session, actor=actor(session, "office"), reference=case.reference, clock_id=statutory.id,
                 note="Đã họp báo", at=None, now=FIXED_NOW, locale="vi")  # fmt: skip
        response = browser.post(f"{url}/clocks/{statutory.id}/extend",
                                data={"csrf_token": csrf_of(page), "by": "2", "reason": "Thêm giờ"})  # fmt: skip
        assert response.status_code == 409
        assert "Không thực hiện được thao tác" in response.text and "Đúng hạn" in response.text

    def test_without_the_csrf_token_it_is_refused(self, browser: TestClient, org: None, session: Session) -> None:
        case = major_event(session)
        statutory = clock_of(session, case)
        login(browser, "spokesperson")
        response = browser.post(f"/staff/cases/{case.reference}/clocks/{statutory.id}/extend",
                                data={"by": "2", "reason": "x"})  # fmt: skip
        assert response.status_code == 403 and "CSRF" in response.text


class TestMarkMet:
    def test_the_press_office_marks_a_clock_met(self, browser: TestClient, org: None, session: Session) -> None:
        case = major_event(session)
        statutory = clock_of(session, case)
        login(browser, "office")
        url = f"/staff/cases/{case.reference}"
        assert "action-clock-met" in browser.get(url).text
        response = post_form(browser, url, f"{url}/clocks/{statutory.id}/met",
                             {"note": "Đã trả lời tại họp báo.", "at": "27/11/2026 09:00"})  # fmt: skip
        assert response.status_code == 303
        session.refresh(statutory)
        assert statutory.state == ClockState.MET_ON_TIME
        page = browser.get(url).text
        assert "Ghi nhận thời hạn đã được thực hiện" in page and "Đúng hạn" in page

    def test_a_time_in_the_future_is_refused_beside_the_field(
        self, browser: TestClient, org: None, session: Session
    ) -> None:
        case = major_event(session)
        statutory = clock_of(session, case)
        login(browser, "office")
        url = f"/staff/cases/{case.reference}"
        response = post_form(browser, url, f"{url}/clocks/{statutory.id}/met",
                             {"note": "Sẽ họp báo", "at": "2026-11-28T10:00"})  # fmt: skip
        assert response.status_code == 422
        assert "tương lai" in field_error(response.text, f"met-{statutory.id}-at")

    def test_a_handler_may_not(self, browser: TestClient, org: None, session: Session) -> None:
        case = accepted(session)
        unit_clock = clock_of(session, case, ClockOrigin.INTERNAL)
        login(browser, "handler")
        url = f"/staff/cases/{case.reference}"
        assert "action-clock-met" not in browser.get(url).text
        response = post_form(browser, url, f"{url}/clocks/{unit_clock.id}/met", {"note": "x"})
        assert response.status_code == 403


class TestTasks:
    def test_the_spokesperson_requires_a_unit_to_supply_information(
        self, browser: TestClient, org: None, session: Session
    ) -> None:
        case = accepted(session, title="Cần số liệu")
        login(browser, "spokesperson")
        url = f"/staff/cases/{case.reference}"
        assert "action-task" in browser.get(url).text
        response = post_form(browser, url, f"{url}/tasks", {"unit": "GDTH", "request": "Cung cấp số liệu học sinh.",
                                                            "due_at": "30/11/2026 17:00"})  # fmt: skip
        assert response.status_code == 303 and response.headers["location"].endswith("?done=task#tasks")
        page = browser.get(url).text
        section = page.split('id="tasks"')[1].split("</section>")[0]
        assert "Phòng Giáo dục Tiểu học" in section and "Cung cấp số liệu học sinh." in section
        assert "30/11/2026 17:00" in section and "Nghị định 244/2026/NĐ-CP, Điều 4 khoản 2" in page
        assert "Giao yêu cầu cung cấp thông tin" in page  # the timeline

    def test_errors_beside_the_fields(self, browser: TestClient, org: None, session: Session) -> None:
        case = accepted(session)
        login(browser, "spokesperson")
        url = f"/staff/cases/{case.reference}"
        response = post_form(
            browser, url, f"{url}/tasks", {"unit": "GDTH", "request": "", "due_at": "2026-11-26T08:00"}
        )
        assert response.status_code == 422 and field_error(response.text, "task-request")
        response = post_form(browser, url, f"{url}/tasks", {"unit": "GDTH", "request": "Số liệu",
                                                            "due_at": "2026-11-26T08:00"})  # fmt: skip
        assert response.status_code == 422 and "tương lai" in field_error(response.text, "task-due_at")

    def test_a_member_of_the_unit_answers(self, browser: TestClient, org: None, session: Session) -> None:
        case = accepted(session, title="Cần số liệu")
        task = tasks.create_task(session, actor=actor(session, "spokesperson"), reference=case.reference,
                                 data=TaskCreate(unit="GDTH", request="Số liệu?", due_at=FIXED_NOW + timedelta(days=1)),
                                 now=FIXED_NOW)  # fmt: skip
        url = f"/staff/cases/{case.reference}"
        login(browser, "handler")  # of the lead unit, not of the task's unit
        assert "action-answer" not in browser.get(url).text
        refused = post_form(browser, url, f"{url}/tasks/{task.id}/answer", {"answer": "Không phải việc của tôi"})
        assert refused.status_code == 403 and "Chỉ thành viên" in refused.text
        login(browser, "handler2")
        home = browser.get("/staff/").text
        assert "Yêu cầu cung cấp thông tin chờ đơn vị trả lời" in home and f"#task-{task.id}" in home
        page = browser.get(url)
        assert "action-answer" in page.text
        empty = post_form(browser, url, f"{url}/tasks/{task.id}/answer", {"answer": ""})
        assert empty.status_code == 422 and field_error(empty.text, f"answer-{task.id}-answer")
        response = post_form(browser, url, f"{url}/tasks/{task.id}/answer", {"answer": "Có 1.234 học sinh."})
        assert response.status_code == 303
        section = browser.get(url).text.split('id="tasks"')[1].split("</section>")[0]
        assert "Có 1.234 học sinh." in section and "Đúng hạn" in section and "action-answer" not in section

    def test_answering_twice_is_a_clear_message(self, browser: TestClient, org: None, session: Session) -> None:
        case = accepted(session)
        task = tasks.create_task(session, actor=actor(session, "spokesperson"), reference=case.reference,
                                 data=TaskCreate(unit="GDTH", request="Số liệu?", due_at=FIXED_NOW + timedelta(days=1)),
                                 now=FIXED_NOW)  # fmt: skip
        url = f"/staff/cases/{case.reference}"
        login(browser, "handler2")
        page = browser.get(url)
        assert task.id is not None
        from app.tasks.models import TaskAnswer

        tasks.answer_task(session, actor=actor(session, "head2"), task_id=task.id, data=TaskAnswer(answer="Đã gửi"),
                          now=FIXED_NOW)  # fmt: skip
        response = browser.post(f"{url}/tasks/{task.id}/answer", data={"csrf_token": csrf_of(page), "answer": "Lần 2"})
        assert response.status_code == 409 and "Không thực hiện được thao tác" in response.text
