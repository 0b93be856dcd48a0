"""Paging cursors are opaque and signed: crafted ones are a 400 naming the parameter, never a 500 (issue 16)."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW
from tests.factories import make_case, standard_org, token
from tests.web.test_auth import _browser_login


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


CRAFTED = [
    _b64(["2026-01-01T00:00:00+00:00", True]),  # once an ArgumentError → 500
    _b64(["9999-12-31T23:59:59-12:00", 1]),  # once an OverflowError → 500
    "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgdHJ1ZV0",
    _b64(["2026-01-01T00:00:00+00:00", 1]) + ".AAAAAAAAAAAAAAAAAAAAAA",
    "@@@",
    ".",
    "a" * 190,
]


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


@pytest.mark.parametrize("cursor", CRAFTED)
def test_crafted_cursors_are_a_400_everywhere(client: TestClient, org: None, cursor: str) -> None:
    public = client.get("/api/public/v1/notices", params={"cursor": cursor})
    assert public.status_code == 400 and public.json()["field"] == "cursor", public.text
    assert public.json()["error"] == "BadRequest"
    staff = client.get("/api/v1/cases", params={"cursor": cursor}, headers=token(client, "office"))
    assert staff.status_code == 400 and staff.json()["field"] == "cursor", staff.text
    page = client.get("/notices", params={"cursor": cursor})
    assert page.status_code == 400 and "cursor" in page.text


def test_a_real_cursor_pages_and_is_tied_to_its_order(client: TestClient, session: Session, org: None) -> None:
    for i in range(3):
        make_case(session, by="office", now=FIXED_NOW, title=f"Vụ việc {i}")
    headers = token(client, "office")
    first = client.get("/api/v1/cases", params={"limit": 2}, headers=headers).json()
    cursor = first["next_cursor"]
    assert cursor and "." in cursor
    rest = client.get("/api/v1/cases", params={"limit": 2, "cursor": cursor}, headers=headers)
    assert rest.status_code == 200 and rest.json()["items"]
    other_order = client.get("/api/v1/cases", params={"limit": 2, "cursor": cursor, "sort": "-updated_at"},
                             headers=headers)  # fmt: skip
    assert other_order.status_code == 400
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert client.get("/api/v1/cases", params={"cursor": tampered}, headers=headers).status_code == 400
    _browser_login(client)
    staff_page = client.get("/staff/cases", params={"cursor": CRAFTED[0]})
    assert staff_page.status_code == 400 and "cursor" in staff_page.text
