"""Log-in throttling per account and per client, the audit log of failures, and what ends tokens (issue 16)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW, Clock
from tests.factories import PASSWORD, standard_org, token


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


def _api_login(client: TestClient, username: str, password: str, client_ip: str | None = None) -> int:
    headers = {"X-Forwarded-For": client_ip} if client_ip else {}
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password}, headers=headers)
    return response.status_code


def _fail_until_locked(client: TestClient, clock: Clock, username: str) -> list[int]:
    """Wrong passwords, waiting each time as told, until the 10th failure locks the account: the waits."""
    waits, failures = [], 0
    while failures < 10:
        response = client.post("/api/v1/auth/token", data={"username": username, "password": "wrong-password"})
        if response.status_code == 401:
            failures += 1
            continue
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        clock.advance(seconds=waits[-1])
    return waits


class TestThrottle:
    def test_twenty_wrong_passwords_are_throttled_and_then_even_the_right_one_waits(
        self, client: TestClient, org: None, clock: Clock
    ) -> None:
        codes = []
        for _ in range(20):
            codes.append(_api_login(client, "spokesperson", "wrong-password"))
            clock.advance(seconds=0.5)
        assert codes[:3] == [401, 401, 401]
        assert 429 in codes
        refused = client.post("/api/v1/auth/token", data={"username": "spokesperson", "password": PASSWORD})
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["error"] == "RateLimited"
        assert "Quá nhiều lần đăng nhập sai" in refused.json()["detail"]

    def test_the_delay_grows_then_the_account_locks_for_a_quarter_hour(
        self, client: TestClient, org: None, clock: Clock
    ) -> None:
        waits = _fail_until_locked(client, clock, "office")
        assert waits == [1, 2, 4, 8, 16, 32, 64]  # after the 3 free failures; the 10th locks
        locked = client.post("/api/v1/auth/token", data={"username": "office", "password": PASSWORD},
                             headers={"Accept-Language": "en"})  # fmt: skip
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 14 * 60
        assert "Too many failed log-ins" in locked.json()["detail"]
        clock.advance(minutes=16)
        assert _api_login(client, "office", PASSWORD) == 200

    def test_an_admin_reads_the_failures_and_lifts_the_lock(self, client: TestClient, org: None, clock: Clock) -> None:
        admin, office = token(client, "admin"), token(client, "office")
        _fail_until_locked(client, clock, "spokesperson")
        assert _api_login(client, "spokesperson", PASSWORD) == 429
        lock = client.get("/api/v1/users/spokesperson/login-lock", headers=admin).json()
        assert lock["locked_until"] is not None and lock["failures"] == 10
        failures = client.get("/api/v1/login-failures?username=spokesperson", headers=admin).json()
        assert len(failures) == 18  # 10 wrong passwords, 8 attempts refused unheard
        assert {f["reason"] for f in failures} == {"bad_password", "throttled"}
        assert failures[0]["client"] == "testclient" and failures[0]["channel"] == "api"
        lifted = client.delete("/api/v1/users/spokesperson/login-lock", headers=admin)
        assert lifted.status_code == 200 and lifted.json()["locked_until"] is None
        clock.advance(seconds=2)  # this client's own short delay (10 failures from it) still runs
        assert _api_login(client, "spokesperson", PASSWORD) == 200
        assert client.get("/api/v1/login-failures", headers=office).status_code == 403
        assert client.delete("/api/v1/users/nobody/login-lock", headers=admin).status_code == 404

    def test_per_client_a_spray_over_many_accounts_is_throttled(
        self, client: TestClient, org: None, clock: Clock
    ) -> None:
        codes = []
        for i in range(14):
            codes.append(_api_login(client, f"user{i}", "wrong-password"))  # one failure each: no account delay
            clock.advance(seconds=0.1)
        assert codes[:10] == [401] * 10 and 429 in codes[10:]

    def test_x_forwarded_for_is_not_believed_without_trusted_proxies(
        self, client: TestClient, org: None, clock: Clock
    ) -> None:
        codes = [_api_login(client, f"user{i}", "x", client_ip=f"10.0.0.{i}") for i in range(14)]
        assert 429 in codes  # rotating the header does not make new clients

    def test_the_staff_form_says_too_many_attempts(self, client: TestClient, org: None) -> None:
        page = client.get("/staff/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        statuses = []
        for _ in range(6):
            response = client.post("/staff/login", data={"username": "office", "password": "wrong",
                                                         "csrf_token": csrf.group(1)})  # fmt: skip
            statuses.append(response.status_code)
        assert statuses[:3] == [401, 401, 401] and statuses[-1] == 429
        assert "Quá nhiều lần đăng nhập sai" in response.text
        assert "Retry-After" in response.headers


class TestTokensEnd:
    def test_a_password_reset_ends_the_old_token_for_good(self, client: TestClient, org: None) -> None:
        old = token(client, "handler")
        admin = token(client, "admin")
        assert client.patch("/api/v1/users/handler", json={"password": "a-new-password-1"}, headers=admin).is_success
        assert client.get("/api/v1/me", headers=old).status_code == 401
        assert client.get("/api/v1/me", headers=token(client, "handler", "a-new-password-1")).status_code == 200

    def test_deactivating_then_reactivating_does_not_revive_tokens(self, client: TestClient, org: None) -> None:
        old = token(client, "handler")
        admin = token(client, "admin")
        assert client.patch("/api/v1/users/handler", json={"active": False}, headers=admin).is_success
        assert client.get("/api/v1/me", headers=old).status_code == 401
        assert client.patch("/api/v1/users/handler", json={"active": True}, headers=admin).is_success
        assert client.get("/api/v1/me", headers=old).status_code == 401

    def test_changing_ones_own_password_ends_every_session(self, client: TestClient, org: None) -> None:
        api = token(client, "office")
        page = client.get("/staff/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        client.post("/staff/login", data={"username": "office", "password": PASSWORD, "csrf_token": csrf.group(1)})
        settings_page = client.get("/staff/settings")
        session_csrf = re.search(r'name="csrf_token" value="([^"]+)"', settings_page.text)
        assert session_csrf
        form = {"csrf_token": session_csrf.group(1), "current_password": PASSWORD,
                "new_password": "a-new-password-1", "new_password_confirm": "a-new-password-1"}  # fmt: skip
        changed = client.post("/staff/settings/password", data=form, follow_redirects=False)
        assert changed.status_code == 303 and changed.headers["location"] == "/staff/login?done=password"
        assert client.get("/api/v1/me", headers=api).status_code == 401
        assert client.get("/staff/", follow_redirects=False).status_code == 303  # the browser session ended too

    def test_a_null_title_is_a_422_naming_the_field(self, client: TestClient, org: None) -> None:
        admin = token(client, "admin")
        response = client.patch("/api/v1/users/handler", json={"title": None}, headers=admin)
        assert response.status_code == 422
        assert response.json()["field"] == "title"
