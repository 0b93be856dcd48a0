"""Cases through the HTTP API: intake, scope, lifecycle, timeline, update rules, list filters."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW, Clock
from tests.factories import make_case, standard_org, token

INTAKE = {
    "title": "Học sinh bị bạo lực tại trường THCS",
    "summary": "Clip lan truyền trên mạng xã hội.",
    "source_kind": "press_article",
    "topic": "ethics_school_safety",
    "severity": "crisis",
    "outlet": "Báo Thanh Niên",
    "reporter_name": "Lê Thị Mỹ Duyên",
    "source_url": "https://thanhnien.example.vn/bai-bao",
    "received_at": "2026-11-27T08:30:00+07:00",
    "occurred_at": "2026-11-26T16:00:00+07:00",
    "legal_trigger": "major_event",
}


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


def _intake(client: TestClient, **overrides: object) -> dict[str, object]:
    response = client.post("/api/v1/cases", json={**INTAKE, **overrides}, headers=token(client, "office"))
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


class TestIntake:
    def test_creates_a_new_case_with_a_reference(self, client: TestClient, org: None) -> None:
        body = _intake(client)
        assert body["reference"] == "VV-2026-00001"
        assert body["status"] == "new"
        assert body["received_at"] == "2026-11-27T01:30:00Z"
        assert body["severity"] == "crisis"
        second = _intake(client)
        assert second["reference"] == "VV-2026-00002"

    def test_a_status_in_the_body_is_refused(self, client: TestClient, org: None) -> None:
        response = client.post("/api/v1/cases", json={**INTAKE, "status": "published"},
                               headers=token(client, "office"))  # fmt: skip
        assert response.status_code == 422
        assert "status" in response.json()["detail"]

    def test_a_handler_may_not_log_cases(self, client: TestClient, org: None) -> None:
        response = client.post("/api/v1/cases", json=INTAKE, headers=token(client, "handler"))
        assert response.status_code == 403
        assert response.json()["error"] == "PermissionDenied"

    def test_without_credentials(self, client: TestClient, org: None) -> None:
        response = client.post("/api/v1/cases", json=INTAKE)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"

    def test_a_time_without_offset_is_local_time(self, client: TestClient, org: None) -> None:
        body = _intake(client, received_at="2026-11-27T08:30:00")
        assert body["received_at"] == "2026-11-27T01:30:00Z"

    def test_received_in_the_future_is_refused(self, client: TestClient, org: None) -> None:
        response = client.post("/api/v1/cases", json={**INTAKE, "received_at": "2026-12-30T08:00:00+07:00"},
                               headers=token(client, "office"))  # fmt: skip
        assert response.status_code == 422
        assert response.json()["field"] == "received_at"

    def test_the_intake_is_the_first_event(self, client: TestClient, org: None) -> None:
        ref = _intake(client)["reference"]
        events = client.get(f"/api/v1/cases/{ref}/events", headers=token(client, "office")).json()["items"]
        assert [e["kind"] for e in events] == ["created"]
        assert events[0]["actor"]["username"] == "office"
        assert events[0]["to_status"] == "new"


class TestScope:
    def test_a_handler_sees_only_the_cases_of_its_unit(self, client: TestClient, session: Session,
                                                         org: None) -> None:  # fmt: skip
        mine = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
        theirs = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTH")
        supported = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTH", supporting_units=["GDTrH"])
        headers = token(client, "handler")
        listed = {c["reference"] for c in client.get("/api/v1/cases", headers=headers).json()["items"]}
        assert listed == {mine.reference, supported.reference}
        response = client.get(f"/api/v1/cases/{theirs.reference}", headers=headers)
        assert response.status_code == 404
        assert response.json()["error"] == "NotFound"
        assert client.get(f"/api/v1/cases/{theirs.reference}/events", headers=headers).status_code == 404
        transition = client.post(f"/api/v1/cases/{theirs.reference}/transitions", json={"action": "accept"},
                                 headers=headers)  # fmt: skip
        assert transition.status_code == 404

    def test_the_press_office_sees_everything(self, client: TestClient, session: Session, org: None) -> None:
        make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
        make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTH")
        make_case(session, by="office", now=FIXED_NOW)
        for user in ("office", "spokesperson", "director", "admin"):
            assert len(client.get("/api/v1/cases", headers=token(client, user)).json()["items"]) == 3


class TestLifecycle:
    def test_new_to_in_progress_each_step_in_the_timeline(self, client: TestClient, org: None) -> None:
        ref = _intake(client)["reference"]
        office, head = token(client, "office"), token(client, "handler")
        assigned = client.post(f"/api/v1/cases/{ref}/transitions",
                               json={"action": "assign", "lead_unit": "GDTrH", "note": "Giao Phòng GDTrH"},
                               headers=office)  # fmt: skip
        assert assigned.status_code == 200, assigned.text
        assert assigned.json()["status"] == "assigned"
        assert assigned.json()["lead_unit"]["code"] == "GDTrH"
        accepted = client.post(f"/api/v1/cases/{ref}/transitions", json={"action": "accept"}, headers=head)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "in_progress"
        assert [a["username"] for a in accepted.json()["assignees"]] == ["handler"]
        events = client.get(f"/api/v1/cases/{ref}/events", headers=office).json()["items"]
        assert [(e["kind"], e["from_status"], e["to_status"]) for e in events] == [
            ("created", None, "new"),
            ("transition", "new", "assigned"),
            ("transition", "assigned", "in_progress"),
        ]
        assert events[1]["note"] == "Giao Phòng GDTrH"
        assert events[2]["actor"]["username"] == "handler"

    def test_an_edge_that_is_not_allowed_is_a_409_with_a_message(self, client: TestClient, org: None) -> None:
        ref = _intake(client)["reference"]
        response = client.post(f"/api/v1/cases/{ref}/transitions", json={"action": "accept"},
                               headers=token(client, "office"))  # fmt: skip
        assert response.status_code == 409
        assert response.json()["error"] == "InvalidTransition"
        assert "Nhận xử lý" in response.json()["detail"]
        english = client.post(f"/api/v1/cases/{ref}/transitions", json={"action": "accept"},
                              headers={**token(client, "office"), "Accept-Language": "en"})  # fmt: skip
        assert "Accept" in english.json()["detail"]

    def test_statement_edges_are_not_requested_directly(self, client: TestClient, session: Session,
                                                          org: None) -> None:  # fmt: skip
        ref = _intake(client)["reference"]
        office = token(client, "office")
        client.post(f"/api/v1/cases/{ref}/transitions", json={"action": "assign", "lead_unit": "GDTrH"},
                    headers=office)  # fmt: skip
        client.post(f"/api/v1/cases/{ref}/transitions", json={"action": "accept"}, headers=token(client, "head"))
        response = client.post(f"/api/v1/cases/{ref}/transitions", json={"action": "submit"},
                               headers=token(client, "head"))  # fmt: skip
        assert response.status_code == 409
        assert "statements" in response.json()["detail"]

    def test_close_needs_a_reason_and_reopen_returns_to_triage(self, client: TestClient, org: None) -> None:
        ref = _intake(client)["reference"]
        office = token(client, "office")
        no_reason = client.post(f"/api/v1/cases/{ref}/transitions", json={"action": "close"}, headers=office)
        assert no_reason.status_code == 409
        closed = client.post(f"/api/v1/cases/{ref}/transitions",
                             json={"action": "close", "reason": "duplicate", "note": "Trùng VV-2026-00001"},
                             headers=office)  # fmt: skip
        assert closed.status_code == 200, closed.text
        assert closed.json()["close_reason"] == "duplicate"
        reopened = client.post(f"/api/v1/cases/{ref}/transitions", json={"action": "reopen"}, headers=office)
        assert reopened.json()["status"] == "new"
        assert reopened.json()["close_reason"] is None

    def test_hold_and_resume(self, client: TestClient, session: Session, org: None, clock: Clock) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
        office, head = token(client, "office"), token(client, "head")
        client.post(f"/api/v1/cases/{case.reference}/transitions", json={"action": "assign"}, headers=office)
        client.post(f"/api/v1/cases/{case.reference}/transitions", json={"action": "accept"}, headers=head)
        held = client.post(f"/api/v1/cases/{case.reference}/transitions",
                           json={"action": "hold", "note": "Chờ kết luận thanh tra"}, headers=head)  # fmt: skip
        assert held.json()["status"] == "on_hold"
        clock.advance(hours=3)
        resumed = client.post(f"/api/v1/cases/{case.reference}/transitions", json={"action": "resume"},
                              headers=head)  # fmt: skip
        assert resumed.json()["status"] == "in_progress"
        assert resumed.json()["status_changed_at"] == "2026-11-27T05:00:00Z"

    def test_expected_status_guards_a_stale_form(self, client: TestClient, org: None) -> None:
        ref = _intake(client)["reference"]
        response = client.post(f"/api/v1/cases/{ref}/transitions",
                               json={"action": "close", "reason": "no_action", "note": "x",
                                     "expected_status": "assigned"},
                               headers=token(client, "office"))  # fmt: skip
        assert response.status_code == 409
        assert response.json()["error"] == "Conflict"

    def test_allowed_actions_follow_the_reader(self, client: TestClient, session: Session, org: None) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
        office = client.get(f"/api/v1/cases/{case.reference}", headers=token(client, "office")).json()
        assert office["allowed_actions"] == ["assign", "close"]
        handler = client.get(f"/api/v1/cases/{case.reference}", headers=token(client, "handler")).json()
        assert handler["allowed_actions"] == []


class TestUpdate:
    def test_fields_change_and_the_change_is_logged(self, client: TestClient, org: None) -> None:
        ref = _intake(client)["reference"]
        office = token(client, "office")
        response = client.patch(f"/api/v1/cases/{ref}", json={"title": "Tiêu đề mới", "tags": ["Thi-cu"]},
                                headers=office)  # fmt: skip
        assert response.status_code == 200, response.text
        assert response.json()["title"] == "Tiêu đề mới"
        assert response.json()["tags"] == ["thi-cu"]
        events = client.get(f"/api/v1/cases/{ref}/events", headers=office).json()["items"]
        assert events[-1]["kind"] == "updated"
        assert events[-1]["data"]["changes"]["title"] == [INTAKE["title"], "Tiêu đề mới"]

    def test_resending_unchanged_tags_and_assignees_writes_no_event(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
        office, head = token(client, "office"), token(client, "head")
        url = f"/api/v1/cases/{case.reference}"
        assert client.patch(url, json={"tags": ["Thi-cu", "tuyen-sinh"]}, headers=office).status_code == 200
        first = client.patch(url, json={"assignees": ["handler"]}, headers=head)
        assert first.status_code == 200, first.text
        before = client.get(f"{url}/events", headers=office).json()["items"]
        same_tags = client.patch(url, json={"tags": ["tuyen-sinh", "thi-cu"], "title": first.json()["title"]},
                                 headers=office)  # fmt: skip
        same_people = client.patch(url, json={"assignees": ["handler"]}, headers=head)
        assert same_tags.status_code == same_people.status_code == 200
        assert client.get(f"{url}/events", headers=office).json()["items"] == before  # no spurious "updated"
        assert same_people.json()["updated_at"] == first.json()["updated_at"]

    def test_status_is_never_a_field(self, client: TestClient, org: None) -> None:
        ref = _intake(client)["reference"]
        response = client.patch(f"/api/v1/cases/{ref}", json={"status": "published"},
                                headers=token(client, "office"))  # fmt: skip
        assert response.status_code == 422
        assert "transitions" in response.json()["detail"]

    def test_severity_is_the_spokespersons(self, client: TestClient, org: None) -> None:
        ref = _intake(client)["reference"]
        assert client.patch(f"/api/v1/cases/{ref}", json={"severity": "hot"},
                            headers=token(client, "office")).status_code == 403  # fmt: skip
        response = client.patch(f"/api/v1/cases/{ref}", json={"severity": "hot"},
                                headers=token(client, "spokesperson"))  # fmt: skip
        assert response.json()["severity"] == "hot"

    def test_related_cases_are_linked_both_ways(self, client: TestClient, org: None) -> None:
        first = _intake(client)["reference"]
        second = _intake(client, related=[first])["reference"]
        office = token(client, "office")
        assert client.get(f"/api/v1/cases/{first}", headers=office).json()["related"] == [second]
        unknown = client.patch(f"/api/v1/cases/{first}", json={"related": ["VV-2026-09999"]}, headers=office)
        assert unknown.status_code == 422

    def test_notes_go_to_the_timeline(self, client: TestClient, session: Session, org: None) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
        response = client.post(f"/api/v1/cases/{case.reference}/notes", json={"text": "Đã gọi hiệu trưởng."},
                               headers=token(client, "handler"))  # fmt: skip
        assert response.status_code == 201
        assert response.json()["items"][-1]["note"] == "Đã gọi hiệu trưởng."

    def test_assignees_come_from_the_cases_units(self, client: TestClient, session: Session, org: None) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
        head = token(client, "head")
        ok = client.patch(f"/api/v1/cases/{case.reference}", json={"assignees": ["handler"]}, headers=head)
        assert ok.status_code == 200, ok.text
        wrong = client.patch(f"/api/v1/cases/{case.reference}", json={"assignees": ["handler2"]}, headers=head)
        assert wrong.status_code == 422


class TestList:
    def test_filters_and_pagination(self, client: TestClient, session: Session, org: None, clock: Clock) -> None:
        for i in range(7):
            make_case(session, by="office", now=FIXED_NOW, title=f"Trường học số {i}", topic="education_quality",
                      severity="hot" if i % 2 else "routine")  # fmt: skip
        make_case(session, by="office", now=FIXED_NOW, title="Học phí", topic="facilities_finance_tuition")
        headers = token(client, "office")
        page = client.get("/api/v1/cases?limit=3&topic=education_quality", headers=headers).json()
        seen = [c["reference"] for c in page["items"]]
        while page["next_cursor"]:
            page = client.get(f"/api/v1/cases?limit=3&topic=education_quality&cursor={page['next_cursor']}",
                              headers=headers).json()  # fmt: skip
            seen += [c["reference"] for c in page["items"]]
        assert len(seen) == len(set(seen)) == 7
        hot = client.get("/api/v1/cases?severity=hot", headers=headers).json()["items"]
        assert len(hot) == 3
        both = client.get("/api/v1/cases?status=new,closed&severity=hot,routine", headers=headers).json()["items"]
        assert len(both) == 8

    def test_free_text_with_and_without_diacritics(self, client: TestClient, session: Session, org: None) -> None:
        make_case(session, by="office", now=FIXED_NOW, title="Bạo lực học đường ở Củ Chi")
        make_case(session, by="office", now=FIXED_NOW, title="Học phí năm học mới")
        headers = token(client, "office")
        for q in ("bạo lực", "bao luc", "CU CHI", "học đường"):
            items = client.get("/api/v1/cases", params={"q": q}, headers=headers).json()["items"]
            assert [c["title"] for c in items] == ["Bạo lực học đường ở Củ Chi"], q
        assert client.get("/api/v1/cases", params={"q": "100%_"}, headers=headers).json()["items"] == []

    def test_bad_filters_are_4xx_with_the_field(self, client: TestClient, org: None) -> None:
        headers = token(client, "office")
        for query, field in [("status=flying", "status"), ("limit=500", "limit"), ("cursor=@@@", "cursor"),
                             ("unit=NOPE", "unit"), ("received_from=yesterday", "received_from")]:  # fmt: skip
            response = client.get(f"/api/v1/cases?{query}", headers=headers)
            assert response.status_code == 422, query
            assert field in response.text, query
