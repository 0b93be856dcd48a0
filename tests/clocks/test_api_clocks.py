"""A case's clocks through the HTTP API: the rule packs, the start events, meeting, pausing, extending, closing,
the calendar changing under a running clock, and the explanation of a due time."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.cases import service as cases
from app.cases.events import record_event
from app.cases.models import Case
from app.cases.vocabulary import CaseEventKind
from app.cases.workflow import Action
from tests.conftest import FIXED_NOW, Clock
from tests.factories import actor, standard_org, token

BASE = {
    "title": "Vụ việc có thời hạn",
    "summary": "Thử thời hạn.",
    "source_kind": "press_article",
    "topic": "education_quality",
    "severity": "routine",
    "received_at": "2026-11-27T08:30:00+07:00",
}
BASIS_244_7_3 = "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 3"


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


def intake(client: TestClient, **fields: Any) -> str:
    response = client.post("/api/v1/cases", json={**BASE, **fields}, headers=token(client, "office"))
    assert response.status_code == 201, response.text
    ref: str = response.json()["reference"]
    return ref


def clocks(client: TestClient, ref: str, user: str = "office") -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/cases/{ref}/clocks", headers=token(client, user))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def statutory(client: TestClient, ref: str) -> dict[str, Any]:
    found = [c for c in clocks(client, ref) if c["origin"] == "statutory"]
    assert len(found) == 1, found
    return found[0]


def transition(client: TestClient, ref: str, user: str, action: str, **body: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/cases/{ref}/transitions", json={"action": action, **body}, headers=token(client, user)
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def events(client: TestClient, ref: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(f"/api/v1/cases/{ref}/events", headers=token(client, "office")).json()[
        "items"
    ]
    return items


def publish_notice(session: Session, ref: str, kind: str, at: datetime, number: str = "1/TC-SGDĐT") -> None:
    """What the statements domain records when a notice is published."""
    case = session.exec(select(Case).where(Case.reference == ref)).one()
    record_event(
        session,
        case=case,
        actor_id=None,
        now=at,
        kind=CaseEventKind.NOTICE_PUBLISHED,
        data={"statement_id": 1, "statement_kind": kind, "notice_number": number, "published_at": at.isoformat()},
    )
    session.commit()


class TestRulePacks:
    def test_a_major_event_under_decree_244_runs_24_hours_from_receipt(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="major_event", occurred_at="2026-11-26T20:00:00+07:00")
        clock = statutory(client, ref)
        assert clock["basis"] == BASIS_244_7_3
        assert clock["pack"] == "decree-244-2026"
        assert clock["due_at"] == "2026-11-28T08:30:00+07:00"
        assert clock["state"] == "running"
        assert clock["overdue"] is False
        assert clock["remaining_seconds"] == (23 * 3600 + 30 * 60)

    def test_a_case_received_on_30_june_2026_keeps_decree_09(self, client: TestClient, org: None) -> None:
        ref = intake(
            client,
            legal_trigger="major_event",
            received_at="2026-06-30T23:30:00+07:00",
            occurred_at="2026-06-30T10:00:00+07:00",
        )
        clock = statutory(client, ref)
        assert clock["pack"] == "decree-09-2017"
        assert clock["basis"] == "Nghị định 09/2017/NĐ-CP, Điều 6 khoản 3 điểm a"
        assert clock["due_at"] == "2026-07-01T10:00:00+07:00"  # 24 hours from when the event occurred

    def test_a_case_received_on_1_july_2026_gets_decree_244(self, client: TestClient, org: None) -> None:
        ref = intake(
            client,
            legal_trigger="major_event",
            received_at="2026-07-01T00:30:00+07:00",
            occurred_at="2026-06-30T10:00:00+07:00",
        )
        clock = statutory(client, ref)
        assert clock["pack"] == "decree-244-2026"
        assert clock["basis"] == BASIS_244_7_3
        assert clock["due_at"] == "2026-07-02T00:30:00+07:00"  # 24 hours from receipt

    def test_decree_09_counts_from_receipt_when_the_event_time_is_unknown(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="major_event", received_at="2026-06-15T09:00:00+07:00")
        clock = statutory(client, ref)
        assert clock["due_at"] == "2026-06-16T09:00:00+07:00"
        assert clock["started_from"] == "received"
        assert "tạm tính" in clock["note"]

    def test_divided_opinion_waits_for_the_impact_to_be_determined(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="divided_opinion")
        clock = statutory(client, ref)
        assert clock["basis"] == "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 4"
        assert (clock["state"], clock["due_at"]) == ("pending", None)
        assert "dư luận" in clock["note"]
        client.patch(
            f"/api/v1/cases/{ref}",
            json={"impact_determined_at": "2026-11-27T10:00:00+07:00"},
            headers=token(client, "office"),
        )
        clock = statutory(client, ref)
        assert (clock["state"], clock["due_at"]) == ("running", "2026-11-28T10:00:00+07:00")

    def test_an_editor_reply_request_has_30_days(self, client: TestClient, org: None) -> None:
        # Received Friday 30 Oct 2026: day 30 is Sunday 29 Nov, so the period ends with Monday 30 Nov.
        ref = intake(client, legal_trigger="editor_reply_request", received_at="2026-10-30T15:00:00+07:00")
        clock = statutory(client, ref)
        assert clock["basis"] == "Nghị định 237/2026/NĐ-CP, Điều 18 khoản 1"
        assert clock["due_at"] == "2026-12-01T00:00:00+07:00"
        old = statutory(
            client, intake(client, legal_trigger="editor_reply_request", received_at="2026-05-10T15:00:00+07:00")
        )
        assert old["basis"] == "Luật Báo chí 2016, Điều 39"
        assert old["due_at"] == "2026-06-10T00:00:00+07:00"

    def test_forwarded_feedback_has_15_working_days_or_30_days_under_the_2016_law(
        self, client: TestClient, org: None
    ) -> None:
        # Friday 27 Nov 2026: working days 30 Nov – 4 Dec, 7–11 Dec, 14–18 Dec; the 15th is Friday 18 Dec.
        clock = statutory(client, intake(client, legal_trigger="press_forwarded_feedback"))
        assert clock["basis"] == "Nghị định 237/2026/NĐ-CP, Điều 18 khoản 3"
        assert (clock["length"], clock["unit"]) == (15, "working_days")
        assert clock["due_at"] == "2026-12-19T00:00:00+07:00"
        old = statutory(
            client, intake(client, legal_trigger="press_forwarded_feedback", received_at="2026-06-01T09:00:00+07:00")
        )
        assert (old["basis"], old["length"], old["unit"]) == ("Luật Báo chí 2016, Điều 39", 30, "days")

    def test_a_forwarded_complaint_runs_5_working_days_from_its_conclusion(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="press_forwarded_complaint")
        clock = statutory(client, ref)
        assert clock["basis"] == "Nghị định 237/2026/NĐ-CP, Điều 18 khoản 2"
        assert clock["state"] == "pending"
        response = client.patch(
            f"/api/v1/cases/{ref}",
            json={"complaint_concluded_at": "2026-11-27T08:00:00+07:00"},
            headers=token(client, "office"),
        )
        assert response.json()["complaint_concluded_at"] == "2026-11-27T01:00:00Z"
        clock = statutory(client, ref)
        assert (clock["state"], clock["due_at"]) == ("running", "2026-12-05T00:00:00+07:00")  # Fri 4 Dec

    def test_press_requests_have_no_statutory_clock_only_internal_targets(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="press_request", source_kind="press_inquiry")
        items = clocks(client, ref)
        assert [c["origin"] for c in items] == ["internal"]
        assert items[0]["basis"].startswith("Chỉ tiêu nội bộ: Trả lời câu hỏi của phóng viên")
        assert items[0]["due_at"] == "2026-12-05T00:00:00+07:00"  # 5 working days

    def test_a_crisis_gets_the_6_hour_holding_statement_target(self, client: TestClient, org: None) -> None:
        items = clocks(client, intake(client, legal_trigger="major_event", severity="crisis"))
        assert [(c["origin"], c["due_at"]) for c in items] == [
            ("internal", "2026-11-27T14:30:00+07:00"),
            ("statutory", "2026-11-28T08:30:00+07:00"),
        ]

    def test_changing_the_legal_trigger_stops_the_old_clock_and_starts_the_new(
        self, client: TestClient, org: None
    ) -> None:
        ref = intake(client, legal_trigger="major_event")
        client.patch(
            f"/api/v1/cases/{ref}", json={"legal_trigger": "editor_reply_request"}, headers=token(client, "office")
        )
        items = {c["basis"]: c["state"] for c in clocks(client, ref)}
        assert items == {"Nghị định 237/2026/NĐ-CP, Điều 18 khoản 1": "running", BASIS_244_7_3: "stopped"}

    def test_the_english_name_and_the_untranslated_basis(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="major_event")
        response = client.get(
            f"/api/v1/cases/{ref}/clocks", headers={**token(client, "office"), "Accept-Language": "en"}
        )
        clock = response.json()["items"][0]
        assert clock["name"] == "Initial information to the press"
        assert clock["basis"] == BASIS_244_7_3
        assert clock["state_label"] == "Running"

    def test_an_invisible_case_has_no_clocks_to_show(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="major_event", lead_unit="GDTH")
        response = client.get(f"/api/v1/cases/{ref}/clocks", headers=token(client, "handler"))
        assert response.status_code == 404


class TestMeeting:
    def test_any_first_notice_meets_the_initial_information_clock(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        ref = intake(client, legal_trigger="major_event")
        publish_notice(session, ref, "initial_information", datetime(2026, 11, 27, 5, 0, tzinfo=UTC))
        clock = statutory(client, ref)
        assert (clock["state"], clock["met_at"]) == ("met_on_time", "2026-11-27T12:00:00+07:00")
        assert clock["overdue"] is False

    def test_a_notice_after_the_due_time_is_met_late(
        self, client: TestClient, session: Session, clock: Clock, org: None
    ) -> None:
        ref = intake(client, legal_trigger="major_event")
        clock.advance(hours=30)
        assert statutory(client, ref)["overdue"] is True
        publish_notice(session, ref, "response", clock.now)
        assert statutory(client, ref)["state"] == "met_late"

    def test_a_reply_clock_waits_for_a_response_not_a_holding_statement(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        ref = intake(client, legal_trigger="editor_reply_request")
        publish_notice(session, ref, "initial_information", datetime(2026, 11, 27, 5, tzinfo=UTC))
        assert statutory(client, ref)["state"] == "running"
        publish_notice(session, ref, "refusal", datetime(2026, 11, 27, 6, tzinfo=UTC), "2/TB-SGDĐT")
        assert statutory(client, ref)["state"] == "met_on_time"

    def test_the_press_office_marks_a_clock_met_outside_the_system(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="major_event")
        clock_id = statutory(client, ref)["id"]
        body = {"note": "Đã trả lời tại họp báo của UBND Thành phố.", "at": "2026-11-27T08:45:00+07:00"}
        denied = client.post(f"/api/v1/cases/{ref}/clocks/{clock_id}/met", json=body, headers=token(client, "head"))
        assert denied.status_code == 404  # the unit does not even see a case that is not routed to it
        response = client.post(f"/api/v1/cases/{ref}/clocks/{clock_id}/met", json=body, headers=token(client, "office"))
        assert response.status_code == 200, response.text
        assert (response.json()["state"], response.json()["met_at"]) == ("met_on_time", "2026-11-27T08:45:00+07:00")
        logged = events(client, ref)[-1]
        assert (logged["kind"], logged["action"], logged["note"]) == ("clock", "met", body["note"])
        again = client.post(f"/api/v1/cases/{ref}/clocks/{clock_id}/met", json=body, headers=token(client, "office"))
        assert again.status_code == 409

    def test_a_handler_may_not_mark_a_clock_met(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="major_event", lead_unit="GDTrH")
        clock_id = statutory(client, ref)["id"]
        response = client.post(
            f"/api/v1/cases/{ref}/clocks/{clock_id}/met", json={"note": "x"}, headers=token(client, "handler")
        )
        assert response.status_code == 403


class TestPauseAndResume:
    def test_on_hold_pauses_the_clocks_that_may_pause_and_resume_moves_them(
        self, client: TestClient, clock: Clock, org: None
    ) -> None:
        ref = intake(client, legal_trigger="major_event")
        transition(client, ref, "office", "assign", lead_unit="GDTrH")
        transition(client, ref, "head", "accept")
        facts = next(c for c in clocks(client, ref) if c["origin"] == "internal")
        assert facts["due_at"] == "2026-12-02T00:00:00+07:00"  # 2 working days from Friday 27 Nov
        transition(client, ref, "head", "hold", note="Chờ kết luận của cơ quan công an.")
        by_origin = {c["origin"]: c for c in clocks(client, ref)}
        assert by_origin["internal"]["state"] == "paused"
        assert by_origin["statutory"]["state"] == "running"  # the law's 24 hours never pause
        clock.advance(days=3)
        transition(client, ref, "head", "resume")
        facts = next(c for c in clocks(client, ref) if c["origin"] == "internal")
        assert facts["state"] == "running"
        assert facts["paused_seconds"] == 3 * 86400
        assert facts["due_at"] == "2026-12-03T00:00:00+07:00"  # counted from Monday 30 Nov instead
        logged = [(e["kind"], e["action"]) for e in events(client, ref) if e["kind"] == "clock"]
        assert logged == [("clock", "paused"), ("clock", "resumed")]


class TestExtension:
    def test_the_spokesperson_extends_with_a_reason_and_it_is_logged(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="press_forwarded_feedback")
        clock_id = statutory(client, ref)["id"]
        body = {"by": 5, "reason": "Chờ kết quả thanh tra."}
        response = client.post(
            f"/api/v1/cases/{ref}/clocks/{clock_id}/extend", json=body, headers=token(client, "spokesperson")
        )
        assert response.status_code == 200, response.text
        assert (response.json()["extension"], response.json()["due_at"]) == (5, "2026-12-26T00:00:00+07:00")
        logged = events(client, ref)[-1]
        assert (logged["kind"], logged["action"], logged["note"]) == ("clock", "extended", body["reason"])
        assert logged["actor"]["username"] == "spokesperson"
        assert logged["data"]["old_due_at"] == "2026-12-19T00:00:00+07:00"
        assert logged["data"]["due_at"] == "2026-12-26T00:00:00+07:00"

    def test_the_director_may_extend_too(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="major_event")
        clock_id = statutory(client, ref)["id"]
        response = client.post(
            f"/api/v1/cases/{ref}/clocks/{clock_id}/extend",
            json={"by": 6, "reason": "Lý do"},
            headers=token(client, "director"),
        )
        assert response.json()["due_at"] == "2026-11-28T14:30:00+07:00"

    @pytest.mark.parametrize(("user", "status"), [("office", 403), ("head", 403), ("admin", 403)])
    def test_nobody_else_may_extend(self, client: TestClient, org: None, user: str, status: int) -> None:
        ref = intake(client, legal_trigger="major_event", lead_unit="GDTrH")
        clock_id = statutory(client, ref)["id"]
        response = client.post(
            f"/api/v1/cases/{ref}/clocks/{clock_id}/extend", json={"by": 1, "reason": "x"}, headers=token(client, user)
        )
        assert response.status_code == status

    def test_a_reason_is_required(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="major_event")
        clock_id = statutory(client, ref)["id"]
        response = client.post(
            f"/api/v1/cases/{ref}/clocks/{clock_id}/extend",
            json={"by": 1, "reason": "  "},
            headers=token(client, "spokesperson"),
        )
        assert response.status_code == 422

    def test_a_clock_of_another_case_is_not_found(self, client: TestClient, org: None) -> None:
        first, second = intake(client, legal_trigger="major_event"), intake(client, legal_trigger="major_event")
        clock_id = statutory(client, first)["id"]
        response = client.post(
            f"/api/v1/cases/{second}/clocks/{clock_id}/extend",
            json={"by": 1, "reason": "x"},
            headers=token(client, "spokesperson"),
        )
        assert response.status_code == 404


class TestClosing:
    def test_closing_unanswered_before_the_due_time_stops_the_clock(self, client: TestClient, org: None) -> None:
        ref = intake(client, legal_trigger="major_event")
        transition(client, ref, "office", "close", reason="duplicate", note="Trùng VV-2026-00001.")
        clock = statutory(client, ref)
        assert clock["state"] == "stopped"
        assert "Trùng" in clock["note"]

    def test_closing_unanswered_after_the_due_time_records_it_missed(
        self, client: TestClient, clock: Clock, org: None
    ) -> None:
        ref = intake(client, legal_trigger="major_event")
        clock.advance(hours=25)
        transition(client, ref, "office", "close", reason="no_action", note="Không thuộc thẩm quyền.")
        assert statutory(client, ref)["state"] == "missed"

    def test_publishing_the_response_meets_the_clocks_and_closing_keeps_them(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        ref = intake(client, legal_trigger="editor_reply_request", lead_unit="GDTrH")
        case = session.exec(select(Case).where(Case.reference == ref)).one()
        for action, who in (
            ("assign", "office"),
            ("accept", "head"),
            ("submit", "head"),
            ("approve", "spokesperson"),
            ("publish", "office"),
        ):
            cases.transition_case(
                session,
                actor=actor(session, who),
                case=case,
                action=Action(action),
                now=FIXED_NOW,
                lead_unit="GDTrH" if action == "assign" else None,
                via_statement=action in ("submit", "approve", "publish"),
            )
        session.commit()
        states = {c["origin"] + ":" + c["basis"][:20]: c["state"] for c in clocks(client, ref)}
        assert "stopped" not in states.values() and "running" not in states.values(), states
        transition(client, ref, "office", "close")
        assert statutory(client, ref)["state"] == "met_on_time"


class TestCalendarChanges:
    def test_an_extra_day_off_moves_a_working_day_clock_and_not_a_24_hour_clock(
        self, client: TestClient, org: None
    ) -> None:
        feedback = intake(client, legal_trigger="press_forwarded_feedback")
        event = intake(client, legal_trigger="major_event")
        assert statutory(client, feedback)["due_at"] == "2026-12-19T00:00:00+07:00"
        assert (statutory(client, feedback)["calendar_version"], statutory(client, event)["calendar_version"]) == (
            0,
            None,  # a clock in hours is not counted on the calendar
        )
        admin = token(client, "admin")
        response = client.post(
            "/api/v1/calendar/overrides",
            json={"day": "2026-12-01", "kind": "extra_off", "description": "Nghỉ thêm (thử)"},
            headers=admin,
        )
        assert response.status_code == 201, response.text
        assert statutory(client, feedback)["due_at"] == "2026-12-22T00:00:00+07:00"  # Monday 21 Dec
        assert statutory(client, event)["due_at"] == "2026-11-28T08:30:00+07:00"
        assert statutory(client, feedback)["calendar_version"] == 1
        logged = events(client, feedback)[-1]
        assert (logged["kind"], logged["action"], logged["data"]["reason"], logged["data"]["calendar_version"]) == (
            "clock",
            "recomputed",
            "calendar_changed",
            1,
        )
        assert [e["kind"] for e in events(client, event)] == ["created"]
        case = client.get(f"/api/v1/cases/{feedback}", headers=admin).json()
        assert case["next_due_at"] == "2026-12-21T17:00:00Z"
        removed = client.delete("/api/v1/calendar/overrides/2026-12-01", headers=admin)
        assert removed.status_code == 204
        assert statutory(client, feedback)["due_at"] == "2026-12-19T00:00:00+07:00"
        assert statutory(client, feedback)["calendar_version"] == 2
        far = {"day": "2027-06-01", "kind": "extra_off", "description": "Ngoài thời hạn"}  # moves nothing
        assert client.post("/api/v1/calendar/overrides", json=far, headers=admin).status_code == 201
        unmoved = statutory(client, feedback)
        assert (unmoved["due_at"], unmoved["calendar_version"]) == ("2026-12-19T00:00:00+07:00", 3)  # judged again

    def test_only_the_admin_edits_the_calendar(self, client: TestClient, org: None) -> None:
        body = {"day": "2026-12-01", "kind": "extra_off", "description": "Nghỉ thêm"}
        assert client.post("/api/v1/calendar/overrides", json=body, headers=token(client, "office")).status_code == 403


class TestExplain:
    def test_lists_the_days_skipped_and_the_makeup_days_counted(
        self, client: TestClient, clock: Clock, org: None
    ) -> None:
        clock.set(datetime(2026, 12, 30, 3, 0, tzinfo=UTC))
        ref = intake(client, legal_trigger="press_forwarded_feedback", received_at="2026-12-30T09:00:00+07:00")
        admin = token(client, "admin")
        client.post(
            "/api/v1/calendar/overrides",
            headers=admin,
            json={"day": "2027-01-09", "kind": "makeup_workday", "description": "Làm bù (thử)"},
        )
        clock_id = statutory(client, ref)["id"]
        response = client.get(f"/api/v1/cases/{ref}/clocks/{clock_id}/explain", headers=token(client, "office"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["basis"] == "Nghị định 237/2026/NĐ-CP, Điều 18 khoản 3"
        assert body["rule"] == "15 ngày làm việc kể từ thời điểm Sở tiếp nhận vụ việc"
        assert body["start_at"] == "2026-12-30T09:00:00+07:00"
        assert body["calendar_version"] == body["clock"]["calendar_version"] == 1  # one override added
        assert body["holidays_version"] == version("holidays")
        skipped = [(d["day"], d["kind"], d["label"]) for d in body["skipped"]]
        assert skipped[:3] == [
            ("2027-01-01", "holiday", "Tết Dương lịch"),
            ("2027-01-02", "weekend", None),
            ("2027-01-03", "weekend", None),
        ]
        assert [(d["day"], d["number"]) for d in body["makeup_days"]] == [("2027-01-09", 7)]
        assert body["days"][-1]["number"] == 15
        assert body["due_at"] == body["clock"]["due_at"] == "2027-01-21T00:00:00+07:00"
        assert "ngày làm việc" in body["counting"]


class TestCaseList:
    def test_overdue_due_soon_and_sort_by_due(self, client: TestClient, clock: Clock, org: None) -> None:
        soon = intake(client, legal_trigger="major_event", received_at="2026-11-26T12:00:00+07:00")  # due in 3 h
        late = intake(client, legal_trigger="major_event", received_at="2026-11-25T12:00:00+07:00")  # overdue
        later = intake(client, legal_trigger="press_forwarded_feedback")  # 18 Dec
        none = intake(client)  # no clock
        office = token(client, "office")

        def refs(query: str) -> list[str]:
            response = client.get(f"/api/v1/cases?{query}", headers=office)
            assert response.status_code == 200, response.text
            return [c["reference"] for c in response.json()["items"]]

        assert refs("overdue=true") == [late]
        assert set(refs("overdue=false")) == {soon, later, none}
        assert refs("due_within_hours=4") == [soon]
        assert refs("due_within_hours=24&sort=due") == [soon]
        assert refs("sort=due") == [late, soon, later, none]
        page = client.get("/api/v1/cases?sort=due&limit=2", headers=office).json()
        assert [c["reference"] for c in page["items"]] == [late, soon]
        rest = client.get(f"/api/v1/cases?sort=due&limit=2&cursor={page['next_cursor']}", headers=office).json()
        assert [c["reference"] for c in rest["items"]] == [later, none]
        assert rest["next_cursor"] is None
        one = client.get(f"/api/v1/cases/{late}", headers=office).json()
        assert (one["overdue"], one["next_due_at"]) == (True, "2026-11-26T05:00:00Z")
        assert client.get(f"/api/v1/cases/{none}", headers=office).json()["overdue"] is False

    def test_a_bad_sort_is_refused(self, client: TestClient, org: None) -> None:
        response = client.get("/api/v1/cases?sort=nearest", headers=token(client, "office"))
        assert response.status_code == 422
