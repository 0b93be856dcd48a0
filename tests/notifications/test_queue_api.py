"""What waits for me (GET /api/v1/me/queue) and the notifications of every cause (GET /api/v1/me/notifications),
through the HTTP API, each role in turn."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.auth.permissions import Role
from app.cases import service as cases
from app.cases.scope import get_case
from app.notifications import queue as queue_module
from app.notifications import service as notifications
from app.notifications.events import mentioned_usernames
from app.notifications.models import EmailStatus, Notification
from app.org.models import RoleAssignment, Unit, User
from tests.conftest import FIXED_NOW
from tests.factories import actor, appoint_spokesperson, make_user, standard_org
from tests.statements.helpers import Api


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW)
    make_user(session, "deputy", (Role.HANDLER, "GDTrH"), now=FIXED_NOW, full_name="Hoàng Văn Phó")
    # Holds the spokesperson role but was never appointed: no authority to approve anything.
    make_user(session, "unappointed", (Role.SPOKESPERSON, "VP"), now=FIXED_NOW, full_name="Lý Thị Chưa Giao")
    for user in session.exec(select(User)).all():
        user.email = f"{user.username}@sgddt.example.gov.vn"
        session.add(user)
    session.flush()


@pytest.fixture
def api(client: TestClient, org: None) -> Api:
    return Api(client)


def queue(api: Api, who: str) -> list[tuple[str, str, int | None]]:
    body = api.ok(api.get("/api/v1/me/queue", who))
    return [(i["kind"], i["case_reference"], i.get("statement_id")) for i in body["items"]]


def notes(api: Api, who: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.ok(api.get("/api/v1/me/notifications", who))["items"]
    return items


def kinds(api: Api, who: str, reference: str) -> list[str]:
    return [n["kind"] for n in notes(api, who) if n["case_reference"] == reference]


def unit_id(session: Session, code: str) -> int | None:
    return session.exec(select(Unit.id).where(Unit.code == code)).one()


def user_id(session: Session, username: str) -> int | None:
    return session.exec(select(User.id).where(User.username == username)).one()


def intake(api: Api, **extra: Any) -> str:
    body = {"title": "Phụ huynh phản ánh thu tiền học thêm", "source_kind": "press_article",
            "outlet": "Báo Thanh Niên", "legal_trigger": "press_request", **extra}  # fmt: skip
    reference: str = api.ok(api.post("/api/v1/cases", "office", body), 201)["reference"]
    return reference


def route(api: Api, reference: str, unit: str = "GDTrH") -> None:
    api.ok(api.post(f"/api/v1/cases/{reference}/transitions", "office", {"action": "assign", "lead_unit": unit}))


def accept(api: Api, reference: str, who: str = "head", assignees: list[str] | None = None) -> None:
    body: dict[str, Any] = {"action": "accept"}
    if assignees is not None:
        body["assignees"] = assignees
    api.ok(api.post(f"/api/v1/cases/{reference}/transitions", who, body))


def in_progress(api: Api, **extra: Any) -> str:
    reference = intake(api, **extra)
    route(api, reference)
    accept(api, reference, assignees=["handler"])
    return reference


def authorise(api: Api, reference: str, username: str = "deputy") -> None:
    body = {"username": username, "number": "25/GUQ-SGDĐT", "signed_on": "2026-11-27", "valid_until": "2026-12-31",
            "deputy": True}  # fmt: skip
    api.ok(api.post(f"/api/v1/cases/{reference}/authorisations", "director", body), 201)


class TestQueue:
    def test_to_route_waits_for_the_press_office(self, api: Api) -> None:
        reference = intake(api, legal_trigger="major_event")
        items = api.ok(api.get("/api/v1/me/queue", "office"))["items"]
        item = next(i for i in items if i["case_reference"] == reference)
        assert item["kind"] == "to_route"
        assert item["since"] == "2026-11-27T02:00:00Z" and item["statement_id"] is None
        assert item["due_at"] == "2026-11-28T02:00:00Z"  # the 24-hour clock of a major event
        for who in ("head", "handler", "spokesperson", "admin"):
            assert queue(api, who) == [], who

    def test_to_accept_waits_for_the_head_of_the_unit_it_was_routed_to(self, api: Api) -> None:
        reference = intake(api)
        route(api, reference)
        assert queue(api, "head") == [("to_accept", reference, None)]
        assert queue(api, "head2") == [] and queue(api, "handler") == []
        assert ("to_route", reference, None) not in queue(api, "office")
        accept(api, reference)
        assert ("to_accept", reference, None) not in queue(api, "head")

    def test_to_draft_then_to_submit(self, api: Api) -> None:
        reference = in_progress(api)
        assert queue(api, "handler") == [("to_draft", reference, None)]
        assert queue(api, "head") == []  # the handler is the assignee
        sid = api.draft(reference)["id"]
        assert queue(api, "handler") == []
        assert queue(api, "head") == [("to_submit", reference, sid)]
        assert queue(api, "head2") == []

    def test_to_approve_follows_spokesperson_authority(self, api: Api) -> None:
        reference = in_progress(api)
        other = in_progress(api)
        authorise(api, reference)
        sid = api.draft(reference)["id"]
        other_sid = api.draft(other)["id"]
        api.submit(sid)
        api.submit(other_sid)
        for who in ("spokesperson", "director"):
            assert sorted(queue(api, who)) == sorted([("to_approve", reference, sid), ("to_approve", other, other_sid)])
        # Authorised in writing for one case only: that one waits for them, not the other.
        assert queue(api, "deputy") == [("to_approve", reference, sid)]
        assert queue(api, "head") == [] and queue(api, "office") == [] and queue(api, "unappointed") == []

    def test_returned_waits_for_the_drafter(self, api: Api) -> None:
        reference = in_progress(api)
        sid = api.draft(reference)["id"]
        api.submit(sid)
        api.ok(api.post(f"/api/v1/statements/{sid}/return", "spokesperson", {"comment": "Bỏ tên học sinh."}))
        assert queue(api, "handler") == [("returned", reference, sid)]
        assert queue(api, "spokesperson") == []
        api.version(sid, "Nội dung đã sửa.")
        assert queue(api, "handler") == []
        assert queue(api, "head") == [("to_submit", reference, sid)]

    def test_returned_waits_for_who_created_it_or_wrote_its_current_version(self, api: Api) -> None:
        """Not for who wrote an earlier version only; the two ways are read apart (issue 17), each item once."""
        first = in_progress(api)
        by_head = api.draft(first)["id"]  # created by the handler
        api.version(by_head, "Bản trưởng phòng viết lại.", who="head")
        second = in_progress(api)
        earlier = api.draft(second)["id"]
        api.version(earlier, "Bản của phó phòng.", who="deputy")
        api.version(earlier, "Bản cuối của trưởng phòng.", who="head")
        third = in_progress(api)
        own = api.draft(third, who="deputy")["id"]  # created and written by the deputy alone
        for sid in (by_head, earlier, own):
            api.submit(sid)
            api.ok(api.post(f"/api/v1/statements/{sid}/return", "spokesperson", {"comment": "Viết lại."}))
        returned = [("returned", first, by_head), ("returned", second, earlier)]
        assert sorted(queue(api, "handler")) == sorted(returned)  # created both
        assert sorted(queue(api, "head")) == sorted(returned)  # wrote both current versions
        assert queue(api, "deputy") == [("returned", third, own)]  # an earlier version of ``earlier`` only
        assert queue(api, "spokesperson") == [] and queue(api, "director") == []

    def test_returned_among_the_cases_one_sees(self, api: Api, session: Session,
                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
        """Each way of being the drafter takes its first items among the cases the reader sees (issue 17: read apart
        and each limited, they must not be limited first and narrowed after). "mover" drafted at GDTH, then moved to
        GDTrH: what they drafted at GDTH is no longer theirs to see, and comes first in the queue's order."""
        monkeypatch.setattr(queue_module, "LIMIT", 2)
        make_user(session, "mover", (Role.HANDLER, "GDTH"), (Role.HANDLER, "GDTrH"), now=FIXED_NOW)

        def returned(unit: str, *, created: bool) -> tuple[str, str, int]:
            reference = intake(api)
            route(api, reference, unit)
            accept(api, reference, who="head2" if unit == "GDTH" else "head", assignees=[])
            sid = api.draft(reference, who="mover" if created else "handler2" if unit == "GDTH" else "handler")["id"]
            if not created:
                api.version(sid, "Bản của người chuyển đơn vị.", who="mover")
            api.submit(sid, who="head2" if unit == "GDTH" else "head")
            api.ok(api.post(f"/api/v1/statements/{sid}/return", "spokesperson", {"comment": "Viết lại."}))
            return ("returned", reference, sid)

        for _ in range(2):
            returned("GDTH", created=True)
            returned("GDTH", created=False)
        mine = [returned("GDTrH", created=True), returned("GDTrH", created=False)]
        moved = delete(RoleAssignment).where(col(RoleAssignment.unit_id) == unit_id(session, "GDTH"),
                                             col(RoleAssignment.user_id) == user_id(session, "mover"))  # fmt: skip
        session.execute(moved)
        session.flush()
        assert sorted(i for i in queue(api, "mover") if i[0] == "returned") == sorted(mine)

    def test_to_publish_waits_for_the_press_office(self, api: Api) -> None:
        reference = in_progress(api)
        sid = api.draft(reference)["id"]
        api.submit(sid)
        api.approve(sid)
        assert ("to_publish", reference, sid) in queue(api, "office")
        assert queue(api, "spokesperson") == []
        api.publish(sid)
        assert ("to_publish", reference, sid) not in queue(api, "office")

    def test_mentioned_until_read(self, api: Api) -> None:
        reference = in_progress(api)
        api.ok(api.post(f"/api/v1/cases/{reference}/notes", "office", {"text": "@handler xem lại số liệu nhé."}), 201)
        assert ("mentioned", reference, None) in queue(api, "handler")
        item = next(i for i in api.ok(api.get("/api/v1/me/queue", "handler"))["items"] if i["kind"] == "mentioned")
        api.ok(api.post(f"/api/v1/me/notifications/{item['notification_id']}/read", "handler"))
        assert ("mentioned", reference, None) not in queue(api, "handler")

    def test_counts_and_order(self, api: Api) -> None:
        first = intake(api, severity="crisis", legal_trigger="major_event")
        second = intake(api)
        body = api.ok(api.get("/api/v1/me/queue", "office"))
        assert body["counts"] == {"to_route": 2}
        assert [i["case_reference"] for i in body["items"]] == [first, second]  # nearest deadline first

    def test_needs_a_login(self, client: TestClient) -> None:
        assert client.get("/api/v1/me/queue").status_code == 401


class TestNotifications:
    def test_routed_to_the_unit(self, api: Api) -> None:
        reference = intake(api)
        route(api, reference)
        for who in ("head", "handler", "deputy"):
            assert kinds(api, who, reference) == ["routed"], who
        note = notes(api, "head")[0]
        assert set(note) >= {"id", "kind", "case_reference", "text", "created_at", "read_at"}
        assert reference in note["text"] and "Phòng Giáo dục Trung học" in note["text"]
        assert note["read_at"] is None and note["created_at"] == "2026-11-27T02:00:00Z"
        assert kinds(api, "office", reference) == []  # not of one's own act
        assert kinds(api, "head2", reference) == []

    def test_routed_at_intake_in_one_step(self, api: Api) -> None:
        reference = intake(api, lead_unit="GDTrH", route=True)
        assert reference.startswith("VV-")
        for who in ("head", "handler"):
            assert kinds(api, who, reference) == ["routed"], who
        assert reference in notes(api, "head")[0]["text"]  # its real number, not a stand-in
        assert ("to_accept", reference, None) in queue(api, "head")
        assert kinds(api, "head2", reference) == []

    def test_assigned_to_you(self, api: Api) -> None:
        reference = intake(api)
        route(api, reference)
        accept(api, reference, assignees=["handler"])
        assert kinds(api, "handler", reference) == ["assigned", "routed"]
        assert kinds(api, "deputy", reference) == ["routed"]
        # A field change adds a person: only the new one is told.
        api.ok(api.client.patch(f"/api/v1/cases/{reference}", headers=api.headers("head"),
                                json={"assignees": ["handler", "deputy"]}))  # fmt: skip
        assert kinds(api, "deputy", reference) == ["assigned", "routed"]
        assert kinds(api, "handler", reference) == ["assigned", "routed"]

    def test_submitted_to_everyone_who_may_approve(self, api: Api) -> None:
        reference = in_progress(api)
        authorise(api, reference)
        sid = api.draft(reference)["id"]
        api.submit(sid)
        for who in ("spokesperson", "director", "deputy"):
            assert kinds(api, who, reference)[0] == "submitted", who
        assert "submitted" not in kinds(api, "office", reference) + kinds(api, "head", reference)
        assert kinds(api, "unappointed", reference) == []
        assert notes(api, "spokesperson")[0]["link"] == f"/staff/statements/{sid}"

    def test_approved_to_the_press_office(self, api: Api) -> None:
        reference = in_progress(api)
        sid = api.draft(reference)["id"]
        api.submit(sid)
        api.approve(sid)
        assert kinds(api, "office", reference)[0] == "approved"
        assert "approved" not in kinds(api, "head", reference)

    def test_returned_to_the_drafter_with_the_comment(self, api: Api) -> None:
        reference = in_progress(api)
        sid = api.draft(reference)["id"]
        api.submit(sid)
        api.ok(api.post(f"/api/v1/statements/{sid}/return", "spokesperson", {"comment": "Bỏ tên học sinh."}))
        note = notes(api, "handler")[0]
        assert note["kind"] == "returned" and "Bỏ tên học sinh." in note["text"]
        assert "returned" not in kinds(api, "head", reference)

    def test_published_to_everyone_who_worked_the_case(self, api: Api) -> None:
        reference = in_progress(api)
        sid = api.draft(reference)["id"]
        api.submit(sid)
        api.approve(sid)
        notice = api.publish(sid)
        for who in ("handler", "head", "spokesperson"):
            note = notes(api, who)[0]
            assert note["kind"] == "published" and notice["number"] in note["text"], who
        assert "published" not in kinds(api, "office", reference)  # who published it
        assert "published" not in kinds(api, "director", reference) + kinds(api, "deputy", reference)

    def test_a_mention_reaches_only_who_can_see_the_case(self, api: Api) -> None:
        reference = in_progress(api)
        text = "@handler và @head2, @nobody: xem email a@b.vn"
        api.ok(api.post(f"/api/v1/cases/{reference}/notes", "office", {"text": text}), 201)
        note = notes(api, "handler")[0]
        assert note["kind"] == "mentioned" and "Nguyễn Thị Thu Hà" in note["text"]
        assert notes(api, "head2") == []  # may not see the case

    def test_made_in_the_transaction_of_their_cause(self, session: Session, api: Api) -> None:
        reference = in_progress(api)
        before = len(session.exec(select(Notification)).all())
        case = get_case(session, actor=actor(session, "office"), reference=reference)
        savepoint = session.begin_nested()
        cases.add_note(session, actor=actor(session, "office"), case=case, text="@handler", now=FIXED_NOW)
        assert len(session.exec(select(Notification)).all()) == before + 1
        savepoint.rollback()
        assert len(session.exec(select(Notification)).all()) == before

    def test_clock_reminders_have_their_kind(self, session: Session, api: Api) -> None:
        reference = in_progress(api, legal_trigger="major_event")
        notifications.process_reminders(session, now=FIXED_NOW + timedelta(hours=12), limit=100,
                                        base_url="http://crisisdesk.test", email_enabled=True)  # fmt: skip
        clock_notes = [n for n in notes(api, "handler") if n["kind"] == "clock"]
        assert [(n["case_reference"], n["stage"]) for n in clock_notes] == [(reference, "half")]

    def test_read_one_and_all(self, api: Api) -> None:
        reference = in_progress(api)
        api.ok(api.post(f"/api/v1/cases/{reference}/notes", "office", {"text": "@handler một"}), 201)
        first = notes(api, "handler")[0]
        read = api.ok(api.post(f"/api/v1/me/notifications/{first['id']}/read", "handler"))
        assert read["read_at"] is not None
        assert api.post(f"/api/v1/me/notifications/{first['id']}/read", "head").status_code == 404
        assert api.ok(api.post("/api/v1/me/notifications/read-all", "handler"))["marked"] == 2
        assert api.ok(api.get("/api/v1/me/notifications", "handler"))["unread"] == 0


class TestEmailChoice:
    def test_each_user_chooses(self, session: Session, api: Api) -> None:
        assert api.ok(api.get("/api/v1/me/settings", "head"))["email_frequency"] == "immediate"
        api.ok(api.client.patch("/api/v1/me/settings", headers=api.headers("head"), json={"email_frequency": "daily"}))
        api.ok(api.client.patch("/api/v1/me/settings", headers=api.headers("handler"), json={"email_frequency": "off"}))
        bad = api.client.patch("/api/v1/me/settings", headers=api.headers("head"), json={"email_frequency": "weekly"})
        assert bad.status_code == 422
        reference = intake(api)
        route(api, reference)
        rows = {
            u: n.email_status
            for n, u in session.exec(
                select(Notification, User.username).join(User, User.id == Notification.user_id)  # type: ignore[arg-type]
            ).all()
        }
        assert rows == {"head": EmailStatus.DAILY, "handler": EmailStatus.NONE, "deputy": EmailStatus.PENDING}


def test_mentions_are_usernames_not_addresses() -> None:
    assert mentioned_usernames("@handler, @Head. a@b.vn (@x) @ab @handler") == ["handler", "head", "ab"]
