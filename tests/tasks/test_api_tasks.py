"""Tasks: the spokesperson requires a unit to supply information by a due time; a member of that unit answers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.clocks.test_api_clocks import clocks, events, intake
from tests.conftest import FIXED_NOW, Clock
from tests.factories import standard_org, token

TASK = {"unit": "GDTH", "request": "Đề nghị cung cấp số liệu học sinh bán trú.", "due_at": "2026-11-27T17:00:00+07:00"}


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


def create(client: TestClient, ref: str, user: str = "spokesperson", **body: Any) -> Any:
    return client.post(f"/api/v1/cases/{ref}/tasks", json={**TASK, **body}, headers=token(client, user))


class TestCreateTask:
    def test_the_spokesperson_requires_another_unit_to_supply_information(self, client: TestClient, org: None) -> None:
        ref = intake(client, lead_unit="GDTrH")
        response = create(client, ref)
        assert response.status_code == 201, response.text
        task = response.json()
        assert (task["unit"]["code"], task["state"], task["due_at"]) == ("GDTH", "running", "2026-11-27T17:00:00+07:00")
        # The unit becomes a supporting unit: its members now see the case.
        case = client.get(f"/api/v1/cases/{ref}", headers=token(client, "handler2"))
        assert case.status_code == 200
        assert [u["code"] for u in case.json()["supporting_units"]] == ["GDTH"]
        task_clock = next(c for c in clocks(client, ref) if c["origin"] == "task")
        assert task_clock["basis"] == "Nghị định 244/2026/NĐ-CP, Điều 4 khoản 2"
        assert task_clock["task_id"] == task["id"]
        assert case.json()["next_due_at"] == "2026-11-27T10:00:00Z"
        logged = events(client, ref)[-1]
        assert (logged["kind"], logged["action"], logged["data"]["unit"]) == ("task", "created", "GDTH")
        listed = client.get(f"/api/v1/cases/{ref}/tasks", headers=token(client, "office")).json()["items"]
        assert [t["id"] for t in listed] == [task["id"]]

    def test_a_handler_may_not_give_tasks(self, client: TestClient, org: None) -> None:
        ref = intake(client, lead_unit="GDTrH")
        assert create(client, ref, "handler").status_code == 403

    def test_the_due_time_must_be_in_the_future(self, client: TestClient, org: None) -> None:
        ref = intake(client)
        response = create(client, ref, due_at="2026-11-27T08:00:00+07:00")
        assert (response.status_code, response.json()["field"]) == (422, "due_at")

    def test_an_unknown_unit(self, client: TestClient, org: None) -> None:
        response = create(client, intake(client), unit="NOPE")
        assert (response.status_code, response.json()["field"]) == (422, "unit")


class TestAnswerTask:
    def test_a_member_of_the_unit_answers_on_time(self, client: TestClient, org: None) -> None:
        ref = intake(client, lead_unit="GDTrH")
        task_id = create(client, ref).json()["id"]
        response = client.post(
            f"/api/v1/tasks/{task_id}/answer",
            json={"answer": "Có 1.240 học sinh bán trú."},
            headers=token(client, "handler2"),
        )
        assert response.status_code == 200, response.text
        assert (response.json()["state"], response.json()["answered_by"]["username"]) == ("met_on_time", "handler2")
        again = client.post(
            f"/api/v1/tasks/{task_id}/answer", json={"answer": "Bổ sung."}, headers=token(client, "handler2")
        )
        assert again.status_code == 409

    def test_late_answers_are_met_late(self, client: TestClient, clock: Clock, org: None) -> None:
        ref = intake(client, lead_unit="GDTrH")
        task_id = create(client, ref).json()["id"]
        clock.advance(hours=12)
        response = client.post(
            f"/api/v1/tasks/{task_id}/answer", json={"answer": "Trả lời muộn."}, headers=token(client, "head2")
        )
        assert response.json()["state"] == "met_late"

    def test_someone_outside_the_unit_may_not_answer(self, client: TestClient, org: None) -> None:
        ref = intake(client, lead_unit="GDTrH")
        task_id = create(client, ref).json()["id"]
        response = client.post(
            f"/api/v1/tasks/{task_id}/answer", json={"answer": "x"}, headers=token(client, "handler")
        )
        assert response.status_code == 403
        unseen = client.post("/api/v1/tasks/999999/answer", json={"answer": "x"}, headers=token(client, "handler2"))
        assert unseen.status_code == 404
