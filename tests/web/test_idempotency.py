"""Idempotency-Key on the creating POSTs: intake, inquiry, statement, publish (issue 16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from app.cases.models import Case
from app.idempotency.models import IdempotencyRecord
from tests.conftest import FIXED_NOW
from tests.factories import appoint_spokesperson, case_in_progress, standard_org, token
from tests.statements.helpers import CHECKLIST, Api
from tests.web.public.test_inquiries import BODY as INQUIRY
from tests.web.test_api_cases import INTAKE


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW)


def _cases(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Case)).one()


class TestIntake:
    def test_a_retry_with_the_same_key_gets_the_first_case(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        headers = {**token(client, "office"), "Idempotency-Key": "3f1c9a52-intake-1"}
        before = _cases(session)
        first = client.post("/api/v1/cases", json=INTAKE, headers=headers)
        again = client.post("/api/v1/cases", json=INTAKE, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
        assert _cases(session) == before + 1
        other = client.post("/api/v1/cases", json=INTAKE, headers={**headers, "Idempotency-Key": "another"})
        assert other.json()["reference"] != first.json()["reference"]

    def test_the_same_key_with_another_body_is_refused(self, client: TestClient, org: None) -> None:
        headers = {**token(client, "office"), "Idempotency-Key": "k-1"}
        assert client.post("/api/v1/cases", json=INTAKE, headers=headers).status_code == 201
        response = client.post("/api/v1/cases", json={**INTAKE, "title": "Khác"}, headers=headers)
        assert response.status_code == 422 and response.json()["field"] == "Idempotency-Key"

    def test_keys_are_per_caller(self, client: TestClient, session: Session, org: None) -> None:
        before = _cases(session)
        for who in ("office", "spokesperson"):
            headers = {**token(client, who), "Idempotency-Key": "shared"}
            assert client.post("/api/v1/cases", json=INTAKE, headers=headers).status_code == 201
        assert _cases(session) == before + 2

    def test_a_failed_request_leaves_no_key_behind(self, client: TestClient, session: Session, org: None) -> None:
        headers = {**token(client, "office"), "Idempotency-Key": "k-2"}
        future = {**INTAKE, "received_at": "2026-12-30T08:00:00+07:00"}
        assert client.post("/api/v1/cases", json=future, headers=headers).status_code == 422
        assert session.exec(select(IdempotencyRecord).where(IdempotencyRecord.key == "k-2")).first() is None
        assert client.post("/api/v1/cases", json=INTAKE, headers=headers).status_code == 201

    @pytest.mark.parametrize("key", ["", " ", "x" * 256, "khoá-có-dấu"])
    def test_a_bad_key_is_a_422_naming_the_header(self, client: TestClient, org: None, key: str) -> None:
        headers = {**token(client, "office"), "Idempotency-Key": key.encode()}
        response = client.post("/api/v1/cases", json=INTAKE, headers=headers)
        assert response.status_code == 422 and response.json()["field"] == "Idempotency-Key"


def test_an_inquiry_retried_gets_the_same_code(client: TestClient, org: None) -> None:
    headers = {"Idempotency-Key": "pv-retry-1"}
    first = client.post("/api/public/v1/inquiries", json=INQUIRY, headers=headers)
    again = client.post("/api/public/v1/inquiries", json=INQUIRY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["code"] == first.json()["code"]


def test_a_statement_and_its_publication_retried(client: TestClient, session: Session, org: None) -> None:
    api = Api(client)
    case = case_in_progress(session, now=FIXED_NOW, received_at=FIXED_NOW - timedelta(hours=3))
    draft = {"kind": "response", "text": "Nội dung trả lời."}
    headers = {**api.headers("handler"), "Idempotency-Key": "draft-1"}
    first = client.post(f"/api/v1/cases/{case.reference}/statements", json=draft, headers=headers)
    again = client.post(f"/api/v1/cases/{case.reference}/statements", json=draft, headers=headers)
    assert first.status_code == again.status_code == 201 and again.json()["id"] == first.json()["id"]
    sid = first.json()["id"]
    api.submit(sid)
    api.approve(sid)
    headers = {**api.headers("office"), "Idempotency-Key": "publish-1"}
    published = client.post(f"/api/v1/statements/{sid}/publish", headers=headers)
    retried = client.post(f"/api/v1/statements/{sid}/publish", headers=headers)
    assert published.status_code == retried.status_code == 200, retried.text
    assert retried.json()["number"] == published.json()["number"]
    assert CHECKLIST  # the helpers' checklist is the one approvals use
