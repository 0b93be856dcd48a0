"""The war room in a real browser (issue 14): it updates when another user adds a note, without a reload."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.crisis.models import CrisisIn
from app.crisis.paging import Paging
from app.crisis.service import declare_crisis
from app.db import make_engine
from tests.browser.conftest import Site, screenshot
from tests.conftest import FIXED_NOW
from tests.factories import PASSWORD, actor, make_case

pytestmark = pytest.mark.browser


def log_in(page: Page, username: str) -> None:
    page.goto("/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/staff/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_the_war_room_shows_another_users_note_without_a_reload(page: Page, site: Site) -> None:
    engine = make_engine(site.database_url)
    with Session(engine, expire_on_commit=False) as session:
        case = make_case(session, by="office", now=FIXED_NOW - timedelta(hours=1), title="Khủng hoảng trong phòng",
                         received_at=FIXED_NOW - timedelta(hours=1))  # fmt: skip
        declare_crisis(session, actor=actor(session, "spokesperson"), reference=case.reference,
                       data=CrisisIn(level=2, reason="Clip lan truyền."), now=FIXED_NOW,
                       paging=Paging(timedelta(minutes=10), site.base_url, "x" * 40, False), locale="vi")  # fmt: skip
        session.commit()
        ref = case.reference
    engine.dispose()

    log_in(page, "spokesperson")
    page.goto(f"/staff/cases/{ref}/war-room")
    expect(page.locator("#crisis-level")).to_contain_text("Cấp 2")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)

    # Another user (the press officer, through the API) adds a note.
    import httpx

    with httpx.Client(base_url=site.base_url) as other:
        response = other.post("/api/v1/auth/token", data={"username": "office", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        note = other.post(f"/api/v1/cases/{ref}/notes", json={"text": "Đã gọi cho hiệu trưởng."}, headers=headers)
        assert note.status_code in (200, 201), note.text

    expect(page.locator("#live .timeline")).to_contain_text("Đã gọi cho hiệu trưởng.", timeout=15_000)
    assert navigations == []  # no reload
    screenshot(page, "war-room-live")
