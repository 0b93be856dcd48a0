"""/api/v1/press-events: the press office logs press conferences and briefings, with the cases raised at each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW
from tests.factories import case_in_progress, make_case, standard_org, token

HELD = "2026-11-25T14:00:00+07:00"


@pytest.fixture
def refs(session: Session) -> dict[str, str]:
    standard_org(session, FIXED_NOW - timedelta(days=5))
    secondary = case_in_progress(session, now=FIXED_NOW - timedelta(days=3), unit="GDTrH")
    primary = case_in_progress(session, now=FIXED_NOW - timedelta(days=3), unit="GDTH")
    loose = make_case(session, by="office", now=FIXED_NOW - timedelta(days=3))
    session.flush()
    return {"trh": secondary.reference, "th": primary.reference, "loose": loose.reference}


def body(**extra: Any) -> dict[str, Any]:
    return {"kind": "press_conference", "held_at": HELD, "title": "Họp báo về tuyển sinh lớp 10",
            "spokesperson_name": "Võ Thanh Bình", "spokesperson_title": "Chánh Văn phòng Sở", **extra}  # fmt: skip


def kinds(client: TestClient, reference: str) -> list[str]:
    events = client.get(f"/api/v1/cases/{reference}/events", headers=token(client, "office")).json()["items"]
    return [e["kind"] for e in events]


class TestPressEvents:
    def test_log_read_change_delete(self, client: TestClient, refs: dict[str, str]) -> None:
        office = token(client, "office")
        created = client.post("/api/v1/press-events", json=body(cases=[refs["trh"], refs["th"].lower()]),
                              headers=office)  # fmt: skip
        assert created.status_code == 201, created.text
        event = created.json()
        assert event["held_at"] == "2026-11-25T14:00:00+07:00"
        assert [c["reference"] for c in event["cases"]] == sorted([refs["trh"], refs["th"]])
        assert event["created_by"]["username"] == "office"
        assert "press_event_linked" in kinds(client, refs["trh"])

        listed = client.get("/api/v1/press-events?since=2026-11-25&until=2026-11-25", headers=office).json()["items"]
        assert [e["id"] for e in listed] == [event["id"]]
        assert client.get("/api/v1/press-events?since=2026-11-26", headers=office).json()["items"] == []
        assert client.get("/api/v1/press-events?kind=press_briefing", headers=office).json()["items"] == []

        changed = client.patch(f"/api/v1/press-events/{event['id']}", json={"cases": [refs["loose"]],
                               "kind": "press_briefing", "organiser": "Ban Tuyên giáo và Dân vận Thành ủy"},
                               headers=office).json()  # fmt: skip
        assert [c["reference"] for c in changed["cases"]] == [refs["loose"]]
        assert (changed["kind"], changed["organiser"]) == ("press_briefing", "Ban Tuyên giáo và Dân vận Thành ủy")
        assert "press_event_unlinked" in kinds(client, refs["trh"])

        assert client.delete(f"/api/v1/press-events/{event['id']}", headers=office).status_code == 204
        assert client.get(f"/api/v1/press-events/{event['id']}", headers=office).status_code == 404
        assert kinds(client, refs["loose"])[-1] == "press_event_unlinked"

    def test_who_may_log_and_read(self, client: TestClient, refs: dict[str, str]) -> None:
        for who in ("spokesperson", "director"):
            assert client.post("/api/v1/press-events", json=body(), headers=token(client, who)).status_code == 201
        for who in ("head", "admin"):
            assert client.post("/api/v1/press-events", json=body(), headers=token(client, who)).status_code == 403
        assert client.get("/api/v1/press-events", headers=token(client, "handler")).status_code == 403
        # A unit head reads the log, but only the cases the unit may see.
        client.post("/api/v1/press-events", json=body(cases=[refs["trh"], refs["th"]]), headers=token(client, "office"))
        items = client.get("/api/v1/press-events", headers=token(client, "head")).json()["items"]
        assert [c["reference"] for c in items[0]["cases"]] == [refs["trh"]]

    @pytest.mark.parametrize(
        ("change", "field"),
        [({"held_at": "2026-11-28T09:00:00+07:00"}, "held_at"), ({"cases": ["VV-2026-99999"]}, "cases"),
         ({"kind": "interview"}, "kind"), ({"title": ""}, "title"),
         ({"spokesperson_name": "a\x00b"}, "spokesperson_name")],
    )  # fmt: skip
    def test_bad_input(self, client: TestClient, refs: dict[str, str], change: dict[str, Any], field: str) -> None:
        response = client.post("/api/v1/press-events", json=body(**change), headers=token(client, "office"))
        assert response.status_code == 422
        detail = response.json()
        assert detail.get("field") == field or field in {f["field"] for f in detail.get("fields", [])}

    def test_unknown_event(self, client: TestClient, refs: dict[str, str]) -> None:
        office = token(client, "office")
        assert client.patch("/api/v1/press-events/999", json={"title": "x"}, headers=office).status_code == 404
        assert client.delete("/api/v1/press-events/999", headers=office).status_code == 404
        assert client.get("/api/v1/press-events/0", headers=office).status_code == 422
