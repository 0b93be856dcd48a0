"""Bad input of every kind gives a 4xx with a message naming the problem, never a 500, and saves nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.cases.models import Case, CaseEvent
from tests.conftest import FIXED_NOW
from tests.factories import make_case, standard_org, token

GOOD = {"title": "Phản ánh học phí", "source_kind": "public_feedback"}


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


@pytest.fixture
def office(client: TestClient, org: None) -> dict[str, str]:
    return token(client, "office")


def _post(client: TestClient, headers: dict[str, str], body: object) -> tuple[int, dict[str, object]]:
    response = client.post("/api/v1/cases", json=body, headers=headers)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GOOD, "title": 42}, "title"),
        ({**GOOD, "title": ""}, "title"),
        ({**GOOD, "title": "x" * 301}, "title"),
        ({**GOOD, "summary": "x" * 20001}, "summary"),
        ({**GOOD, "title": "nul\x00byte"}, "title"),
        ({**GOOD, "source_kind": "carrier_pigeon"}, "source_kind"),
        ({**GOOD, "topic": "weather"}, "topic"),
        ({**GOOD, "severity": "apocalyptic"}, "severity"),
        ({**GOOD, "legal_trigger": "whim"}, "legal_trigger"),
        ({**GOOD, "received_at": "yesterday"}, "received_at"),
        ({**GOOD, "received_at": "9999-12-31T23:59:59-14:00"}, "received_at"),
        ({**GOOD, "occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),
        ({**GOOD, "source_url": "javascript:alert(1)"}, "source_url"),
        ({**GOOD, "lead_unit": "NOPE"}, "lead_unit"),
        ({**GOOD, "supporting_units": ["GDTrH", "NOPE"]}, "supporting_units"),
        ({**GOOD, "tags": "not-a-list"}, "tags"),
        ({**GOOD, "related": ["VV-2026-99999"]}, "related"),
        ({"source_kind": "public_feedback"}, "title"),
        ([GOOD], "body"),
        ("just a string", "body"),
    ],
)
def test_bad_intake_is_422_naming_the_field(client: TestClient, office: dict[str, str], body: object,
                                            field: str) -> None:  # fmt: skip
    status, payload = _post(client, office, body)
    assert status == 422, payload
    assert payload["error"] == "ValidationFailed"
    assert field in str(payload), payload


def test_malformed_json(client: TestClient, office: dict[str, str]) -> None:
    response = client.post("/api/v1/cases", content=b'{"title": "x",', headers={**office,
                           "content-type": "application/json"})  # fmt: skip
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


def test_not_json_at_all(client: TestClient, office: dict[str, str]) -> None:
    response = client.post("/api/v1/cases", content=b"title=x", headers={**office,
                           "content-type": "text/plain"})  # fmt: skip
    assert response.status_code == 422


def test_a_body_too_large(client: TestClient, office: dict[str, str]) -> None:
    response = client.post("/api/v1/cases", content=b"x" * (3 * 1024 * 1024),
                           headers={**office, "content-type": "application/json"})  # fmt: skip
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/cases/VV-2099-99999", 404),
        ("GET", "/api/v1/cases/" + "X" * 40, 422),
        ("GET", "/api/v1/cases/%00", 422),
        ("GET", "/api/v1/cases/VV-2099-99999/events", 404),
        ("DELETE", "/api/v1/api-tokens/99999999999999999999", 422),
        ("DELETE", "/api/v1/api-tokens/abc", 422),
        ("DELETE", "/api/v1/api-tokens/0", 422),
        ("PATCH", "/api/v1/units/NOPE", 404),
        ("PATCH", "/api/v1/users/nobody", 404),
        ("GET", "/api/v1/nowhere", 404),
        ("PUT", "/api/v1/cases", 405),
        ("GET", "/api/v1/cases?limit=-1", 422),
        ("GET", "/api/v1/cases?limit=999999999999999999999", 422),
        ("GET", "/api/v1/cases?received_from=2026-13-45", 422),
        ("GET", "/api/v1/cases?cursor=" + "A" * 400, 422),
    ],
)
def test_unknown_things(client: TestClient, org: None, method: str, path: str, status: int) -> None:
    headers = token(client, "admin") if "/api-tokens" in path or "/users" in path or "/units" in path else token(
        client, "office")  # fmt: skip
    response = client.request(method, path, headers=headers, json={} if method in ("PATCH", "PUT") else None)
    assert response.status_code == status, response.text
    assert set(response.json()) >= {"error", "detail"}


def test_a_failed_transition_saves_nothing(client: TestClient, session: Session, office: dict[str, str]) -> None:
    case = make_case(session, by="office", now=FIXED_NOW)
    before = session.exec(select(func.count()).select_from(CaseEvent)).one()
    response = client.post(f"/api/v1/cases/{case.reference}/transitions",
                           json={"action": "assign", "lead_unit": "GDTrH", "supporting_units": ["NOPE"]},
                           headers=office)  # fmt: skip
    assert response.status_code == 422
    session.expire_all()
    assert session.get(Case, case.id).status == "new"  # type: ignore[union-attr]
    assert session.exec(select(func.count()).select_from(CaseEvent)).one() == before


def test_a_failed_intake_takes_no_reference(client: TestClient, office: dict[str, str]) -> None:
    assert _post(client, office, {**GOOD, "supporting_units": ["NOPE"]})[0] == 422
    status, payload = _post(client, office, GOOD)
    assert status == 201
    assert payload["reference"] == "VV-2026-00001"


def test_errors_in_english(client: TestClient, office: dict[str, str]) -> None:
    response = client.get("/api/v1/cases/VV-2099-99999", headers={**office, "Accept-Language": "en"})
    assert response.json()["detail"] == "Case VV-2099-99999 not found."


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/cases?q=%00", "q"),
        ("/api/v1/cases?tag=a%00b", "tag"),
        ("/api/v1/cases?unit=%01", "unit"),
        ("/api/v1/cases?assignee=a%0Ab", "assignee"),
        ("/api/v1/cases/export.csv?q=%00", "q"),  # refused before the file starts, never an empty 200
        ("/api/v1/cases/export.xlsx?tag=%00", "tag"),
    ],
)
def test_control_characters_in_a_filter_are_422_on_every_database(
    client: TestClient, office: dict[str, str], path: str, field: str
) -> None:
    response = client.get(path, headers=office)
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0] == {
        "field": field,
        "message": "Có ký tự điều khiển không hợp lệ." if "%0A" not in path else "Chỉ được viết trên một dòng.",
        "type": "value_error",
    }


def test_validation_messages_follow_the_language(client: TestClient, office: dict[str, str]) -> None:
    body = {**GOOD, "title": 42, "severity": "apocalyptic", "received_at": "yesterday"}
    vietnamese = client.post("/api/v1/cases", json=body, headers=office).json()
    messages = {f["field"]: f["message"] for f in vietnamese["fields"]}
    assert messages["title"] == "Cần một chuỗi ký tự."
    assert messages["severity"] == "Giá trị không hợp lệ; chọn một trong: 'routine', 'hot', 'crisis'."
    assert messages["received_at"].startswith("Thời điểm không hợp lệ; viết theo ISO 8601")
    assert {f["field"]: f["type"] for f in vietnamese["fields"]}["title"] == "string_type"  # for programs
    english = client.post("/api/v1/cases", json=body, headers={**office, "Accept-Language": "en"}).json()
    messages = {f["field"]: f["message"] for f in english["fields"]}
    assert messages["title"] == "Must be a string of characters."
    assert messages["received_at"].startswith("Not a valid time; write it in ISO 8601 with a time zone")
    status = client.post("/api/v1/cases", json={**GOOD, "status": "published"},
                         headers={**office, "Accept-Language": "en"}).json()  # fmt: skip
    assert "status" in status["detail"] and "/transitions" in status["detail"] and "trạng thái" not in status["detail"]


def test_each_kind_of_mistake_gets_its_own_advice(client: TestClient, office: dict[str, str]) -> None:
    def first(response: object) -> dict[str, str]:
        payload = response.json()  # type: ignore[attr-defined]
        assert response.status_code == 422 and payload["field"] == payload["fields"][0]["field"], payload  # type: ignore[attr-defined]
        return payload["fields"][0]

    admin = token(client, "admin")
    day = first(client.post("/api/v1/calendar/overrides", json={"day": "2026-12-04T09:30:00+07:00",
                            "kind": "extra_off", "description": "x"}, headers=admin))  # fmt: skip
    assert day["field"] == "day" and day["message"] == "Ngày không hợp lệ; viết theo dạng YYYY-MM-DD, ví dụ 2026-12-04."
    unit = first(client.post("/api/v1/cases", json={**GOOD, "lead_unit": "phòng trung học"}, headers=office))
    assert unit["field"] == "lead_unit" and unit["message"].startswith("Giá trị không đúng định dạng (biểu thức")
    case = client.post("/api/v1/cases", json=GOOD, headers=office).json()
    empty = first(client.post(f"/api/v1/cases/{case['reference']}/statements", json={"kind": "response", "text": "   "},
                              headers=office))  # fmt: skip
    assert empty == {"field": "text", "message": "Không được để trống.", "type": "value_error"}
    limit = first(client.get("/api/v1/cases?limit=0", headers=office))
    assert limit["message"] == "Phải lớn hơn hoặc bằng 1."
