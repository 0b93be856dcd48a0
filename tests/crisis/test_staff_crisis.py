"""Crisis mode's staff pages: the war room (declare, the live part, the button to acknowledge, the holding
statement one click away, a note), the after-action review page with its lessons, the roster's admin page, the
director's year of crises, and the e-mail's one-click link (no session)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import FIXED_NOW
from tests.crisis.helpers import case_in_crisis, crisis_org, load_roster
from tests.factories import make_case
from tests.web.staff.pages import login, post_form


@pytest.fixture
def org(session: Session) -> None:
    crisis_org(session, FIXED_NOW - timedelta(days=1))
    load_roster(session, FIXED_NOW - timedelta(hours=2))


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def test_declare_from_the_war_room_then_acknowledge_and_draft(browser: TestClient, session: Session,
                                                              org: None) -> None:  # fmt: skip
    case = make_case(
        session, by="office", now=FIXED_NOW - timedelta(hours=1), received_at=FIXED_NOW - timedelta(hours=1)
    )
    ref = case.reference
    login(browser, "spokesperson")
    room = f"/staff/cases/{ref}/war-room"
    page = browser.get(room)
    assert page.status_code == 200 and "Công bố khủng hoảng" in page.text
    refused = post_form(browser, room, f"/staff/cases/{ref}/crisis", {"level": "2", "reason": ""})
    assert refused.status_code == 422 and "reason" in refused.text
    done = post_form(browser, room, f"/staff/cases/{ref}/crisis", {"level": "2", "reason": "Lan truyền mạnh."})
    assert done.status_code == 303, done.text
    page = browser.get(room)
    assert "Cấp 2: khủng hoảng truyền thông" in page.text
    assert "Tôi đã nhận" in page.text  # the spokesperson on duty was paged
    assert "Khủng hoảng cấp 2: thông tin ban đầu" in page.text and "Chỉ tiêu nội bộ của Sở" in page.text
    live = browser.get(f"{room}/live")
    assert live.status_code == 200 and "Gửi báo động khủng hoảng" in live.text
    page_id = page.text.split('action="/staff/pages/', 1)[1].split("/", 1)[0]
    acked = post_form(browser, room, f"/staff/pages/{page_id}/acknowledge", {})
    assert acked.status_code == 303
    assert "Xác nhận đã nhận báo động" in browser.get(f"{room}/live").text
    note = post_form(browser, room, f"/staff/cases/{ref}/war-room/notes", {"text": "Đã liên hệ nhà trường."})
    assert note.status_code == 303
    assert "Đã liên hệ nhà trường." in browser.get(f"{room}/live").text
    holding = post_form(browser, room, f"/staff/cases/{ref}/war-room/holding", {})
    assert holding.status_code == 303 and holding.headers["location"].startswith("/staff/statements/")
    again = post_form(browser, room, f"/staff/cases/{ref}/war-room/holding", {})
    assert again.headers["location"] == holding.headers["location"]  # the open draft, not a second one
    statement = browser.get(holding.headers["location"])
    assert statement.status_code == 200 and "đang phối hợp với các đơn vị liên quan" in statement.text
    down = post_form(browser, room, f"/staff/cases/{ref}/crisis/stand-down", {"stand_down_reason": "Ổn định."})
    assert down.status_code == 303 and down.headers["location"].endswith("/after-action")


def test_the_after_action_page_and_its_lessons(browser: TestClient, session: Session, org: None) -> None:
    ref = case_in_crisis(session, now=FIXED_NOW)
    login(browser, "office")
    url = f"/staff/cases/{ref}/after-action"
    page = browser.get(url)
    assert page.status_code == 200 and "Báo cáo rút kinh nghiệm" in page.text and "milestone-declared" in page.text
    saved = post_form(browser, url, f"/staff/cases/{ref}/after-action/lessons", {"lessons": "Phản ứng nhanh hơn."})
    assert saved.status_code == 303
    assert "Phản ứng nhanh hơn." in browser.get(url).text
    docx = browser.get(f"/api/v1/cases/{ref}/after-action.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    from io import BytesIO

    from docx import Document

    text = "\n".join(p.text for p in Document(BytesIO(docx.content)).paragraphs)
    assert "Báo cáo rút kinh nghiệm xử lý khủng hoảng truyền thông" in text and "Phản ứng nhanh hơn." in text


def test_the_director_sees_the_year_of_crises(browser: TestClient, session: Session, org: None) -> None:
    ref = case_in_crisis(session, now=FIXED_NOW)
    login(browser, "director")
    home = browser.get("/staff/")
    assert home.status_code == 200 and "Khủng hoảng trong năm 2026" in home.text
    assert f'href="/staff/cases/{ref}/after-action"' in home.text


def test_the_roster_page(browser: TestClient, org: None) -> None:
    login(browser, "admin")
    page = browser.get("/staff/admin/roster")
    assert page.status_code == 200 and "Trịnh Minh Phó" in page.text
    clash = post_form(browser, "/staff/admin/roster", "/staff/admin/roster/shifts",
                      {"role": "press_officer", "user": "office2", "position": "1",
                       "starts_at": "2026-11-27T10:00", "ends_at": "2026-11-27T12:00"})  # fmt: skip
    assert clash.status_code == 422 and "trùng thời gian" in clash.text
    added = post_form(browser, "/staff/admin/roster", "/staff/admin/roster/shifts",
                      {"role": "press_officer", "user": "office2", "position": "2",
                       "starts_at": "2026-11-27T10:00", "ends_at": "2026-11-27T12:00"})  # fmt: skip
    assert added.status_code == 303, added.text
    assert "Lý Thị Mai" in browser.get("/staff/admin/roster").text


def test_the_link_without_a_session(browser: TestClient, session: Session, org: None) -> None:
    from sqlmodel import select

    from app.crisis.models import CrisisPage
    from app.crisis.rules import ack_signature

    case_in_crisis(session, now=FIXED_NOW)
    page = session.exec(select(CrisisPage).order_by(CrisisPage.id)).first()  # type: ignore[arg-type]
    assert page is not None and page.id is not None
    secret = browser.app.state.settings.secret_key.get_secret_value()  # type: ignore[attr-defined]
    sig = ack_signature(secret, page.id, page.user_id)
    shown = browser.get(f"/staff/pages/{page.id}/ack", params={"sig": sig})
    assert shown.status_code == 200 and 'id="ack-button"' in shown.text
    assert shown.headers["cache-control"] == "no-store"
    done = browser.post(f"/staff/pages/{page.id}/ack", params={"sig": sig})
    assert done.status_code == 200 and 'id="acked"' in done.text
    assert browser.post(f"/staff/pages/{page.id}/ack", params={"sig": "0" * 64}).status_code == 404


def test_the_crisis_pages_in_english(browser: TestClient, session: Session, org: None) -> None:
    from tests.web.staff.pages import untranslated

    ref = case_in_crisis(session, now=FIXED_NOW)
    login(browser, "spokesperson")
    browser.get("/staff/lang/en")
    for url in (f"/staff/cases/{ref}/war-room", f"/staff/cases/{ref}/after-action", "/staff/admin/roster",
                "/staff/pages"):  # fmt: skip
        response = browser.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.text
        assert untranslated(response.text) == [], (url, untranslated(response.text))


def test_the_admin_applies_the_ministry_rule_as_a_crisis_target(browser: TestClient, session: Session,
                                                                org: None) -> None:  # fmt: skip
    login(browser, "admin")
    fields = {"name": "Khủng hoảng cấp 1: quy tắc 6 giờ của Bộ", "start_event": "crisis_declared", "length": "6",
              "unit": "hours", "met_by": "reply", "actor": "spokesperson", "crisis_level": "1",
              "basis": "Bộ GDĐT: trả lời trong 6 giờ (Quyết định 22/QĐ-BGDĐT)"}  # fmt: skip
    missing = post_form(browser, "/staff/admin/targets/new", "/staff/admin/targets", {**fields, "crisis_level": ""})
    assert missing.status_code == 422  # a crisis target needs its level
    created = post_form(browser, "/staff/admin/targets/new", "/staff/admin/targets", fields)
    assert created.status_code == 303, created.text
    ref = case_in_crisis(session, now=FIXED_NOW, level=1)
    from tests.factories import token

    items = browser.get(f"/api/v1/cases/{ref}/clocks", headers=token(browser, "office")).json()["items"]
    ministry = [c for c in items if c["name"] == fields["name"]]
    assert len(ministry) == 1 and ministry[0]["basis"] == fields["basis"] and ministry[0]["state"] == "running"
