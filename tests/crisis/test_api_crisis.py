"""Crisis mode through the HTTP API (issue 14): declaring at a level starts the crisis clocks with their basis and
pages the people on duty; without an acknowledgement the next person is paged, then the director; an
acknowledgement stops the escalation; the after-action review shows every time. The 409s, the roster's checks,
the acknowledgement's rules and the one-click link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.crisis.paging import escalate_pages
from app.notifications.models import Notification
from app.webhooks.events import WebhookEventKind
from app.webhooks.models import WebhookEvent
from tests.conftest import FIXED_NOW, Clock
from tests.crisis.helpers import crisis_org, load_roster, paging, roster_items
from tests.factories import token

CASE = {
    "title": "Clip học sinh bị bạo lực lan truyền trên mạng",
    "summary": "Một clip học sinh lớp 8 bị đánh hội đồng lan truyền trên mạng xã hội.",
    "source_kind": "social_media",
    "topic": "ethics_school_safety",
    "severity": "hot",
    "received_at": "2026-11-27T08:00:00+07:00",  # one hour before FIXED_NOW
}


@pytest.fixture
def org(session: Session) -> None:
    crisis_org(session, FIXED_NOW - timedelta(days=1))
    load_roster(session, FIXED_NOW - timedelta(hours=2))


def intake(client: TestClient) -> str:
    response = client.post("/api/v1/cases", json=CASE, headers=token(client, "office"))
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def declare(client: TestClient, ref: str, level: int, user: str = "spokesperson") -> Any:
    return client.post(f"/api/v1/cases/{ref}/crisis", json={"level": level, "reason": "Lan truyền mạnh."},
                       headers=token(client, user))  # fmt: skip


def pages(client: TestClient, ref: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/pages", params={"case": ref}, headers=token(client, "office"))
    assert response.status_code == 200, response.text
    return sorted(response.json()["items"], key=lambda p: (p["sent_at"], p["id"]))


def escalate(session: Session, clock: Clock, minutes: float) -> int:
    now = clock.advance(minutes=minutes)
    return escalate_pages(session, now=now, paging=paging(10), limit=100)


def test_level_2_clocks_pages_escalation_ack_and_review(client: TestClient, session: Session, clock: Clock,
                                                        org: None) -> None:  # fmt: skip
    ref = intake(client)
    response = declare(client, ref, 2)
    assert response.status_code == 201, response.text
    assert response.json()["level"] == 2 and response.json()["active"] is True
    case = client.get(f"/api/v1/cases/{ref}", headers=token(client, "office")).json()
    assert case["severity"] == "crisis"

    # The crisis clocks of level 2, counted from the declaration, with their basis.
    items = client.get(f"/api/v1/cases/{ref}/clocks", headers=token(client, "office")).json()["items"]
    crisis_clocks = {c["name"]: c for c in items if c["start_event"] == "crisis_declared"}
    assert sorted((c["length"], c["basis"]) for c in crisis_clocks.values()) == [
        (2, "Chỉ tiêu nội bộ của Sở"),
        (4, "Chỉ tiêu nội bộ của Sở"),
        (6, "Chỉ tiêu nội bộ của Sở"),
    ]
    holding = crisis_clocks["Khủng hoảng cấp 2: thông tin ban đầu"]
    assert holding["due_at"] == "2026-11-27T11:00:00+07:00" and holding["state"] == "running"

    # The spokesperson and the press officer on duty are paged, in-app and by e-mail.
    sent = pages(client, ref)
    assert [(p["user"], p["ladder"], p["step"], p["state"]) for p in sent] == [
        ("spokesperson", "spokesperson", 0, "waiting"),
        ("office", "press_officer", 0, "waiting"),
    ]
    mine = client.get("/api/v1/pages", params={"mine": "true"}, headers=token(client, "spokesperson")).json()
    assert [p["case_reference"] for p in mine["items"]] == [ref]

    # The press officer answers at once; the spokesperson does not.
    office_page = sent[1]["id"]
    assert client.post(f"/api/v1/pages/{office_page}/ack", headers=token(client, "office")).status_code == 200
    assert escalate(session, clock, 9) == 0  # within the window: nothing
    assert escalate(session, clock, 2) == 1  # 11 minutes: the second spokesperson
    assert escalate(session, clock, 11) == 1  # then the director's deputy
    assert escalate(session, clock, 11) == 1  # then the director
    sent = pages(client, ref)
    assert [(p["user"], p["ladder"], p["step"]) for p in sent] == [
        ("spokesperson", "spokesperson", 0),
        ("office", "press_officer", 0),
        ("spokesperson2", "spokesperson", 1),
        ("deputy", "spokesperson", 2),
        ("director", "director", 0),
    ]
    assert [p["state"] for p in sent] == ["escalated", "acknowledged", "escalated", "escalated", "waiting"]
    director_page = sent[-1]["id"]
    assert client.post(f"/api/v1/pages/{director_page}/ack", headers=token(client, "director")).status_code == 200
    assert escalate(session, clock, 30) == 0  # acknowledged: the escalation stopped
    assert len(pages(client, ref)) == 5

    # Every page is a notification of the person paged (in-app; e-mail when the SMTP server is set).
    rows = session.exec(select(Notification).where(col(Notification.dedupe_key).startswith("page:"))).all()
    assert len(rows) == 5 and all(r.stage == "page" and r.kind == "page" for r in rows)

    # The holding statement, then stand down; the review shows every time.
    clock.advance(minutes=5)
    drafted = client.post(f"/api/v1/cases/{ref}/statements",
                          json={"kind": "initial_information", "text": "Sở đang xác minh vụ việc."},
                          headers=token(client, "office"))  # fmt: skip
    assert drafted.status_code == 201, drafted.text
    clock.advance(minutes=5)
    down = client.request("DELETE", f"/api/v1/cases/{ref}/crisis", json={"reason": "Đã ổn định."},
                          headers=token(client, "director"))  # fmt: skip
    assert down.status_code == 200, down.text
    assert down.json()["active"] is False
    assert client.get(f"/api/v1/cases/{ref}", headers=token(client, "office")).json()["severity"] == "hot"

    review = client.get(f"/api/v1/cases/{ref}/after-action", headers=token(client, "office"))
    assert review.status_code == 200, review.text
    body = review.json()
    assert body["over"] is True
    times = {m["key"]: m for m in body["milestones"]}
    assert times["declared"]["seconds_from_receipt"] == 3600
    assert times["first_ack"]["seconds_from_declaration"] == 0  # the press officer answered at once
    assert times["holding_drafted"]["seconds_from_declaration"] == (9 + 2 + 11 + 11 + 30 + 5) * 60
    assert times["first_notice"]["at"] is None
    assert [(p["user"], p["acked_at"] is not None) for p in body["pages"]] == [
        ("spokesperson", False),
        ("office", True),
        ("spokesperson2", False),
        ("deputy", False),
        ("director", True),
    ]
    outcomes = {o["name"]: o for o in body["clock_outcomes"]}
    assert outcomes["Khủng hoảng cấp 2: thông tin ban đầu"]["state"] == "stopped"  # stood down in time
    kinds = [(e["kind"], e["action"]) for e in body["timeline"]]
    assert ("crisis", "declared") in kinds and ("crisis", "stood_down") in kinds
    assert kinds.count(("page", "sent")) == 5 and kinds.count(("page", "acked")) == 2
    assert kinds.count(("page", "unanswered")) == 3

    lessons = client.put(f"/api/v1/cases/{ref}/after-action/lessons",
                         json={"lessons": "Cần hai người phát ngôn trực song song."},
                         headers=token(client, "spokesperson"))  # fmt: skip
    assert lessons.status_code == 200 and lessons.json()["lessons"] == "Cần hai người phát ngôn trực song song."

    year = client.get("/api/v1/reports/crises", params={"year": 2026}, headers=token(client, "director")).json()
    assert [(c["case_reference"], c["level"], c["to_declaration"], c["to_first_ack"]) for c in year["items"]] == [
        (ref, 2, 3600, 3600)
    ]


def test_a_missed_crisis_clock_is_counted_in_the_review(client: TestClient, session: Session, clock: Clock,
                                                        org: None) -> None:  # fmt: skip
    ref = intake(client)
    assert declare(client, ref, 3).status_code == 201
    clock.advance(hours=2, minutes=5)  # the level-3 holding statement (1 hour) and facts (2 hours) are late
    down = client.delete(f"/api/v1/cases/{ref}/crisis", params={"reason": "Kết thúc."},
                         headers=token(client, "spokesperson"))  # fmt: skip
    assert down.status_code == 200, down.text
    body = client.get(f"/api/v1/cases/{ref}/after-action", headers=token(client, "office")).json()
    outcomes = {o["name"]: o for o in body["clock_outcomes"]}
    assert outcomes["Khủng hoảng cấp 3: thông tin ban đầu"]["state"] == "missed"
    assert outcomes["Khủng hoảng cấp 3: thông tin ban đầu"]["met"] is False
    ministry = outcomes["Khủng hoảng cấp 3: phát ngôn chính thức đầu tiên"]
    assert ministry["basis"].startswith("Bộ GDĐT: trả lời trong 6 giờ")
    assert body["clocks_missed"] >= 2


def test_changing_the_level_replaces_the_crisis_clocks(client: TestClient, org: None) -> None:
    ref = intake(client)
    assert declare(client, ref, 1).status_code == 201
    changed = declare(client, ref, 3)
    assert changed.status_code == 200 and changed.json()["level"] == 3
    items = client.get(f"/api/v1/cases/{ref}/clocks", headers=token(client, "office")).json()["items"]
    running = sorted(c["name"] for c in items if c["start_event"] == "crisis_declared" and c["state"] == "running")
    assert running == ["Khủng hoảng cấp 3: phát ngôn chính thức đầu tiên", "Khủng hoảng cấp 3: thông tin ban đầu",
                       "Khủng hoảng cấp 3: đơn vị báo cáo sự việc"]  # fmt: skip
    assert len(pages(client, ref)) == 2  # a level change pages nobody again


class TestConflicts:
    def test_the_same_level_twice(self, client: TestClient, org: None) -> None:
        ref = intake(client)
        assert declare(client, ref, 2).status_code == 201
        again = declare(client, ref, 2, user="director")
        assert again.status_code == 409
        assert again.json()["detail"] == f"Vụ việc {ref} đang ở tình trạng khủng hoảng cấp 2."

    def test_a_closed_case(self, client: TestClient, org: None) -> None:
        ref = intake(client)
        closed = client.post(f"/api/v1/cases/{ref}/transitions",
                             json={"action": "close", "reason": "duplicate", "note": "Trùng."},
                             headers=token(client, "office"))  # fmt: skip
        assert closed.status_code == 200, closed.text
        response = declare(client, ref, 1)
        assert response.status_code == 409
        assert "đã đóng" in response.json()["detail"]

    def test_standing_down_twice(self, client: TestClient, org: None) -> None:
        ref = intake(client)
        never = client.request("DELETE", f"/api/v1/cases/{ref}/crisis", json={"reason": "Thử."},
                               headers=token(client, "office"))  # fmt: skip
        assert never.status_code == 409 and "không ở tình trạng khủng hoảng" in never.json()["detail"]
        assert declare(client, ref, 1).status_code == 201
        first = client.request("DELETE", f"/api/v1/cases/{ref}/crisis", json={"reason": "Ổn định."},
                               headers=token(client, "office"))  # fmt: skip
        assert first.status_code == 200
        second = client.request("DELETE", f"/api/v1/cases/{ref}/crisis", json={"reason": "Ổn định."},
                                headers=token(client, "office"))  # fmt: skip
        assert second.status_code == 409 and "đã kết thúc" in second.json()["detail"]

    def test_a_stand_down_needs_a_reason_and_a_level_is_1_to_3(self, client: TestClient, org: None) -> None:
        ref = intake(client)
        assert declare(client, ref, 4).status_code == 422
        assert declare(client, ref, 1).status_code == 201
        bare = client.delete(f"/api/v1/cases/{ref}/crisis", headers=token(client, "office"))
        assert bare.status_code == 422

    def test_who_may_declare(self, client: TestClient, org: None) -> None:
        ref = intake(client)
        assert declare(client, ref, 1, user="head").status_code in (403, 404)
        assert declare(client, ref, 1, user="admin").status_code == 403
        assert declare(client, ref, 1, user="office").status_code == 201


class TestRoster:
    def test_read_back_with_who_is_on_duty(self, client: TestClient, org: None) -> None:
        roster = client.get("/api/v1/roster", headers=token(client, "office")).json()
        assert {(i["role"], i["user"], i["position"]) for i in roster["items"]} == {
            ("spokesperson", "spokesperson", 1), ("spokesperson", "spokesperson2", 2), ("press_officer", "office", 1),
            ("deputy_director", "deputy", 1)}  # fmt: skip
        assert [u["username"] for u in roster["on_duty"]["spokesperson"]] == ["spokesperson", "spokesperson2"]
        assert roster["gaps"] == []

    def test_an_overlap_is_refused_and_nothing_saved(self, client: TestClient, org: None) -> None:
        start = FIXED_NOW
        items = roster_items(start, 8) + [
            {"role": "spokesperson", "user": "spokesperson2", "position": 1,
             "starts_at": (start + timedelta(hours=7)).isoformat(),
             "ends_at": (start + timedelta(hours=16)).isoformat()},
        ]  # fmt: skip
        response = client.put("/api/v1/roster", json={"items": items}, headers=token(client, "admin"))
        assert response.status_code == 422
        assert response.json()["detail"] == ("Ca trực số 5 trùng thời gian với ca số 1 (Người phát ngôn trực, thứ "
                                             "tự 1).")  # fmt: skip
        roster = client.get("/api/v1/roster", headers=token(client, "office")).json()
        assert len(roster["items"]) == 4  # unchanged

    def test_bad_shifts_are_refused(self, client: TestClient, org: None) -> None:
        start = FIXED_NOW
        backwards = [{"role": "press_officer", "user": "office", "starts_at": start.isoformat(),
                      "ends_at": (start - timedelta(hours=1)).isoformat()}]  # fmt: skip
        assert (
            client.put("/api/v1/roster", json={"items": backwards}, headers=token(client, "admin")).status_code == 422
        )
        wrong_role = [{"role": "spokesperson", "user": "handler", "starts_at": start.isoformat(),
                       "ends_at": (start + timedelta(hours=1)).isoformat()}]  # fmt: skip
        response = client.put("/api/v1/roster", json={"items": wrong_role}, headers=token(client, "admin"))
        assert response.status_code == 422 and "không có vai trò phù hợp" in response.json()["detail"]
        nobody = [{"role": "press_officer", "user": "ghost", "starts_at": start.isoformat(),
                   "ends_at": (start + timedelta(hours=1)).isoformat()}]  # fmt: skip
        assert client.put("/api/v1/roster", json={"items": nobody}, headers=token(client, "admin")).status_code == 422
        assert client.put("/api/v1/roster", json={"items": []}, headers=token(client, "office")).status_code == 403

    def test_a_gap_is_shown_and_paged_to_the_fallback(self, client: TestClient, org: None) -> None:
        start = FIXED_NOW - timedelta(hours=1)
        # The first spokesperson is on duty from 10:00 only; before that only the backup (position 2).
        items = [
            {"role": "spokesperson", "user": "spokesperson", "starts_at": (start + timedelta(hours=2)).isoformat(),
             "ends_at": (start + timedelta(hours=10)).isoformat()},
            {"role": "spokesperson", "user": "spokesperson2", "position": 2, "starts_at": start.isoformat(),
             "ends_at": (start + timedelta(hours=10)).isoformat()},
        ]  # fmt: skip
        response = client.put("/api/v1/roster", json={"items": items}, headers=token(client, "admin"))
        assert response.status_code == 200, response.text
        gaps = [(g["role"], g["starts_at"], g["ends_at"]) for g in response.json()["gaps"]]
        assert ("spokesperson", "2026-11-27T08:00:00+07:00", "2026-11-27T10:00:00+07:00") in gaps
        assert ("press_officer", "2026-11-27T08:00:00+07:00", "2026-11-27T18:00:00+07:00") in gaps
        ref = intake(client)
        assert declare(client, ref, 2).status_code == 201
        sent = pages(client, ref)
        # The spokesperson's ladder starts with the backup; nobody at all for the press office: the director.
        assert [(p["user"], p["ladder"], p["gap"]) for p in sent] == [
            ("spokesperson2", "spokesperson", True),
            ("director", "director", True),
        ]


class TestAcknowledgement:
    def test_only_the_person_paged(self, client: TestClient, org: None) -> None:
        ref = intake(client)
        assert declare(client, ref, 2).status_code == 201
        page = pages(client, ref)[0]
        assert client.post(f"/api/v1/pages/{page['id']}/ack", headers=token(client, "office")).status_code == 403
        other = client.post(f"/api/v1/pages/{page['id']}/ack", headers=token(client, "handler2"))
        assert other.status_code == 404
        assert client.post("/api/v1/pages/999999/ack", headers=token(client, "spokesperson")).status_code == 404
        first = client.post(f"/api/v1/pages/{page['id']}/ack", headers=token(client, "spokesperson"))
        again = client.post(f"/api/v1/pages/{page['id']}/ack", headers=token(client, "spokesperson"))
        assert first.status_code == again.status_code == 200
        assert first.json()["acked_at"] == again.json()["acked_at"] and first.json()["acked_via"] == "api"

    def test_the_one_click_link_in_the_e_mail(self, client: TestClient, session: Session, org: None) -> None:
        ref = intake(client)
        assert declare(client, ref, 2).status_code == 201
        page = pages(client, ref)[0]
        note = session.exec(select(Notification).where(Notification.dedupe_key == f"page:{page['id']}:user:"
                                                       + str(_user_id(session, "spokesperson")))).one()  # fmt: skip
        link = next(line for line in note.body.splitlines() if "/staff/pages/" in line).split(": ", 1)[1]
        path = link.split("://", 1)[1].split("/", 1)[1]
        shown = client.get("/" + path)  # no session needed: the signature stands for the person paged
        assert shown.status_code == 200 and "Xác nhận đã nhận" in shown.text
        assert client.get("/" + path[:-4] + "0000").status_code == 404  # a wrong signature
        done = client.post("/" + path)
        assert done.status_code == 200 and "Đã xác nhận" in done.text
        acked = pages(client, ref)[0]
        assert acked["acked_via"] == "link" and acked["state"] == "acknowledged"


def _user_id(session: Session, username: str) -> int:
    from app.org.models import User

    user = session.exec(select(User).where(User.username == username)).one()
    assert user.id is not None
    return user.id


def test_declaring_standing_down_and_every_page_go_out_on_the_webhooks(client: TestClient, session: Session,
                                                                        org: None) -> None:  # fmt: skip
    hook = client.post("/api/v1/webhooks", headers=token(client, "admin"),
                       json={"url": "http://127.0.0.1:9/hook", "events": ["case.crisis", "page.sent"],
                             "secret": "s" * 32})  # fmt: skip
    assert hook.status_code == 201, hook.text
    ref = intake(client)
    assert declare(client, ref, 2).status_code == 201
    events = session.exec(select(WebhookEvent).order_by(col(WebhookEvent.id))).all()
    assert events[0].kind == WebhookEventKind.CASE_CRISIS and events[0].payload["level"] == 2
    paged = {e.payload["user"] for e in events if e.kind == WebhookEventKind.PAGE_SENT}
    assert paged == {p["user"] for p in pages(client, ref)} and paged
    down = client.request("DELETE", f"/api/v1/cases/{ref}/crisis", json={"reason": "Đã ổn định."},
                          headers=token(client, "spokesperson"))  # fmt: skip
    assert down.status_code == 200, down.text
    last = session.exec(select(WebhookEvent).order_by(col(WebhookEvent.id).desc())).first()
    assert last is not None and last.payload["standing_down"] is True
