"""Units, users and role grants through the admin API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW
from tests.factories import standard_org, token


@pytest.fixture
def admin(client: TestClient, session: Session) -> dict[str, str]:
    standard_org(session, FIXED_NOW)
    return token(client, "admin")


class TestUnits:
    def test_create_a_commune_office_under_no_parent(self, client: TestClient, admin: dict[str, str]) -> None:
        response = client.post("/api/v1/units", json={
            "code": "VHXH-TANDINH", "name": "Phòng Văn hóa - Xã hội phường Tân Định", "kind": "commune",
            "contact_name": "Nguyễn Văn A", "contact_email": "vhxh.tandinh@example.gov.vn",
            "contact_phone": "028 3820 1234"}, headers=admin)  # fmt: skip
        assert response.status_code == 201, response.text
        assert response.json()["kind"] == "commune"
        listed = client.get("/api/v1/units", headers=admin).json()
        assert "Phòng Văn hóa - Xã hội phường Tân Định" in [u["name"] for u in listed]

    def test_a_school_under_its_commune_and_no_cycles(self, client: TestClient, admin: dict[str, str]) -> None:
        client.post("/api/v1/units", json={"code": "C1", "name": "Xã 1", "kind": "commune"}, headers=admin)
        school = client.post("/api/v1/units", json={"code": "S1", "name": "Trường 1", "kind": "school",
                                                    "parent": "C1"}, headers=admin)  # fmt: skip
        assert school.json()["parent"] == "C1"
        cycle = client.patch("/api/v1/units/C1", json={"parent": "S1"}, headers=admin)
        assert cycle.status_code == 422
        assert cycle.json()["field"] == "parent"

    def test_duplicate_code_and_bad_input(self, client: TestClient, admin: dict[str, str]) -> None:
        dup = client.post("/api/v1/units", json={"code": "VP", "name": "X", "kind": "office"}, headers=admin)
        assert dup.status_code == 409
        for body in ({"code": "bad code!", "name": "X", "kind": "office"},
                     {"code": "X2", "name": "X", "kind": "ministry"},
                     {"code": "X3", "name": "X", "kind": "office", "contact_email": "not-an-email"}):  # fmt: skip
            assert client.post("/api/v1/units", json=body, headers=admin).status_code == 422

    def test_only_admins_manage_units(self, client: TestClient, admin: dict[str, str]) -> None:
        response = client.post("/api/v1/units", json={"code": "X", "name": "X", "kind": "office"},
                               headers=token(client, "office"))  # fmt: skip
        assert response.status_code == 403


class TestUsers:
    def test_create_with_roles_per_unit(self, client: TestClient, admin: dict[str, str]) -> None:
        response = client.post("/api/v1/users", json={
            "username": "nguyen.van.b", "full_name": "Nguyễn Văn B", "password": "mat-khau-dai",
            "roles": [{"role": "handler", "unit": "GDTH"}, {"role": "unit_head", "unit": "GDTrH"}]},
            headers=admin)  # fmt: skip
        assert response.status_code == 201, response.text
        assert response.json()["roles"] == [{"role": "handler", "unit": "GDTH"},
                                            {"role": "unit_head", "unit": "GDTrH"}]  # fmt: skip
        login = client.post("/api/v1/auth/token", data={"username": "nguyen.van.b", "password": "mat-khau-dai"})
        assert login.status_code == 200

    def test_a_unit_role_needs_a_unit(self, client: TestClient, admin: dict[str, str]) -> None:
        response = client.post("/api/v1/users", json={"username": "xx", "full_name": "X", "password": "12345678",
                                                      "roles": [{"role": "handler"}]}, headers=admin)  # fmt: skip
        assert response.status_code == 422
        assert response.json()["field"] == "roles"

    def test_duplicate_and_short_password(self, client: TestClient, admin: dict[str, str]) -> None:
        dup = client.post("/api/v1/users", json={"username": "office", "full_name": "X", "password": "12345678"},
                          headers=admin)  # fmt: skip
        assert dup.status_code == 409
        short = client.post("/api/v1/users", json={"username": "y", "full_name": "Y", "password": "123"},
                            headers=admin)  # fmt: skip
        assert short.status_code == 422

    def test_change_roles(self, client: TestClient, admin: dict[str, str]) -> None:
        response = client.patch("/api/v1/users/handler", json={"roles": [{"role": "unit_head", "unit": "GDTrH"}]},
                                headers=admin)  # fmt: skip
        assert response.json()["roles"] == [{"role": "unit_head", "unit": "GDTrH"}]

    def test_users_are_admin_only(self, client: TestClient, admin: dict[str, str]) -> None:
        assert client.get("/api/v1/users", headers=token(client, "office")).status_code == 403
        assert len(client.get("/api/v1/users", headers=admin).json()) == 8
