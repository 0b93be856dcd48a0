"""Crisis mode meets the monitoring (issue 14): a crisis declared from a monitored item — by the API and by the
button of the items page — opens the case of its story when there is none, declares through the crisis service
(409s as it gives them), and both steps are in the case's history; the war room shows the story's coverage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.cases.models import Case
from app.monitor import rules, service
from app.monitor.models import MonitorItem, MonitorSource, SourceKind
from tests.conftest import FIXED_NOW
from tests.crisis.helpers import crisis_org, load_roster
from tests.factories import make_case, token
from tests.web.staff.pages import login, post_form

STORY = "Trường THCS Nguyễn Du bị tố lạm thu đầu năm học"
TEXT = "Phụ huynh phản ánh trường THCS Nguyễn Du thu nhiều khoản ngoài quy định."


@pytest.fixture
def org(session: Session) -> None:
    crisis_org(session, FIXED_NOW - timedelta(days=1))
    load_roster(session, FIXED_NOW - timedelta(hours=2))
    session.commit()


def _story(session: Session, now: datetime, outlets: list[str]) -> list[int]:
    """The same story carried by several outlets, stored as the fetcher would (one cluster)."""
    source = MonitorSource(name="s", url="https://e.vn/rss", kind=SourceKind.FEED, outlet="x", created_at=now)
    session.add(source)
    session.flush()
    assert source.id is not None
    ids: list[int] = []
    for n, outlet in enumerate(outlets):
        entry = rules.Entry(url=f"https://bao{n}.vn/bai-{n}.htm", title=STORY, text=TEXT)
        ids += service.store_items(session, source_id=source.id, outlet=outlet, entries=[entry],
                                   matcher=service.load_matcher(session),
                                   index=service.load_cluster_index(session, now=now), now=now)  # fmt: skip
    session.commit()
    return ids


def _cases(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(Case)).all())


def test_declare_from_an_item_by_the_api(client: TestClient, session: Session, org: None) -> None:
    first, second = _story(session, FIXED_NOW - timedelta(hours=1), ["Tuổi Trẻ", "VnExpress"])
    office = token(client, "office")
    url = f"/api/v1/monitor/items/{first}/crisis"
    bad = client.post(url, json={"level": 4, "reason": "Lan truyền mạnh."}, headers=office)
    assert bad.status_code == 422 and _cases(session) == 0
    admin = client.post(url, json={"level": 2, "reason": "Lan truyền mạnh."}, headers=token(client, "admin"))
    assert admin.status_code == 403 and _cases(session) == 0  # nothing half-done: no case was left behind
    assert client.post("/api/v1/monitor/items/999999/crisis", json={"level": 2, "reason": "x"},
                       headers=office).status_code == 404  # fmt: skip

    r = client.post(url, json={"level": 2, "reason": "Lan truyền mạnh trên báo chí."}, headers=office)
    assert r.status_code == 201, r.text
    body = r.json()
    ref = body["case_reference"]
    assert ref.startswith("VV-2026-") and body["crisis"]["level"] == 2 and body["crisis"]["active"]
    case = client.get(f"/api/v1/cases/{ref}", headers=office).json()
    assert case["severity"] == "crisis" and case["title"] == STORY
    events = client.get(f"/api/v1/cases/{ref}/events", headers=office).json()["items"]
    kinds = [(e["kind"], e.get("action")) for e in events]
    assert ("monitor_item_linked", None) in kinds and ("crisis", "declared") in kinds

    # The other item of the same story: the same case, no second one; the same level again is the service's 409.
    again = client.post(f"/api/v1/monitor/items/{second}/crisis", json={"level": 2, "reason": "Vẫn lan."},
                        headers=office)  # fmt: skip
    assert again.status_code == 409 and ref in again.json()["detail"]
    higher = client.post(f"/api/v1/monitor/items/{second}/crisis", json={"level": 3, "reason": "Lan rộng."},
                         headers=office)  # fmt: skip
    assert higher.status_code == 200 and higher.json()["case_reference"] == ref
    assert higher.json()["crisis"]["level"] == 3 and _cases(session) == 1
    assert client.get(f"/api/v1/monitor/items/{second}", headers=office).json()["case_reference"] == ref


def test_declare_on_an_item_already_a_case(client: TestClient, session: Session, org: None) -> None:
    (item,) = _story(session, FIXED_NOW - timedelta(hours=1), ["Dân Trí"])
    office = token(client, "office")
    opened = client.post(f"/api/v1/monitor/items/{item}/case", headers=office)
    assert opened.status_code == 201
    ref = opened.json()["reference"]
    r = client.post(f"/api/v1/monitor/items/{item}/crisis", json={"level": 1, "reason": "Theo dõi sát."},
                    headers=office)  # fmt: skip
    assert r.status_code == 201 and r.json()["case_reference"] == ref and _cases(session) == 1
    session.expire_all()
    assert session.exec(select(MonitorItem.case_id).where(MonitorItem.id == item)).one() is not None


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def test_the_button_of_the_items_page_and_the_war_room_coverage(browser: TestClient, session: Session,
                                                                org: None) -> None:  # fmt: skip
    first, _second = _story(session, FIXED_NOW - timedelta(hours=1), ["Tuổi Trẻ", "VnExpress"])
    login(browser, "spokesperson")
    page = browser.get("/staff/monitor/items?matched=all")
    assert page.status_code == 200 and f'action="/staff/monitor/items/{first}/crisis"' in page.text
    refused = post_form(browser, "/staff/monitor/items?matched=all", f"/staff/monitor/items/{first}/crisis",
                        {"level": "2", "reason": ""})  # fmt: skip
    assert refused.status_code == 422 and _cases(session) == 0
    done = post_form(browser, "/staff/monitor/items?matched=all", f"/staff/monitor/items/{first}/crisis",
                     {"level": "2", "reason": "Lan truyền mạnh trên báo chí."})  # fmt: skip
    assert done.status_code == 303, done.text
    room_url = done.headers["location"]
    assert room_url.startswith("/staff/cases/VV-2026-") and room_url.endswith("/war-room")
    room = browser.get(room_url)
    assert room.status_code == 200 and "Cấp 2: khủng hoảng truyền thông" in room.text
    assert "Tin báo chí về vụ việc" in room.text  # the coverage: every item of the story
    assert "Tuổi Trẻ" in room.text and "VnExpress" in room.text and "https://bao0.vn/bai-0.htm" in room.text
    assert "Mở từ tin báo chí theo dõi được" in browser.get(f"{room_url}/live").text
    again = post_form(browser, "/staff/monitor/items?matched=all", f"/staff/monitor/items/{first}/crisis",
                      {"level": "2", "reason": "Lại."})  # fmt: skip
    assert again.status_code == 409 and "đang ở tình trạng khủng hoảng cấp 2" in again.text
    assert _cases(session) == 1


def test_the_war_room_of_a_case_not_from_the_monitoring_has_no_coverage(browser: TestClient, session: Session,
                                                                         org: None) -> None:  # fmt: skip
    case = make_case(session, by="office", now=FIXED_NOW - timedelta(hours=1))
    session.commit()
    login(browser, "spokesperson")
    room = browser.get(f"/staff/cases/{case.reference}/war-room")
    assert room.status_code == 200 and "Tin báo chí về vụ việc" not in room.text
