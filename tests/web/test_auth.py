"""Log-in by token and by browser session, CSRF, log-out, API tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.models import AuthToken
from app.auth.service import password_hasher
from app.org.models import User
from tests.conftest import FIXED_NOW, Clock
from tests.factories import PASSWORD, standard_org, token


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


def _browser_login(client: TestClient, username: str = "office", password: str = PASSWORD) -> str:
    page = client.get("/staff/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    response = client.post("/staff/login", data={"username": username, "password": password,
                                                 "csrf_token": csrf.group(1)}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303, response.text
    home = client.get("/staff/")
    session_csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert session_csrf
    return session_csrf.group(1)


class TestToken:
    def test_password_form_gives_a_bearer_token(self, client: TestClient, org: None) -> None:
        response = client.post("/api/v1/auth/token", data={"username": "office", "password": PASSWORD})
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "bearer" and len(body["access_token"]) > 20
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.json()["username"] == "office"
        assert me.json()["roles"] == [{"role": "press_officer", "unit": "VP"}]

    @pytest.mark.parametrize(("username", "password"), [("office", "wrong-password"), ("nobody", PASSWORD)])
    def test_wrong_credentials(self, client: TestClient, org: None, username: str, password: str) -> None:
        response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
        assert response.status_code == 401
        assert response.json()["detail"] == "Tên đăng nhập hoặc mật khẩu không đúng."

    def test_missing_form_fields(self, client: TestClient, org: None) -> None:
        response = client.post("/api/v1/auth/token", data={"username": "office"})
        assert response.status_code == 422
        assert "password" in response.json()["detail"]

    def test_token_expires(self, client: TestClient, org: None, clock: Clock) -> None:
        headers = token(client, "office")
        clock.advance(hours=13)
        assert client.get("/api/v1/me", headers=headers).status_code == 401

    def test_logout_revokes(self, client: TestClient, org: None) -> None:
        headers = token(client, "office")
        assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
        assert client.get("/api/v1/me", headers=headers).status_code == 401

    def test_garbage_bearer(self, client: TestClient, org: None) -> None:
        for value in ("Bearer x", "Bearer " + "a" * 5000, "Basic abc", "Bearer"):
            assert client.get("/api/v1/me", headers={"Authorization": value}).status_code == 401

    def test_an_inactive_user_cannot_log_in(self, client: TestClient, org: None) -> None:
        admin = token(client, "admin")
        assert client.patch("/api/v1/users/handler", json={"active": False}, headers=admin).status_code == 200
        response = client.post("/api/v1/auth/token", data={"username": "handler", "password": PASSWORD})
        assert response.status_code == 401


class TestDemoPassword:
    def test_refused_outside_development(self, client: TestClient, session: Session, org: None) -> None:
        user = session.exec(select(User).where(User.username == "handler")).one()
        user.password_hash = password_hasher(1, 1024).hash("demo")  # as `crisisdesk demo` sets it
        session.add(user)
        session.flush()
        response = client.post("/api/v1/auth/token", data={"username": "handler", "password": "demo"})
        assert response.status_code == 401
        assert "demo" in response.json()["detail"]


class TestBrowserSession:
    def test_cookie_is_secure_httponly_samesite(self, client: TestClient, org: None) -> None:
        page = client.get("/staff/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        response = client.post("/staff/login", data={"username": "office", "password": PASSWORD,
                                                     "csrf_token": csrf.group(1)}, follow_redirects=False)  # fmt: skip
        cookie = [h for h in response.headers.get_list("set-cookie") if h.startswith("crisisdesk_session=")][0]
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie

    def test_login_without_csrf_is_refused(self, client: TestClient, org: None) -> None:
        client.get("/staff/login")
        response = client.post("/staff/login", data={"username": "office", "password": PASSWORD},
                               follow_redirects=False)  # fmt: skip
        assert response.status_code == 403

    def test_wrong_password_shows_the_form_again(self, client: TestClient, org: None) -> None:
        page = client.get("/staff/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        response = client.post("/staff/login", data={"username": "office", "password": "nope",
                                                     "csrf_token": csrf.group(1)})  # fmt: skip
        assert response.status_code == 401
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text

    def test_the_session_cookie_works_on_the_api_and_writes_need_csrf(self, client: TestClient, org: None) -> None:
        csrf = _browser_login(client)
        assert client.get("/api/v1/me").json()["username"] == "office"
        body = {"title": "Thử", "source_kind": "public_feedback"}
        assert client.post("/api/v1/cases", json=body).status_code == 403
        assert client.post("/api/v1/cases", json=body, headers={"X-CSRF-Token": "wrong"}).status_code == 403
        assert client.post("/api/v1/cases", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201

    def test_logout_ends_the_session(self, client: TestClient, org: None) -> None:
        csrf = _browser_login(client)
        response = client.post("/staff/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == 303
        assert client.get("/api/v1/me").status_code == 401

    def test_open_redirect_is_refused(self, client: TestClient, org: None) -> None:
        page = client.get("/staff/login?next=https://evil.example/")
        assert 'name="next" value="/staff/"' in page.text

    def test_session_expires(self, client: TestClient, org: None, clock: Clock) -> None:
        _browser_login(client)
        clock.advance(hours=12, minutes=1)
        assert client.get("/api/v1/me").status_code == 401


class TestApiTokens:
    def test_issue_use_and_revoke(self, client: TestClient, org: None, clock: Clock) -> None:
        admin = token(client, "admin")
        issued = client.post("/api/v1/api-tokens", json={"username": "office", "name": "Tích hợp cổng TTĐT"},
                             headers=admin)  # fmt: skip
        assert issued.status_code == 201, issued.text
        raw = issued.json()["token"]
        integration = {"Authorization": f"Bearer {raw}"}
        clock.advance(days=90)  # long-lived
        assert client.get("/api/v1/cases", headers=integration).status_code == 200
        listed = client.get("/api/v1/api-tokens", headers=token(client, "admin")).json()
        assert [t["name"] for t in listed] == ["Tích hợp cổng TTĐT"]
        assert "token" not in listed[0]
        revoked = client.delete(f"/api/v1/api-tokens/{issued.json()['id']}", headers=token(client, "admin"))
        assert revoked.json()["revoked_at"] is not None
        assert client.get("/api/v1/cases", headers=integration).status_code == 401

    def test_only_admins_issue_tokens(self, client: TestClient, org: None) -> None:
        response = client.post("/api/v1/api-tokens", json={"username": "office", "name": "x"},
                               headers=token(client, "office"))  # fmt: skip
        assert response.status_code == 403

    def test_the_token_is_stored_hashed(self, client: TestClient, session: Session, org: None) -> None:
        raw = client.post("/api/v1/api-tokens", json={"username": "office", "name": "x"},
                          headers=token(client, "admin")).json()["token"]  # fmt: skip
        hashes = session.exec(select(AuthToken.token_hash)).all()
        assert raw not in hashes
        assert all(len(h) == 64 for h in hashes)

    def test_expiry_in_the_past_is_refused(self, client: TestClient, org: None) -> None:
        past = (FIXED_NOW - timedelta(days=1)).isoformat()
        response = client.post("/api/v1/api-tokens", json={"username": "office", "name": "x", "expires_at": past},
                               headers=token(client, "admin"))  # fmt: skip
        assert response.status_code == 422
