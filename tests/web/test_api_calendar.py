"""The calendar, the rule packs and the internal targets through the API (admin edits, staff read)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.clocks.test_api_clocks import clocks, intake
from tests.conftest import FIXED_NOW
from tests.factories import standard_org, token


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


class TestCalendar:
    def test_the_2026_calendar_has_the_seeded_swaps_and_the_lunar_holidays(self, client: TestClient, org: None) -> None:
        body = client.get("/api/v1/calendar/2026", headers=token(client, "handler")).json()
        days = {d["day"]: d for d in body["days"]}
        assert days["2026-01-02"]["kind"] == "extra_off"
        assert days["2026-01-10"]["kind"] == "makeup" and days["2026-01-10"]["working"] is True
        assert days["2026-02-17"]["holiday"] == "Tết Nguyên Đán"
        assert days["2026-08-22"]["override"]["kind"] == "makeup_workday"
        assert {o["day"] for o in body["overrides"]} == {"2026-01-02", "2026-01-10", "2026-08-22", "2026-08-31"}
        assert body["working_days"] + body["days_off"] == 365

    def test_refuses_an_override_that_changes_nothing(self, client: TestClient, org: None) -> None:
        admin = token(client, "admin")
        saturday = client.post(
            "/api/v1/calendar/overrides",
            headers=admin,
            json={"day": "2026-12-05", "kind": "extra_off", "description": "x"},
        )
        assert (saturday.status_code, saturday.json()["field"]) == (422, "day")
        weekday = client.post(
            "/api/v1/calendar/overrides",
            headers=admin,
            json={"day": "2026-12-07", "kind": "makeup_workday", "description": "x"},
        )
        assert weekday.status_code == 422
        twice = client.post(
            "/api/v1/calendar/overrides",
            headers=admin,
            json={"day": "2026-01-02", "kind": "extra_off", "description": "x"},
        )
        assert twice.status_code == 409
        missing = client.delete("/api/v1/calendar/overrides/2026-12-07", headers=admin)
        assert missing.status_code == 404


class TestRulePacksAndTargets:
    def test_anyone_on_staff_reads_the_packs(self, client: TestClient, org: None) -> None:
        packs = client.get("/api/v1/rule-packs", headers=token(client, "handler")).json()
        assert [p["code"] for p in packs] == ["decree-09-2017", "decree-244-2026"]

    def test_the_default_targets_are_seeded(self, client: TestClient, org: None) -> None:
        targets = client.get("/api/v1/targets", headers=token(client, "office")).json()
        assert [(t["severity"], t["length"], t["unit"]) for t in targets if t["crisis_level"] is None] == [
            ("crisis", 6, "hours"),
            (None, 5, "working_days"),
            (None, 2, "working_days"),
            (None, 4, "hours"),
        ]
        # The crisis clocks (issue 14): per level, counted in hours from the declaration.
        crisis = [(t["crisis_level"], t["length"]) for t in targets if t["crisis_level"] is not None]
        assert crisis == [(1, 4), (1, 8), (2, 2), (2, 4), (2, 6), (3, 1), (3, 2), (3, 6)]

    def test_the_admin_adds_changes_and_deactivates_a_target(self, client: TestClient, org: None) -> None:
        admin = token(client, "admin")
        body = {
            "name": "Thông tin ban đầu trong 12 giờ (vụ việc nóng)",
            "severity": "hot",
            "start_event": "received",
            "length": 12,
            "unit": "hours",
            "met_by": "first_notice",
            "actor": "spokesperson",
        }
        created = client.post("/api/v1/targets", json=body, headers=admin)
        assert created.status_code == 201, created.text
        target_id = created.json()["id"]
        ref = intake(client, severity="hot")
        assert [(c["origin"], c["due_at"]) for c in clocks(client, ref)] == [("internal", "2026-11-27T20:30:00+07:00")]
        changed = client.patch(f"/api/v1/targets/{target_id}", json={"length": 8}, headers=admin)
        assert changed.json()["length"] == 8
        bad = client.patch(f"/api/v1/targets/{target_id}", json={"unit": "fixed"}, headers=admin)
        assert bad.status_code == 422
        gone = client.delete(f"/api/v1/targets/{target_id}", headers=admin)
        assert gone.json()["active"] is False
        assert clocks(client, intake(client, severity="hot")) == []

    def test_only_the_admin_edits_targets(self, client: TestClient, org: None) -> None:
        body = {
            "name": "x",
            "start_event": "received",
            "length": 1,
            "unit": "hours",
            "met_by": "reply",
            "actor": "unit",
        }
        assert client.post("/api/v1/targets", json=body, headers=token(client, "spokesperson")).status_code == 403
        assert (
            client.post("/api/v1/targets", json={**body, "unit": "fixed"}, headers=token(client, "admin")).status_code
            == 422
        )
