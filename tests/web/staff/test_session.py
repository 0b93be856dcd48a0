"""Log-in, log-out, session expiry, CSRF and the language switch of the staff pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.org.models import User
from tests.conftest import Clock
from tests.factories import PASSWORD
from tests.web.staff.pages import csrf_of, login


class TestLogin:
    def test_the_form_has_the_contract_fields(self, browser: TestClient, org: None) -> None:
        page = browser.get("/staff/login")
        assert page.status_code == 200
        for field in ('name="username"', 'name="password"', 'name="csrf_token"'):
            assert field in page.text
        assert 'lang="vi"' in page.text and "Đăng nhập" in page.text

    def test_logs_in_and_goes_to_next(self, browser: TestClient, org: None) -> None:
        response = login(browser, "office", next_url="/staff/cases")
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/cases"
        cookie = response.headers["set-cookie"]
        assert "crisisdesk_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" in cookie
        assert browser.get("/staff/cases").status_code == 200

    def test_a_wrong_password_shows_the_form_again(self, browser: TestClient, org: None) -> None:
        response = login(browser, "office", password="wrong-password")
        assert response.status_code == 401
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text

    def test_without_the_login_csrf_token_it_is_refused(self, browser: TestClient, org: None) -> None:
        response = browser.post(
            "/staff/login", data={"username": "office", "password": PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 403
        assert "crisisdesk_session" not in response.headers.get("set-cookie", "")

    def test_next_never_leaves_the_site(self, browser: TestClient, org: None) -> None:
        for target in ("https://evil.example/", "//evil.example/staff", "/api/v1/me", "/staff\\@evil"):
            response = login(browser, "office", next_url=target)
            assert response.headers["location"] == "/staff/", target

    def test_the_users_own_language_applies_without_a_switch(
        self, browser: TestClient, org: None, session: Session
    ) -> None:
        user = session.exec(select(User).where(User.username == "office")).one()
        user.locale = "en"
        session.add(user)
        session.flush()
        login(browser, "office")
        assert "Log out" in browser.get("/staff/").text  # no switch used in this browser: the user's language
        browser.get("/staff/lang/vi")
        assert "Đăng xuất" in browser.get("/staff/").text  # the switch wins


class TestSignedOut:
    def test_a_staff_page_sends_to_the_login_form_with_next(self, browser: TestClient, org: None) -> None:
        response = browser.get("/staff/cases?status=new", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/login?next=%2Fstaff%2Fcases%3Fstatus%3Dnew"
        assert 'value="/staff/cases?status=new"' in browser.get(response.headers["location"]).text

    def test_the_home_page_too(self, browser: TestClient, org: None) -> None:
        response = browser.get("/staff/", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/staff/login?next=%2Fstaff%2F")

    def test_an_expired_session_says_so(self, browser: TestClient, org: None, clock: Clock) -> None:
        login(browser, "office")
        clock.advance(hours=13)  # the session lives 12 hours
        response = browser.get("/staff/cases", follow_redirects=False)
        assert response.status_code == 303
        assert "expired=1" in response.headers["location"]
        page = browser.get(response.headers["location"])
        assert "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại." in page.text

    def test_logout_ends_the_session(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        home = browser.get("/staff/")
        response = browser.post("/staff/logout", data={"csrf_token": csrf_of(home)}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/login?done=logout"
        assert "Bạn đã đăng xuất." in browser.get("/staff/login?done=logout").text
        assert browser.get("/staff/", follow_redirects=False).status_code == 303

    def test_logout_without_the_csrf_token_is_refused(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        response = browser.post("/staff/logout", data={}, follow_redirects=False)
        assert response.status_code == 403
        assert "thiếu mã CSRF" in response.text
        assert "<html" in response.text  # the staff error page, not JSON
        assert browser.get("/staff/").status_code == 200  # still logged in


class TestLanguageSwitch:
    def test_switching_to_english_and_back(self, browser: TestClient, org: None) -> None:
        login(browser, "office")
        response = browser.get("/staff/lang/en", params={"next": "/staff/cases?q=x"}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/cases?q=x"
        assert "lang=en" in response.headers["set-cookie"]
        page = browser.get("/staff/cases")
        assert '<html lang="en">' in page.text and "Case list" in page.text
        browser.get("/staff/lang/vi")
        assert "Danh sách vụ việc" in browser.get("/staff/cases").text

    def test_the_login_page_follows_the_switch(self, browser: TestClient, org: None) -> None:
        browser.get("/staff/lang/en")
        assert "Log in" in browser.get("/staff/login").text

    def test_an_unknown_language_is_ignored(self, browser: TestClient, org: None) -> None:
        response = browser.get("/staff/lang/fr", follow_redirects=False)
        assert "set-cookie" not in response.headers
