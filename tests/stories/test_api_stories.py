"""Stories through the HTTP API: a school drafts, its head submits, the office returns, edits, approves and
publishes; visibility; the public side (page, JSON, feed); the unit's scorecard counts it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.permissions import Role
from app.org.models import UnitKind
from tests.conftest import FIXED_NOW, Clock
from tests.factories import make_unit, make_user, standard_org, token

SCHOOL = "THPT-LQD"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    make_unit(session, SCHOOL, name="Trường THPT Lê Quý Đôn", kind=UnitKind.SCHOOL, now=FIXED_NOW)
    make_user(session, "teacher", (Role.HANDLER, SCHOOL), now=FIXED_NOW, full_name="Ngô Thị Lan")
    make_user(session, "principal", (Role.UNIT_HEAD, SCHOOL), now=FIXED_NOW, full_name="Hoàng Văn Sơn")
    session.flush()


def h(client: TestClient, user: str) -> dict[str, str]:
    return token(client, user)


BODY = ("Sáng 25/11, Trường THPT Lê Quý Đôn tổ chức ngày hội đọc sách với sự tham gia của hơn 1.200 học sinh.\n"
        "Em Nguyễn Minh Khôi, lớp 11A2, đã nhặt được chiếc ví có 5 triệu đồng và trả lại người đánh rơi.")  # fmt: skip


def draft(client: TestClient, user: str = "teacher", **extra: object) -> dict[str, Any]:
    body: dict[str, object] = {
        "kind": "exemplary",
        "title": "Học sinh trả lại của rơi",
        "body": BODY,
        "theme": "ethics_school_safety",
    }
    body.update(extra)
    r = client.post("/api/v1/stories", json=body, headers=h(client, user))
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def test_the_whole_path_to_the_public_and_the_scorecard(client: TestClient, org: None, clock: Clock) -> None:
    story = draft(client)
    sid = story["id"]
    assert story["status"] == "draft" and story["unit"]["code"] == SCHOOL and story["version"] == 1
    assert "submit" not in story["actions"]  # a handler drafts; the head submits
    assert client.post(f"/api/v1/stories/{sid}/submit", headers=h(client, "teacher")).status_code == 403

    r = client.post(f"/api/v1/stories/{sid}/submit", headers=h(client, "principal"))
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    # the public sees nothing yet
    assert client.get("/api/public/v1/stories").json()["items"] == []
    assert client.get(f"/api/public/v1/stories/{sid}").status_code == 404
    assert client.get(f"/stories/{sid}").status_code == 404

    # the office returns it once, with a comment
    office = h(client, "office")
    assert client.post(f"/api/v1/stories/{sid}/return", json={"comment": " "}, headers=office).status_code == 422
    r = client.post(f"/api/v1/stories/{sid}/return", json={"comment": "Bổ sung ảnh và tên giáo viên chủ nhiệm."},
                    headers=office)  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "draft"
    assert r.json()["return_comment"] == "Bổ sung ảnh và tên giáo viên chủ nhiệm."
    # the unit edits (a new version) and submits again
    clock.advance(hours=2)
    new_body = BODY + "\nGiáo viên chủ nhiệm: cô Trần Thị Mai."
    r = client.patch(f"/api/v1/stories/{sid}", json={"body": new_body}, headers=h(client, "teacher"))
    assert r.status_code == 200 and r.json()["version"] == 2
    assert client.post(f"/api/v1/stories/{sid}/submit", headers=h(client, "principal")).status_code == 200
    # the office edits the title, then approves and publishes
    r = client.patch(f"/api/v1/stories/{sid}", json={"title": "Nam sinh lớp 11 trả lại chiếc ví 5 triệu đồng"},
                     headers=office)  # fmt: skip
    assert r.status_code == 200 and r.json()["version"] == 3
    d = client.get(f"/api/v1/stories/{sid}/diff", params={"from": 1, "to": 3}, headers=office).json()
    assert "+Nam sinh lớp 11 trả lại chiếc ví 5 triệu đồng" in d["unified"]
    assert "+Giáo viên chủ nhiệm: cô Trần Thị Mai." in d["unified"]
    assert client.post(f"/api/v1/stories/{sid}/publish", headers=office).status_code == 409  # not approved yet
    assert client.post(f"/api/v1/stories/{sid}/approve", headers=office).json()["status"] == "approved"
    r = client.post(f"/api/v1/stories/{sid}/publish", headers=office)
    assert r.status_code == 200 and r.json()["status"] == "published"
    actions = [e["action"] for e in r.json()["events"]]
    assert actions == ["create", "submit", "return", "edit", "submit", "edit", "approve", "publish"]
    assert client.patch(f"/api/v1/stories/{sid}", json={"title": "X"}, headers=office).status_code == 409

    # the public: JSON, page, feed
    items = client.get("/api/public/v1/stories").json()["items"]
    assert [i["id"] for i in items] == [sid]
    assert items[0]["title"] == "Nam sinh lớp 11 trả lại chiếc ví 5 triệu đồng"
    assert items[0]["unit"] == "Trường THPT Lê Quý Đôn"
    assert client.get(f"/api/public/v1/stories/{sid}").json()["body"] == new_body
    page = client.get("/stories")
    assert page.status_code == 200 and "Nam sinh lớp 11 trả lại chiếc ví 5 triệu đồng" in page.text
    assert "Giáo viên chủ nhiệm: cô Trần Thị Mai." in client.get(f"/stories/{sid}").text
    feed = client.get("/api/public/v1/stories.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    entries = ElementTree.fromstring(feed.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Nam sinh lớp 11 trả lại chiếc ví 5 triệu đồng"]

    # the unit's scorecard counts it (2026-2027: submitted once though submitted twice, published once)
    r = client.get("/api/v1/reports/emulation", params={"school_year": "2026-2027"}, headers=office)
    assert r.status_code == 200, r.text
    row = next(i for i in r.json()["items"] if i["unit"] == SCHOOL)
    assert (row["stories_submitted"], row["stories_published"]) == (1, 1)
    head_view = client.get("/api/v1/reports/emulation", params={"school_year": "2026-2027"},
                           headers=h(client, "principal")).json()  # fmt: skip
    assert [i["unit"] for i in head_view["items"]] == [SCHOOL]


def test_the_public_field_set_is_pinned(client: TestClient, org: None) -> None:
    sid = draft(client)["id"]
    office = h(client, "office")
    client.post(f"/api/v1/stories/{sid}/submit", headers=h(client, "principal"))
    client.post(f"/api/v1/stories/{sid}/approve", headers=office)
    client.post(f"/api/v1/stories/{sid}/publish", headers=office)
    item = client.get("/api/public/v1/stories").json()["items"][0]
    assert set(item) == {"id", "url", "kind", "theme", "title", "body", "unit", "published_at", "photos"}
    assert item["url"].endswith(f"/stories/{sid}")


def test_a_unit_sees_its_own_drafts_not_another_units(client: TestClient, org: None) -> None:
    mine = draft(client)["id"]
    other = draft(client, "handler", title="Tin của Phòng Giáo dục Trung học")["id"]
    teacher = h(client, "teacher")
    assert client.get(f"/api/v1/stories/{mine}", headers=teacher).status_code == 200
    assert client.get(f"/api/v1/stories/{other}", headers=teacher).status_code == 404
    assert client.patch(f"/api/v1/stories/{other}", json={"title": "X"}, headers=teacher).status_code == 404
    assert client.post(f"/api/v1/stories/{other}/submit", headers=h(client, "principal")).status_code == 404
    assert [s["id"] for s in client.get("/api/v1/stories", headers=teacher).json()["items"]] == [mine]
    # a unit drafts only for itself
    r = client.post("/api/v1/stories", json={"kind": "news", "title": "T", "body": "B", "unit": "GDTrH"},
                    headers=teacher)  # fmt: skip
    assert r.status_code == 403
    # the office sees both; the public neither
    ids = {s["id"] for s in client.get("/api/v1/stories", headers=h(client, "office")).json()["items"]}
    assert ids == {mine, other}
    assert client.get("/api/public/v1/stories").json()["items"] == []
    assert "Học sinh trả lại của rơi" not in client.get("/stories").text
    assert client.get("/api/public/v1/stories.atom").text.count("<entry>") == 0


def test_bad_input_is_a_clear_4xx(client: TestClient, org: None) -> None:
    teacher = h(client, "teacher")
    r = client.post("/api/v1/stories", json={"kind": "gossip", "title": "T", "body": "B"}, headers=teacher)
    assert r.status_code == 422
    r = client.post("/api/v1/stories", json={"kind": "news", "title": "", "body": "B"}, headers=teacher)
    assert r.status_code == 422
    sid = draft(client)["id"]
    assert client.post(f"/api/v1/stories/{sid}/approve", headers=h(client, "office")).status_code == 409
    assert client.get("/api/v1/stories/999999", headers=teacher).status_code == 404
    r = client.get("/api/v1/reports/emulation", params={"school_year": "2026"}, headers=h(client, "office"))
    assert r.status_code == 422


def test_contacts_history_and_flag(client: TestClient, org: None, clock: Clock) -> None:
    office = h(client, "office")
    r = client.put(f"/api/v1/units/{SCHOOL}/comms-contact", json={"username": "teacher", "starts_on": "2026-09-05"},
                   headers=office)  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["items"][0]["contact"]["name"] == "Ngô Thị Lan"
    r = client.put(f"/api/v1/units/{SCHOOL}/comms-contact",
                   json={"name": "Phan Thị Hạnh", "title": "Phó Hiệu trưởng", "starts_on": "2026-11-01"},
                   headers=office)  # fmt: skip
    item = r.json()["items"][0]
    assert item["contact"]["name"] == "Phan Thị Hạnh"
    assert [(c["name"], c["ends_on"]) for c in item["history"]] == [("Phan Thị Hạnh", None),
                                                                    ("Ngô Thị Lan", "2026-11-01")]  # fmt: skip
    assert client.put(f"/api/v1/units/{SCHOOL}/comms-contact", json={"name": "X", "starts_on": "2026-10-01"},
                      headers=office).status_code == 422  # fmt: skip
    assert client.put(f"/api/v1/units/{SCHOOL}/comms-contact", json={"name": "X", "starts_on": "2026-12-01"},
                      headers=h(client, "teacher")).status_code == 403  # fmt: skip
    page = client.get("/api/v1/comms/contacts", headers=h(client, "teacher")).json()
    flagged = {i["unit"]["code"] for i in page["items"] if i["contact"] is None}
    assert SCHOOL not in flagged and "GDTrH" in flagged and page["without_contact"] == len(flagged)


def test_plan_targets_and_progress(client: TestClient, org: None, clock: Clock) -> None:
    office = h(client, "office")
    plan = {"themes": ["ethics_school_safety", "digital_transformation"], "stories_per_semester": 2,
            "targets": [{"unit": SCHOOL, "stories_per_semester": 3}]}  # fmt: skip
    r = client.put("/api/v1/comms/plans/2026-2027", json=plan, headers=office)
    assert r.status_code == 200, r.text
    assert r.json()["targets"] == [{"unit": {"code": SCHOOL, "name": "Trường THPT Lê Quý Đôn"},
                                    "stories_per_semester": 3}]  # fmt: skip
    assert client.put("/api/v1/comms/plans/2026-2027", json=plan, headers=h(client, "principal")).status_code == 403
    bad = {**plan, "targets": [{"unit": "NOPE", "stories_per_semester": 1}]}
    assert client.put("/api/v1/comms/plans/2026-2027", json=bad, headers=office).status_code == 422
    sid = draft(client)["id"]
    client.post(f"/api/v1/stories/{sid}/submit", headers=h(client, "principal"))
    progress = client.get("/api/v1/comms/progress", headers=h(client, "teacher")).json()
    assert progress == [{
        "unit": {"code": SCHOOL, "name": "Trường THPT Lê Quý Đôn"}, "school_year": "2026-2027", "semester": 1,
        "target_per_semester": 3, "target_year": 6, "submitted_semester": 1, "published_semester": 0,
        "submitted_year": 1, "published_year": 0, "contact_designated": False,
    }]  # fmt: skip
    row = next(i for i in client.get("/api/v1/reports/emulation", params={"school_year": "2026-2027"},
                                      headers=office).json()["items"] if i["unit"] == "GDTrH")  # fmt: skip
    assert row["target"] == 4 and row["target_met"] is False


def test_emulation_exports(client: TestClient, org: None) -> None:
    office = h(client, "office")
    csv = client.get("/api/v1/reports/emulation.csv", params={"school_year": "2026-2027"}, headers=office)
    assert csv.status_code == 200 and "Tin bài đã đăng" in csv.content.decode("utf-8-sig")
    assert SCHOOL in csv.content.decode("utf-8-sig")
    xlsx = client.get("/api/v1/reports/emulation.xlsx", params={"school_year": "2026-2027"}, headers=office)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_clock_and_window(client: TestClient, org: None, clock: Clock) -> None:
    """A story submitted in the 2025-2026 school year does not count in 2026-2027."""
    clock.set(FIXED_NOW - timedelta(days=365))
    sid = draft(client)["id"]
    client.post(f"/api/v1/stories/{sid}/submit", headers=h(client, "principal"))
    clock.set(FIXED_NOW)
    office = h(client, "office")
    rows = client.get("/api/v1/reports/emulation", params={"school_year": "2026-2027"}, headers=office).json()
    assert next(i for i in rows["items"] if i["unit"] == SCHOOL)["stories_submitted"] == 0
    rows = client.get("/api/v1/reports/emulation", params={"school_year": "2025-2026"}, headers=office).json()
    assert next(i for i in rows["items"] if i["unit"] == SCHOOL)["stories_submitted"] == 1


def test_a_published_story_goes_out_through_the_webhooks(client: TestClient, org: None) -> None:
    body = {"url": "https://portal.example.vn/hooks/crisisdesk", "events": ["story.published"]}
    hook = client.post("/api/v1/webhooks", json=body, headers=h(client, "admin"))
    assert hook.status_code == 201, hook.text
    sid = draft(client)["id"]
    office = h(client, "office")
    client.post(f"/api/v1/stories/{sid}/submit", headers=h(client, "principal"))
    client.post(f"/api/v1/stories/{sid}/approve", headers=office)
    deliveries = client.get(f"/api/v1/webhooks/{hook.json()['id']}/deliveries", headers=h(client, "admin"))
    assert deliveries.json()["items"] == []  # nothing before publication
    client.post(f"/api/v1/stories/{sid}/publish", headers=office)
    items = client.get(f"/api/v1/webhooks/{hook.json()['id']}/deliveries", headers=h(client, "admin")).json()["items"]
    assert [d["event"] for d in items] == ["story.published"]
