"""The spokesperson registry, appointing and replacing the standing spokesperson, through the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.permissions import Role
from app.spokespersons import service
from app.spokespersons.models import SpokespersonPublic
from tests.conftest import FIXED_NOW, Clock
from tests.factories import case_in_progress, make_user, standard_org
from tests.statements.helpers import CHECKLIST, Api

APPOINTMENT = {
    "username": "spokesperson",
    "title": "Chánh Văn phòng Sở",
    "phone": "028 3829 1000",
    "email": "phatngon@sgddt.example.gov.vn",
    "decision_number": "15/QĐ-SGDĐT",
    "decision_date": "2026-11-26",
}


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    make_user(session, "spokesperson2", (Role.SPOKESPERSON, "VP"), now=FIXED_NOW, full_name="Hồ Thị Minh Thư",
              title="Phó Chánh Văn phòng Sở")  # fmt: skip


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def appoint(api: Api, **overrides: Any) -> dict[str, Any]:
    return api.ok(api.post("/api/v1/spokespersons/appointments", "director", {**APPOINTMENT, **overrides}), 201)


def registry(api: Api, who: str = "handler") -> list[tuple[str, str, str | None, str | None, str]]:
    items = api.ok(api.get("/api/v1/spokespersons", who))["items"]
    return [(i["name"], i["title"], i["phone"], i["email"], i["capacity"]) for i in items]


def test_the_public_registry_shows_only_contacts() -> None:
    assert set(SpokespersonPublic.model_fields) == {"name", "title", "phone", "email", "capacity", "since"}


class TestAppoint:
    def test_the_director_appoints_and_the_registry_shows_it_at_once(self, api: Api, session: Session,
                                                                     org: None) -> None:  # fmt: skip
        assert registry(api) == [("Đặng Quốc Hưng", "Giám đốc Sở", None, None, "director")]
        body = appoint(api)
        assert body["person"]["username"] == "spokesperson" and body["in_force"] is True
        assert body["valid_from"] == "2026-11-27T02:00:00Z" and body["appointed_by"]["username"] == "director"
        assert registry(api)[1] == ("Võ Thanh Bình", "Chánh Văn phòng Sở", "028 3829 1000",
                                    "phatngon@sgddt.example.gov.vn", "standing_spokesperson")  # fmt: skip
        current = service.current_spokespersons(session, FIXED_NOW)
        assert [p.capacity for p in current] == ["director", "standing_spokesperson"]
        assert current[1].since == FIXED_NOW

    def test_only_the_director_appoints(self, api: Api, org: None) -> None:
        for who in ("spokesperson", "office", "admin", "head"):
            response = api.post("/api/v1/spokespersons/appointments", who, APPOINTMENT)
            assert response.status_code == 403, who
        assert len(registry(api)) == 1

    def test_replacing_ends_the_other(self, api: Api, session: Session, org: None, clock: Clock) -> None:
        first = appoint(api)
        ref = case_in_progress(session, now=FIXED_NOW).reference
        sid = api.draft(ref)["id"]
        api.submit(sid)
        clock.advance(hours=1)
        second = appoint(api, username="spokesperson2", title="Phó Chánh Văn phòng Sở", phone="028 3829 1001",
                         decision_number="16/QĐ-SGDĐT")  # fmt: skip
        history = api.ok(api.get("/api/v1/spokespersons/appointments", "office"))["items"]
        assert [(a["id"], a["in_force"]) for a in history] == [(second["id"], True), (first["id"], False)]
        assert history[1]["ended_at"] == "2026-11-27T03:00:00Z"
        assert "16/QĐ-SGDĐT" in history[1]["end_note"]
        assert [r[0] for r in registry(api)] == ["Đặng Quốc Hưng", "Hồ Thị Minh Thư"]
        assert api.post(f"/api/v1/statements/{sid}/approve", "spokesperson", CHECKLIST).status_code == 403
        approval = api.approve(sid, who="spokesperson2")["approval"]
        assert approval["appointment_id"] == second["id"]

    def test_a_scheduled_appointment_takes_over_at_its_time(self, api: Api, session: Session, org: None,
                                                            clock: Clock) -> None:  # fmt: skip
        appoint(api)
        appoint(api, username="spokesperson2", valid_from="2026-12-01T00:00:00+07:00", valid_until="2026-12-31")
        assert [r[0] for r in registry(api)] == ["Đặng Quốc Hưng", "Võ Thanh Bình"]
        clock.set(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
        api.relogin()
        assert [r[0] for r in registry(api)] == ["Đặng Quốc Hưng", "Hồ Thị Minh Thư"]
        later = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
        assert [p.name for p in service.current_spokespersons(session, later)] == ["Đặng Quốc Hưng"]

    def test_ending_an_appointment(self, api: Api, org: None, clock: Clock) -> None:
        body = appoint(api)
        clock.advance(minutes=30)
        ended = api.ok(api.post(f"/api/v1/spokespersons/appointments/{body['id']}/end", "director",
                                {"note": "Chuyển công tác"}))  # fmt: skip
        assert ended["in_force"] is False and ended["ended_by"]["username"] == "director"
        assert ended["ended_at"] == "2026-11-27T02:30:00Z"
        assert len(registry(api)) == 1
        again = api.post(f"/api/v1/spokespersons/appointments/{body['id']}/end", "director")
        assert again.status_code == 409
        assert api.post("/api/v1/spokespersons/appointments/999/end", "director").status_code == 404

    @pytest.mark.parametrize(("overrides", "field"), [
        ({"username": "handler"}, "username"),  # no spokesperson role
        ({"username": "director"}, "username"),  # a spokesperson by law already
        ({"username": "ghost"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"decision_date": "2026-12-01"}, "decision_date"),  # signed in the future
        ({"valid_from": "2026-11-20T08:00:00+07:00"}, "valid_from"),  # never retroactive
        ({"valid_until": "2026-11-26"}, "valid_until"),
        ({"title": ""}, "title"),
    ])  # fmt: skip
    def test_validation(self, api: Api, org: None, overrides: dict[str, Any], field: str) -> None:
        response = api.post("/api/v1/spokespersons/appointments", "director", {**APPOINTMENT, **overrides})
        assert response.status_code == 422, response.text
        assert field in response.text

    def test_an_appointment_running_out(self, api: Api, session: Session, org: None) -> None:
        appoint(api, valid_until="2026-11-28")
        assert len(service.current_spokespersons(session, FIXED_NOW + timedelta(days=1))) == 2
        assert len(service.current_spokespersons(session, datetime(2026, 11, 28, 17, 0, tzinfo=UTC))) == 1
