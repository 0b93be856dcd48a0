"""Citizens' information requests (Luật Tiếp cận thông tin 2016): the public form and API, the case with its
clocks citing Điều 30, the acknowledgement, and the figures in the reports."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.cases.models import Case
from app.cases.vocabulary import LegalTrigger, SourceKind
from app.information_requests.models import InformationRequestCreate, InformationRequestReceipt
from app.outmail.models import OutgoingMail
from app.subscriptions.models import SubscribeAccepted, SubscribeIn
from tests.conftest import FIXED_NOW, Clock
from tests.factories import standard_org, token

REQUEST = {
    "requester_name": "Trần Văn Bình",
    "address": "12 Lê Lợi, phường Bến Thành, TP.HCM",
    "id_number": "079088001234",
    "contact": "binh.tran@gmail.example",
    "information": "Kế hoạch tuyển sinh lớp 10 năm học 2027-2028 và các văn bản hướng dẫn kèm theo.",
    "delivery_form": "email",
    "purpose": "Tìm hiểu để đăng ký cho con.",
}


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    session.flush()


def test_a_request_opens_a_case_with_the_clocks_of_article_30(client: TestClient, session: Session, org: None) -> None:
    answer = client.post("/api/public/v1/information-requests", json=REQUEST)
    assert answer.status_code == 201, answer.text
    reference = answer.json()["reference"]
    assert answer.json()["status"] == "received" and reference.startswith("VV-2026-")
    case = session.exec(select(Case).where(Case.reference == reference)).one()
    assert case.legal_trigger == LegalTrigger.CITIZEN_INFORMATION_REQUEST
    assert case.source_kind == SourceKind.PUBLIC_FEEDBACK and "079088001234" in case.summary
    clocks = client.get(f"/api/v1/cases/{reference}/clocks", headers=token(client, "office")).json()["items"]
    statutory = {c["name"]: c for c in clocks if c["origin"] == "statutory"}
    assert {c["basis"] for c in statutory.values()} == {"Luật Tiếp cận thông tin 2016, Điều 30"}
    first = statutory["Cung cấp thông tin cho công dân, hoặc thông báo thời hạn giải quyết nếu cần thêm thời gian"]
    answer_clock = statutory["Cung cấp thông tin hoặc trả lời từ chối yêu cầu của công dân (thông tin phức tạp)"]
    # Received Friday 27/11/2026: 3 working days → end of Wednesday 2/12; 15 → end of Friday 18/12.
    assert first["due_at"] == "2026-12-03T00:00:00+07:00"
    assert answer_clock["due_at"] == "2026-12-19T00:00:00+07:00"
    [ack] = session.exec(select(OutgoingMail).where(OutgoingMail.to_address == "binh.tran@gmail.example")).all()
    assert reference in ack.subject and "Điều 30" in ack.body


def test_bad_requests_are_refused_with_a_message(client: TestClient, org: None) -> None:
    for field, value in (("id_number", "12"), ("information", "ngắn"), ("delivery_form", "fax")):
        answer = client.post("/api/public/v1/information-requests", json={**REQUEST, field: value})
        assert answer.status_code == 422, field


def test_the_public_form_beside_the_journalists_inquiry(client: TestClient, session: Session, org: None) -> None:
    form = client.get("/information-requests/new")
    assert form.status_code == 200 and "Luật Tiếp cận thông tin 2016" in form.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf
    done = client.post("/information-requests", data={**REQUEST, "csrf_token": csrf.group(1)})
    assert done.status_code == 200 and "VV-2026-" in done.text
    invalid = client.post("/information-requests", data={**REQUEST, "id_number": "", "csrf_token": csrf.group(1)})
    assert invalid.status_code == 422 and "Trần Văn Bình" in invalid.text  # what was typed comes back
    assert 'href="/information-requests/new"' in client.get("/inquiries/new").text


def test_the_figures_in_the_reports(client: TestClient, org: None, clock: Clock) -> None:
    for _ in range(2):
        assert client.post("/api/public/v1/information-requests", json=REQUEST).status_code == 201
    clock.advance(days=10)
    headers = token(client, "office")
    figures = client.get(
        "/api/v1/reports/information-requests",
        headers=headers,
        params={"since": "2026-11-01T00:00:00+07:00", "until": "2026-12-01T00:00:00+07:00"},
    )
    assert figures.status_code == 200, figures.text
    body = figures.json()
    assert (body["received"], body["answered"], body["open"]) == (2, 0, 2)
    by_basis = {c["name"][:20]: c for c in body["clocks"]}
    assert sum(c["overdue"] for c in by_basis.values()) == 2  # the 3-working-day clocks are past due
    assert sum(c["running"] for c in by_basis.values()) == 4


def test_the_public_schemas_of_the_channels_are_pinned() -> None:
    """Nothing more than these fields ever reaches the public (no address, no internal data)."""
    assert set(SubscribeIn.model_fields) == {"email", "topics"}
    assert set(SubscribeAccepted.model_fields) == {"status"}
    assert set(InformationRequestCreate.model_fields) == {"requester_name", "address", "id_number", "contact",
                                                          "information", "delivery_form", "purpose"}  # fmt: skip
    assert set(InformationRequestReceipt.model_fields) == {"reference", "status", "received_at"}
