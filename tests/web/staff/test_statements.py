"""Statements in the browser: drafting, versions and their comparison, comments, submit, return, approve with the
checklist (offered only to a holder of spokesperson authority), publish (now or at an embargo minute), corrections,
and the notice; each form's happy path, its failure beside the field, and the races another user can cause."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.cases.models import Case
from app.notices import publication
from app.statements import queries as statement_queries
from app.statements import service as statements
from app.statements.models import Statement, StatementCreate, VersionCreate
from app.statements.rules import StatementKind, StatementStatus
from tests.conftest import FIXED_NOW, Clock
from tests.factories import actor, appoint_spokesperson, case_in_progress
from tests.web.staff.pages import csrf_of, login, post_form

CHECKED = {"no_state_secret": "1", "no_private_data": "1", "no_pending_proceedings": "1"}
TEXT = "Sở Giáo dục và Đào tạo thông tin như sau:\nNhà trường đã tổ chức họp phụ huynh.\nSự việc đang được xác minh."


@pytest.fixture
def case(session: Session, org: None) -> Case:
    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    return case_in_progress(session, now=FIXED_NOW - timedelta(hours=2), title="Phụ huynh phản ánh thu chi",
                            legal_trigger="press_request", outlet="Báo Tuổi Trẻ")  # fmt: skip


def draft(session: Session, case: Case, text: str = TEXT, kind: StatementKind = StatementKind.RESPONSE) -> Statement:
    return statements.create_statement(session, actor=actor(session, "handler"), case=case,
                                       data=StatementCreate(kind=kind, text=text), now=FIXED_NOW)  # fmt: skip


def submitted(session: Session, case: Case) -> Statement:
    statement = draft(session, case)
    statements.submit(session, actor=actor(session, "head"), statement=statement, case=case, note=None, now=FIXED_NOW)
    return statement


def page_of(statement: Statement) -> str:
    return f"/staff/statements/{statement.id}"


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="err-{re.escape(field)}">([^<]*)<', html)
    assert match, f"no error beside {field}"
    return match.group(1)


class TestDrafting:
    def test_the_case_page_lists_statements_and_offers_the_draft_form(
        self, browser: TestClient, case: Case, session: Session
    ) -> None:
        draft(session, case, kind=StatementKind.INITIAL_INFORMATION)
        login(browser, "handler")
        page = browser.get(f"/staff/cases/{case.reference}")
        assert 'id="statements"' in page.text and "Thông tin ban đầu" in page.text and "Dự thảo" in page.text
        assert 'action="/staff/cases/' + case.reference + '/statements"' in page.text
        assert '<option value="response"' in page.text  # the main response may be drafted while in progress

    def test_the_handler_drafts_a_response(self, browser: TestClient, case: Case, session: Session) -> None:
        login(browser, "handler")
        url = f"/staff/cases/{case.reference}"
        response = post_form(browser, url, f"{url}/statements", {"kind": "response", "text": "  " + TEXT + "\n"})
        assert response.status_code == 303
        assert re.match(r"/staff/statements/\d+\?done=statement_created$", response.headers["location"])
        page = browser.get(response.headers["location"])
        assert "Đã tạo dự thảo nội dung phát ngôn." in page.text and "Nhà trường đã tổ chức họp phụ huynh." in page.text
        sid = int(response.headers["location"].split("/")[3].split("?")[0])
        stored = session.get(Statement, sid)
        assert stored is not None
        assert statement_queries.version_read(session, statement=stored, number=1).text == "  " + TEXT + "\n"  # exact
        assert "Tạo dự thảo nội dung phát ngôn" in browser.get(url).text  # in the timeline

    def test_an_empty_text_is_shown_beside_the_field(self, browser: TestClient, case: Case) -> None:
        login(browser, "handler")
        url = f"/staff/cases/{case.reference}"
        response = post_form(browser, url, f"{url}/statements", {"kind": "response", "text": ""})
        assert response.status_code == 422
        assert field_error(response.text, "st-text")
        assert "action-draft" in response.text and 'class="action action-draft" open' in response.text

    def test_a_refusal_needs_its_ground(self, browser: TestClient, case: Case) -> None:
        login(browser, "handler")
        url = f"/staff/cases/{case.reference}"
        response = post_form(browser, url, f"{url}/statements", {"kind": "refusal", "text": "Từ chối."})
        assert response.status_code == 422
        assert "căn cứ pháp lý" in field_error(response.text, "st-refusal_ground")

    def test_a_second_open_response_is_refused_with_a_message(
        self, browser: TestClient, case: Case, session: Session
    ) -> None:
        login(browser, "handler")
        url = f"/staff/cases/{case.reference}"
        page = browser.get(url)
        draft(session, case)  # someone else drafted the response meanwhile
        response = browser.post(f"{url}/statements", data={"csrf_token": csrf_of(page), "kind": "response",
                                                           "text": "Bản khác"}, follow_redirects=False)  # fmt: skip
        assert response.status_code == 409
        assert "Không thực hiện được thao tác" in response.text and "đang soạn hoặc chờ duyệt" in response.text

    def test_without_the_csrf_token_it_is_refused(self, browser: TestClient, case: Case) -> None:
        login(browser, "handler")
        response = browser.post(f"/staff/cases/{case.reference}/statements", data={"kind": "response", "text": "x"})
        assert response.status_code == 403 and "CSRF" in response.text

    def test_another_units_handler_gets_the_404_page(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = draft(session, case)
        login(browser, "handler2")
        assert browser.get(page_of(statement)).status_code == 404


class TestVersionsAndComments:
    def test_add_a_version_and_compare_side_by_side(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = draft(session, case)
        login(browser, "handler")
        new_text = TEXT.replace("họp phụ huynh", "họp phụ huynh khẩn") + "\nĐề nghị báo chí đưa tin chính xác."
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/versions",
                             {"text": new_text, "title": "Trả lời phóng viên", "base_version": "1"})  # fmt: skip
        assert response.status_code == 303
        page = browser.get(page_of(statement))
        assert "phiên bản 2" in page.text and "Trả lời phóng viên" in page.text
        diff = browser.get(f"{page_of(statement)}/diff", params={"from": 1, "to": 2})
        assert diff.status_code == 200
        assert "<ins>khẩn</ins>" in diff.text or "<ins> khẩn</ins>" in diff.text
        assert "Đề nghị báo chí đưa tin chính xác." in diff.text and 'class="row-insert"' in diff.text
        assert browser.get(f"{page_of(statement)}/diff", params={"from": 1, "to": 1}).status_code == 422
        assert browser.get(f"{page_of(statement)}/diff", params={"from": 1, "to": 9}).status_code == 404

    def test_an_unchanged_version_is_refused_beside_the_text(
        self, browser: TestClient, case: Case, session: Session
    ) -> None:
        statement = draft(session, case)
        login(browser, "handler")
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/versions",
                             {"text": TEXT, "base_version": "1"})  # fmt: skip
        assert response.status_code == 422
        assert "không có thay đổi" in field_error(response.text, "v-text")

    def test_a_version_written_over_a_newer_one_is_a_clear_message(
        self, browser: TestClient, case: Case, session: Session
    ) -> None:
        statement = draft(session, case)
        login(browser, "handler")
        page = browser.get(page_of(statement))
        statements.add_version(session, actor=actor(session, "head"), statement=statement, case=case,
                               data=VersionCreate(text="Bản của trưởng phòng"), now=FIXED_NOW)  # fmt: skip
        response = browser.post(f"{page_of(statement)}/versions", data={"csrf_token": csrf_of(page), "text": "Bản tôi",
                                                                        "base_version": "1"})  # fmt: skip
        assert response.status_code == 409
        assert "Không thực hiện được thao tác" in response.text and "phiên bản 2" in response.text

    def test_comments(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = draft(session, case)
        login(browser, "head")
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/comments",
                             {"text": "Bổ sung số liệu thu chi.", "version": "1"})  # fmt: skip
        assert response.status_code == 303
        assert "Bổ sung số liệu thu chi." in browser.get(page_of(statement)).text
        empty = post_form(browser, page_of(statement), f"{page_of(statement)}/comments", {"text": ""})
        assert empty.status_code == 422 and field_error(empty.text, "comment-text")


class TestApprovalPath:
    def test_the_head_submits(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = draft(session, case)
        login(browser, "handler")
        assert 'id="submit"' not in browser.get(page_of(statement)).text  # a handler drafts, the head submits
        login(browser, "head")
        page = browser.get(page_of(statement))
        assert 'id="submit"' in page.text
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/submit",
                             {"note": "Kính trình", "expected_status": "draft"})  # fmt: skip
        assert response.status_code == 303
        page = browser.get(page_of(statement))
        assert "Đã trình duyệt" in page.text and 'id="submit"' not in page.text
        assert "Chờ duyệt" in browser.get(f"/staff/cases/{case.reference}").text

    def test_submitting_what_someone_else_already_submitted_is_a_clear_message(
        self, browser: TestClient, case: Case, session: Session
    ) -> None:
        statement = draft(session, case)
        login(browser, "head")
        page = browser.get(page_of(statement))
        statements.submit(session, actor=actor(session, "office"), statement=statement, case=case, note=None,
                          now=FIXED_NOW)  # fmt: skip
        response = browser.post(f"{page_of(statement)}/submit",
                                data={"csrf_token": csrf_of(page), "expected_status": "draft"})  # fmt: skip
        assert response.status_code == 409
        assert "Không thực hiện được thao tác" in response.text and "Đã trình duyệt" in response.text
        assert "<h1>Không thực hiện được</h1>" not in response.text  # the statement page, not an error page

    def test_the_approve_form_is_offered_only_to_a_holder_of_authority(
        self, browser: TestClient, case: Case, session: Session
    ) -> None:
        statement = submitted(session, case)
        for username in ("handler", "head", "office"):
            login(browser, username)
            assert 'id="approve"' not in browser.get(page_of(statement)).text, username
        login(browser, "spokesperson")
        page = browser.get(page_of(statement))
        assert 'id="approve"' in page.text and 'id="return"' in page.text
        assert "Không có bí mật nhà nước." in page.text and "Người phát ngôn thường xuyên" in page.text
        login(browser, "director")
        assert 'id="approve"' in browser.get(page_of(statement)).text

    def test_an_approval_posted_by_a_handler_is_refused(
        self, browser: TestClient, case: Case, session: Session
    ) -> None:
        statement = submitted(session, case)
        login(browser, "handler")
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/approve",
                             {**CHECKED, "version": "1", "expected_status": "submitted"})  # fmt: skip
        assert response.status_code == 403
        assert "thẩm quyền phát ngôn" in response.text
        session.refresh(statement)
        assert statement.status == StatementStatus.SUBMITTED

    def test_approve_with_the_checklist(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = submitted(session, case)
        login(browser, "spokesperson")
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/approve",
                             {**CHECKED, "version": "1", "expected_status": "submitted"})  # fmt: skip
        assert response.status_code == 303
        page = browser.get(page_of(statement))
        assert "Đã duyệt phiên bản 1" in page.text and "Võ Thanh Bình" in page.text
        assert "Nghị định 244/2026/NĐ-CP, Điều 3 khoản 2 điểm b" in page.text
        timeline = browser.get(f"/staff/cases/{case.reference}").text
        assert "Duyệt nội dung phát ngôn" in timeline and "Chờ duyệt → Đã duyệt" in timeline

    def test_an_unconfirmed_checklist_item_is_shown_beside_it(
        self, browser: TestClient, case: Case, session: Session
    ) -> None:
        statement = submitted(session, case)
        login(browser, "spokesperson")
        data = {**CHECKED, "version": "1", "expected_status": "submitted"}
        del data["no_private_data"]
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/approve", data)
        assert response.status_code == 422
        assert "Chưa xác nhận" in field_error(response.text, "approve-no_private_data")
        assert 'class="action action-approve" id="approve" open' in response.text

    def test_return_with_a_comment(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = submitted(session, case)
        login(browser, "spokesperson")
        empty = post_form(browser, page_of(statement), f"{page_of(statement)}/return", {"comment": ""})
        assert empty.status_code == 422 and field_error(empty.text, "return-comment")
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/return",
                             {"comment": "Cần bổ sung số liệu.", "expected_status": "submitted"})  # fmt: skip
        assert response.status_code == 303
        page = browser.get(page_of(statement))
        assert "Bị trả lại" in page.text and "Cần bổ sung số liệu." in page.text
        assert "Trả lại nội dung phát ngôn" in browser.get(f"/staff/cases/{case.reference}").text

    def test_approving_a_statement_returned_meanwhile_is_a_clear_message(
        self, browser: TestClient, case: Case, session: Session
    ) -> None:
        statement = submitted(session, case)
        login(browser, "spokesperson")
        page = browser.get(page_of(statement))
        statements.return_statement(session, actor=actor(session, "director"), statement=statement, case=case,
                                    comment="Sửa lại", now=FIXED_NOW)  # fmt: skip
        response = browser.post(f"{page_of(statement)}/approve", data={"csrf_token": csrf_of(page), **CHECKED,
                                "version": "1", "expected_status": "submitted"})  # fmt: skip
        assert response.status_code == 409
        assert "Không thực hiện được thao tác" in response.text and "Bị trả lại" in response.text
        assert 'id="approve"' not in response.text


class TestPublishing:
    def approved(self, session: Session, case: Case) -> Statement:
        statement = submitted(session, case)
        from app.statements.models import ApproveIn

        statements.approve(session, actor=actor(session, "spokesperson"), statement=statement, case=case,
                           data=ApproveIn.model_validate({"checklist": dict.fromkeys(CHECKED, True)}),
                           now=FIXED_NOW)  # fmt: skip
        return statement

    def test_publish_now(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = self.approved(session, case)
        login(browser, "spokesperson")
        assert 'id="publish"' not in browser.get(page_of(statement)).text  # the press office publishes
        login(browser, "office")
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/publish",
                             {"expected_status": "approved"})  # fmt: skip
        assert response.status_code == 303
        page = browser.get(page_of(statement))
        assert "Thông báo số" in page.text and "1/TB-SGDĐT" in page.text and "Đã công bố" in page.text
        notice = browser.get("/staff/notices/2026-tb-1")
        assert notice.status_code == 200 and "Nhà trường đã tổ chức họp phụ huynh." in notice.text
        assert "Võ Thanh Bình" in notice.text and "Báo Tuổi Trẻ" in notice.text
        case_page = browser.get(f"/staff/cases/{case.reference}").text
        assert "Thông cáo được công bố" in case_page and "Đã duyệt → Đã công bố" in case_page
        assert "1/TB-SGDĐT" in case_page

    def test_publish_at_an_embargo_minute(
        self, browser: TestClient, case: Case, session: Session, clock: Clock
    ) -> None:
        statement = self.approved(session, case)
        login(browser, "office")
        past = post_form(browser, page_of(statement), f"{page_of(statement)}/publish", {"at": "27/11/2026 08:00"})
        assert past.status_code == 422 and "tương lai" in field_error(past.text, "publish-at")
        response = post_form(browser, page_of(statement), f"{page_of(statement)}/publish",
                             {"at": "2026-11-27T15:30", "expected_status": "approved"})  # fmt: skip
        assert response.status_code == 303
        page = browser.get(page_of(statement))
        assert "Hẹn giờ, chưa công khai" in page.text and "27/11/2026 15:30" in page.text

    def test_a_correction_of_the_published_notice(self, browser: TestClient, case: Case, session: Session) -> None:
        statement = self.approved(session, case)
        publication.publish(session, actor=actor(session, "office"), statement=statement, case=case, at=None,
                           now=FIXED_NOW, issuer="SGDĐT")  # fmt: skip
        login(browser, "handler")
        page = browser.get(page_of(statement))
        assert 'id="correct"' in page.text
        data = {"kind": "correction", "corrects": "2026-tb-1", "text": "Đính chính số liệu."}
        response = post_form(browser, page_of(statement), f"/staff/cases/{case.reference}/statements", data)
        assert response.status_code == 303
        correction = browser.get(response.headers["location"])
        assert "Đính chính, thu hồi thông cáo" in correction.text and "1/TB-SGDĐT" in correction.text


def test_the_approval_queue_links_to_the_approve_form(browser: TestClient, case: Case, session: Session) -> None:
    statement = submitted(session, case)
    login(browser, "spokesperson")
    home = browser.get("/staff/").text
    queue = home.split('id="approval-queue"')[1].split("</section>")[0]
    assert case.reference in queue and f"/staff/statements/{statement.id}#approve" in queue
    assert "hạn duyệt" in queue and "còn 4 giờ" in queue  # the internal 4-hour approval target


def test_a_spokesperson_without_an_appointment_in_force_is_not_offered_the_approval(
    browser: TestClient, case: Case, session: Session
) -> None:
    from app.spokespersons import service as spokespersons
    from app.spokespersons.models import SpokespersonAppointment

    statement = submitted(session, case)
    appointment = session.exec(select(SpokespersonAppointment)).one()
    assert appointment.id is not None
    spokespersons.end_appointment(session, actor=actor(session, "director"), appointment_id=appointment.id,
                                  note=None, now=FIXED_NOW - timedelta(minutes=1))  # fmt: skip
    login(browser, "spokesperson")
    assert 'id="approve"' not in browser.get(page_of(statement)).text
    queue = browser.get("/staff/").text.split('id="approval-queue"')[1].split("</section>")[0]
    assert case.reference in queue and "Bạn chưa có thẩm quyền phát ngôn cho vụ việc này." in queue
