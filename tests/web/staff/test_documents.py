"""Documents and answer templates in the browser: the case page's upload form, list and download; a refused file
shown beside the form; the statement's public attachment; the templates admin page; "draft from template"."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from app.answer_templates import service as answer_templates
from app.answer_templates.models import TemplateCreate
from app.cases.models import Case
from app.settings import Settings
from app.statements.rules import StatementKind
from tests.attachments import samples
from tests.conftest import FIXED_NOW, make_settings
from tests.factories import appoint_spokesperson, case_in_progress
from tests.web.staff.pages import csrf_of, login, post_form


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, storage_url=f"file://{tmp_path / 'files'}")


@pytest.fixture
def case(session: Session, org: None) -> Case:
    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    return case_in_progress(session, now=FIXED_NOW - timedelta(hours=2), title="Tin đồn lộ đề thi",
                            outlet="Báo Tuổi Trẻ")  # fmt: skip


def upload(browser: TestClient, page: str, action: str, name: str, content: bytes, **data: str) -> Response:
    token = csrf_of(browser.get(page))
    return browser.post(action, data={"csrf_token": token, **data}, files={"file": (name, content)},
                        follow_redirects=False)  # fmt: skip


def test_attach_list_and_download_on_the_case_page(browser: TestClient, case: Case) -> None:
    login(browser, "handler")
    page = f"/staff/cases/{case.reference}"
    assert 'enctype="multipart/form-data"' in browser.get(page).text
    response = upload(browser, page, f"{page}/attachments", "Biên bản họp phụ huynh.pdf", samples.pdf(),
                      description="Biên bản đã ký")  # fmt: skip
    assert response.status_code == 303, response.text
    html = browser.get(page).text
    assert "Biên bản họp phụ huynh.pdf" in html and "Biên bản đã ký" in html
    assert "Đã đính kèm tệp." in browser.get(f"{page}?done=attachment").text
    link = html.split('href="/staff/attachments/')[1].split('"')[0]
    download = browser.get(f"/staff/attachments/{link}")
    assert download.status_code == 200 and download.content == samples.pdf()
    assert "Đính kèm tài liệu" in html  # the timeline's line


def test_a_refused_file_is_said_beside_the_form(browser: TestClient, case: Case) -> None:
    login(browser, "handler")
    page = f"/staff/cases/{case.reference}"
    response = upload(browser, page, f"{page}/attachments", "công văn.pdf", samples.exe())
    assert response.status_code == 415
    assert "Không nhận loại tệp này" in response.text
    assert "Chưa có tài liệu đính kèm." in response.text


def test_another_units_handler_cannot_download(browser: TestClient, case: Case) -> None:
    login(browser, "handler")
    page = f"/staff/cases/{case.reference}"
    upload(browser, page, f"{page}/attachments", "a.pdf", samples.pdf())
    link = browser.get(page).text.split('href="/staff/attachments/')[1].split('"')[0]
    browser.post("/staff/logout", data={"csrf_token": csrf_of(browser.get("/staff/"))})
    browser.cookies.clear()
    login(browser, "handler2")
    assert browser.get(f"/staff/attachments/{link}").status_code == 404


def test_a_statements_public_attachment(browser: TestClient, case: Case, session: Session) -> None:
    login(browser, "handler")
    response = post_form(browser, f"/staff/cases/{case.reference}", f"/staff/cases/{case.reference}/statements",
                         {"kind": "initial_information", "text": "Sở đang xác minh."})  # fmt: skip
    statement_page = response.headers["location"].split("?")[0]
    response = upload(browser, statement_page, f"{statement_page}/attachments", "Công văn 45.pdf", samples.pdf(),
                      public="1")  # fmt: skip
    assert response.status_code == 303, response.text
    html = browser.get(statement_page).text
    assert "Công văn 45.pdf" in html and "công bố cùng thông cáo" in html
    assert "SHA-256" in html


class TestTemplates:
    def test_the_admin_page_lists_adds_and_retires(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        assert 'href="/staff/templates"' in browser.get("/staff/").text  # in the menu
        response = post_form(browser, "/staff/templates/new", "/staff/templates",
                             {"name": "Tin đồn lộ đề", "kind": "initial_information", "topic": "",
                              "text": "Về thông tin {outlet} nêu ngày {received_date}…"})  # fmt: skip
        assert response.status_code == 303, response.text
        html = browser.get("/staff/templates").text
        assert "Tin đồn lộ đề" in html
        bad = post_form(browser, "/staff/templates/new", "/staff/templates",
                        {"name": "Sai", "kind": "response", "text": "Kính gửi {reporter}"})  # fmt: skip
        assert bad.status_code == 422 and "{reporter}" in bad.text
        template_id = re.search(r'href="/staff/templates/(\d+)"', html).group(1)  # type: ignore[union-attr]
        done = post_form(browser, "/staff/templates", f"/staff/templates/{template_id}/retire", {})
        assert done.status_code == 303
        assert "Ngừng dùng" in browser.get("/staff/templates").text

    def test_a_handler_drafts_from_a_template_on_the_case_page(self, browser: TestClient, case: Case,
                                                               session: Session) -> None:  # fmt: skip
        template = answer_templates.create_template(session, actor=None, now=FIXED_NOW, data=TemplateCreate(
            name="Thông tin ban đầu", kind=StatementKind.INITIAL_INFORMATION,
            text="{outlet} phản ánh; hồ sơ {case_reference}."))  # fmt: skip
        login(browser, "handler")
        page = f"/staff/cases/{case.reference}"
        assert "Soạn từ mẫu nội dung" in browser.get(page).text
        response = post_form(browser, page, f"{page}/statements", {"from": "template", "template_id": template.id})
        assert response.status_code == 303, response.text
        html = browser.get(response.headers["location"]).text
        assert f"Báo Tuổi Trẻ phản ánh; hồ sơ {case.reference}." in html
