"""The OpenAPI document describes the real error shapes and the errors each operation gives (issue 16)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW
from tests.factories import standard_org, token


def _schema(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_422_is_our_shape_not_fastapis(client: TestClient) -> None:
    schema = _schema(client)
    assert "HTTPValidationError" not in json.dumps(schema)
    body = schema["components"]["schemas"]["ValidationErrorBody"]
    assert {"error", "detail", "field", "fields"} <= set(body["properties"])
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if "422" in operation["responses"]:
                ref = operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ValidationErrorBody"), (method, path)


def test_the_errors_each_operation_gives_are_documented(client: TestClient) -> None:
    paths = _schema(client)["paths"]
    assert set(paths["/api/v1/cases"]["post"]["responses"]) >= {"201", "400", "401", "403", "409", "422", "503"}
    assert set(paths["/api/v1/cases/{reference}"]["get"]["responses"]) >= {"200", "401", "403", "404", "422"}
    assert set(paths["/api/v1/cases"]["get"]["responses"]) >= {"400", "401", "422"}  # the cursor
    assert set(paths["/api/public/v1/notices"]["get"]["responses"]) >= {"200", "400", "422", "429", "503"}
    assert "Retry-After" in paths["/api/public/v1/inquiries"]["post"]["responses"]["429"]["headers"]
    assert set(paths["/api/v1/auth/token"]["post"]["responses"]) >= {"200", "401", "422", "429"}
    assert "Idempotency-Key" in json.dumps(paths["/api/v1/cases"]["post"]["parameters"])


def test_a_real_422_matches_the_documented_shape(client: TestClient, session: Session) -> None:
    standard_org(session, FIXED_NOW)
    response = client.post("/api/v1/cases", json={"title": ""}, headers=token(client, "office"))
    assert response.status_code == 422
    body = response.json()
    assert set(body) <= {"error", "detail", "field", "fields"} and body["error"] == "ValidationFailed"
    assert all(set(f) == {"field", "message", "type"} for f in body["fields"])
