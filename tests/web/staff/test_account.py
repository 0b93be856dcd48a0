"""My settings: own language and password."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import PASSWORD
from tests.web.staff.pages import login, post_form
from tests.web.staff.test_cases import field_error


def test_the_page(browser: TestClient, org: None) -> None:
    login(browser, "handler")
    page = browser.get("/staff/settings")
    assert page.status_code == 200
    assert "Ngôn ngữ giao diện" in page.text and "Đổi mật khẩu" in page.text


def test_choosing_english_applies_now_and_in_another_browser(browser: TestClient, org: None) -> None:
    login(browser, "handler")
    response = post_form(browser, "/staff/settings", "/staff/settings", {"locale": "en"})
    assert response.status_code == 303
    assert "lang=en" in response.headers["set-cookie"]
    assert "Settings saved." in browser.get(response.headers["location"]).text
    browser.cookies.clear()
    login(browser, "handler")
    assert "My settings" in browser.get("/staff/").text


def test_change_password(browser: TestClient, org: None) -> None:
    login(browser, "handler")
    wrong = post_form(
        browser,
        "/staff/settings",
        "/staff/settings/password",
        {"current_password": "sai", "new_password": "mat-khau-moi", "new_password_confirm": "mat-khau-moi"},
    )
    assert wrong.status_code == 422
    assert field_error(wrong.text, "current_password") == "Mật khẩu hiện tại không đúng."
    short = post_form(
        browser,
        "/staff/settings",
        "/staff/settings/password",
        {"current_password": PASSWORD, "new_password": "ngan", "new_password_confirm": "ngan"},
    )
    assert field_error(short.text, "new_password") == "Cần ít nhất 8 ký tự."
    mismatch = post_form(
        browser,
        "/staff/settings",
        "/staff/settings/password",
        {"current_password": PASSWORD, "new_password": "mat-khau-moi", "new_password_confirm": "x"},
    )
    assert field_error(mismatch.text, "new_password_confirm") == "Hai lần nhập mật khẩu không khớp."
    ok = post_form(
        browser,
        "/staff/settings",
        "/staff/settings/password",
        {"current_password": PASSWORD, "new_password": "mat-khau-moi", "new_password_confirm": "mat-khau-moi"},
    )
    assert ok.status_code == 303
    assert login(browser, "handler", "mat-khau-moi").status_code == 303
