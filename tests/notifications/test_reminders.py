"""Reminders and escalation: the right people at 50 %, 80 %, at and past the due time; each once; in-app list."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.clocks.models import Clock as ClockRow
from app.notifications.models import EmailStatus, Notification
from app.notifications.service import process_reminders
from app.org.models import User
from tests.clocks.test_api_clocks import intake, statutory, transition
from tests.conftest import FIXED_NOW, Clock
from tests.factories import standard_org, token

RECEIVED = datetime.fromisoformat("2026-11-27T08:30:00+07:00")


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    for user in session.exec(select(User)).all():
        user.email = f"{user.username}@sgddt.example.gov.vn"
        session.add(user)
    session.flush()


def run(session: Session, at: datetime, *, email: bool = True) -> int:
    handled = process_reminders(session, now=at, limit=100, base_url="http://crisisdesk.test", email_enabled=email)
    session.commit()
    return handled


def sent(session: Session, clock_id: int) -> list[tuple[str, str]]:
    rows = session.exec(
        select(Notification.stage, User.username)
        .join(User, col(User.id) == Notification.user_id)
        .where(Notification.clock_id == clock_id)
        .order_by(col(Notification.id))
    ).all()
    return [(str(stage), username) for stage, username in rows]


def assigned_case(client: TestClient, **fields: Any) -> tuple[str, int]:
    ref = intake(client, legal_trigger="major_event", **fields)
    transition(client, ref, "office", "assign", lead_unit="GDTrH", assignees=["handler"])
    return ref, statutory(client, ref)["id"]


class TestStages:
    def test_the_right_people_at_50_80_100_percent_and_past(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        _ref, clock_id = assigned_case(client)
        run(session, RECEIVED + timedelta(hours=11))
        assert sent(session, clock_id) == []
        run(session, RECEIVED + timedelta(hours=12))
        assert sent(session, clock_id) == [("half", "handler")]
        run(session, RECEIVED + timedelta(hours=19, minutes=12))
        assert sent(session, clock_id)[1:] == [("late", "handler")]
        run(session, RECEIVED + timedelta(hours=24))
        assert sorted(sent(session, clock_id)[2:]) == [("due", "head"), ("due", "office")]
        run(session, RECEIVED + timedelta(hours=26, minutes=24))  # past due by a tenth of the 24 hours
        assert sent(session, clock_id)[4:] == [("overdue", "spokesperson")]
        run(session, RECEIVED + timedelta(hours=48))
        assert len(sent(session, clock_id)) == 5

    def test_a_crisis_escalates_to_the_director_too(self, client: TestClient, session: Session, org: None) -> None:
        _ref, clock_id = assigned_case(client, severity="crisis")
        run(session, RECEIVED + timedelta(hours=30))
        assert sorted(sent(session, clock_id)) == [("overdue", "director"), ("overdue", "spokesperson")]

    def test_each_reminder_once_even_if_the_stage_is_claimed_again(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        _ref, clock_id = assigned_case(client)
        run(session, RECEIVED + timedelta(hours=12))
        clock = session.get(ClockRow, clock_id)
        assert clock is not None
        clock.next_reminder_stage, clock.next_reminder_at = "half", RECEIVED  # as if a worker died mid-pass
        session.add(clock)
        session.commit()
        run(session, RECEIVED + timedelta(hours=12, minutes=1))
        assert sent(session, clock_id) == [("half", "handler")]

    def test_without_assignees_the_unit_head_is_reminded_then_the_press_office(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        ref = intake(client, legal_trigger="major_event")
        clock_id = statutory(client, ref)["id"]
        run(session, RECEIVED + timedelta(hours=12))
        assert sent(session, clock_id) == [("half", "office")]  # no unit yet: the press office
        transition(client, ref, "office", "assign", lead_unit="GDTrH")
        run(session, RECEIVED + timedelta(hours=20))
        assert sent(session, clock_id)[1:] == [("late", "head")]

    def test_a_clock_that_starts_late_sends_only_its_latest_stage(
        self, client: TestClient, session: Session, clock: Clock, org: None
    ) -> None:
        # Decree 09/2017: 24 hours from the event, which happened 20 hours before the case was logged.
        clock.set(datetime.fromisoformat("2026-06-20T09:00:00+07:00"))
        ref = intake(
            client,
            legal_trigger="major_event",
            received_at="2026-06-20T09:00:00+07:00",
            occurred_at="2026-06-19T13:00:00+07:00",
        )
        clock_id = statutory(client, ref)["id"]
        run(session, datetime.fromisoformat("2026-06-20T09:05:00+07:00"))
        assert sent(session, clock_id) == [("late", "office")]

    def test_a_met_clock_sends_nothing_more(self, client: TestClient, session: Session, org: None) -> None:
        ref, clock_id = assigned_case(client)
        run(session, RECEIVED + timedelta(hours=12))
        client.post(
            f"/api/v1/cases/{ref}/clocks/{clock_id}/met",
            json={"note": "Đã trả lời qua điện thoại."},
            headers=token(client, "office"),
        )
        run(session, RECEIVED + timedelta(hours=40))
        assert sent(session, clock_id) == [("half", "handler")]

    def test_an_extension_rearms_the_reminders_for_the_new_due_time(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        ref, clock_id = assigned_case(client)
        run(session, RECEIVED + timedelta(hours=24))
        assert sent(session, clock_id) == [("due", "head"), ("due", "office")]  # the latest stage only
        client.post(
            f"/api/v1/cases/{ref}/clocks/{clock_id}/extend",
            json={"by": 24, "reason": "Chờ số liệu."},
            headers=token(client, "spokesperson"),
        )
        run(session, RECEIVED + timedelta(hours=48))
        assert sent(session, clock_id)[2:] == [("due", "head"), ("due", "office")]

    def test_a_task_reminds_the_members_of_its_unit(self, client: TestClient, session: Session, org: None) -> None:
        ref = intake(client, lead_unit="GDTrH")
        task = client.post(
            f"/api/v1/cases/{ref}/tasks",
            headers=token(client, "spokesperson"),
            json={"unit": "GDTH", "request": "Số liệu?", "due_at": "2026-11-27T19:00:00+07:00"},
        )
        clock_id = task.json()["clock_id"]
        run(session, datetime.fromisoformat("2026-11-27T14:00:00+07:00"))
        assert sorted(sent(session, clock_id)) == [("half", "handler2"), ("half", "head2")]
        run(session, datetime.fromisoformat("2026-11-27T19:00:00+07:00"))
        assert sorted(sent(session, clock_id)[2:]) == [("due", "head2"), ("due", "office")]


class TestInApp:
    def test_the_recipient_reads_and_marks_them(self, client: TestClient, session: Session, org: None) -> None:
        assigned_case(client)
        handler = token(client, "handler")
        client.post("/api/v1/notifications/read-all", headers=handler)  # routed and assigned to them: read
        run(session, RECEIVED + timedelta(hours=12))
        page = client.get("/api/v1/notifications", headers=handler).json()
        assert page["unread"] == 1
        item = page["items"][0]
        assert item["stage"] == "half"
        assert item["case"] == "VV-2026-00001"
        assert item["title"].startswith("Đã qua một nửa thời hạn")
        assert item["email_status"] == EmailStatus.PENDING
        head_items = client.get("/api/v1/notifications", headers=token(client, "head")).json()["items"]
        assert [n["kind"] for n in head_items] == ["routed"]  # no reminder for the head at half time
        other = client.post(f"/api/v1/notifications/{item['id']}/read", headers=token(client, "head"))
        assert other.status_code == 404
        read = client.post(f"/api/v1/notifications/{item['id']}/read", headers=handler)
        assert read.json()["read_at"] is not None
        assert client.get("/api/v1/notifications?unread=true", headers=handler).json()["items"] == []
        run(session, RECEIVED + timedelta(hours=20))
        assert client.post("/api/v1/notifications/read-all", headers=handler).json() == {"marked": 1}

    def test_without_smtp_the_notification_is_in_app_only(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        _ref, clock_id = assigned_case(client)
        run(session, RECEIVED + timedelta(hours=12), email=False)
        row = session.exec(select(Notification).where(Notification.clock_id == clock_id)).one()
        assert (row.email_status, row.email_to) == (EmailStatus.NONE, None)


class TestCalendarChange:
    def test_a_recomputed_clock_does_not_repeat_the_stages_already_sent(
        self, client: TestClient, session: Session, org: None
    ) -> None:
        ref = intake(client, legal_trigger="press_forwarded_feedback")
        transition(client, ref, "office", "assign", lead_unit="GDTrH", assignees=["handler"])
        clock_id = statutory(client, ref)["id"]
        run(session, datetime.fromisoformat("2026-12-09T09:00:00+07:00"))
        assert sent(session, clock_id) == [("half", "handler")]
        response = client.post(
            "/api/v1/calendar/overrides",
            headers=token(client, "admin"),
            json={"day": "2026-12-10", "kind": "extra_off", "description": "Nghỉ (thử)"},
        )
        assert response.status_code == 201
        run(session, datetime.fromisoformat("2026-12-09T09:05:00+07:00"))
        assert sent(session, clock_id) == [("half", "handler")]
        run(session, datetime.fromisoformat("2026-12-22T00:00:00+07:00"))
        assert sorted(sent(session, clock_id)[1:]) == [("due", "head"), ("due", "office")]
