"""The English interface is complete: no Vietnamese left on the main pages outside user data.

User data (case titles, names, unit names, notes) is marked ``translate="no"``; everything else a reader sees or
a screen reader reads (text, labels, placeholders, aria-labels, titles, confirmations) must be English.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.cases import service as cases
from app.cases.models import CaseUpdate
from app.cases.vocabulary import Topic
from app.cases.workflow import Action, CloseReason
from tests.conftest import FIXED_NOW
from tests.factories import actor, make_case
from tests.web.staff.pages import login, post_form, untranslated
from tests.web.staff.test_cases import accepted, routed


@pytest.fixture
def english(browser: TestClient) -> TestClient:
    browser.get("/staff/lang/en")
    return browser


@pytest.fixture
def story(session: Session, org: None) -> str:
    """Cases with every kind of event: created, routed, accepted, edited, noted; and a closed one."""
    case = accepted(
        session, title="Đề thi thử bị lộ", outlet="Báo Tuổi Trẻ", tags=["thi-cu"], supporting_units=["GDTH"]
    )
    office = actor(session, "office")
    cases.add_note(session, actor=office, case=case, text="Đã liên hệ nhà trường.", now=FIXED_NOW)
    cases.update_case(session, actor=office, case=case, data=CaseUpdate(topic=Topic.EDUCATION_QUALITY), now=FIXED_NOW)
    closed = make_case(session, by="office", now=FIXED_NOW)
    cases.transition_case(
        session,
        actor=office,
        case=closed,
        action=Action.CLOSE,
        reason=CloseReason.DUPLICATE,
        note="Trùng",
        now=FIXED_NOW,
    )
    make_case(session, by="office", now=FIXED_NOW)
    routed(session, "GDTH")
    return case.reference


def check(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert '<html lang="en">' in response.text
    left = untranslated(response.text)
    assert left == [], f"{url}: {left}"
    return response.text


def test_pages_of_the_press_office(english: TestClient, story: str) -> None:
    login(english, "office")
    for url in (
        "/staff/",
        "/staff/cases",
        "/staff/cases/new",
        f"/staff/cases/{story}",
        f"/staff/cases/{story}/edit",
        "/staff/settings",
        "/staff/cases?status=bogus",
    ):
        check(english, url)
    page = check(english, f"/staff/cases/{story}")
    assert "Timeline" in page and "Accept" in page and "Internal notes" in page
    check(english, "/staff/cases/VV-2026-99999", status=404)
    check(english, "/staff/no-such-page", status=404)


def test_form_errors_are_english(english: TestClient, story: str) -> None:
    login(english, "office")
    response = post_form(
        english,
        "/staff/cases/new",
        "/staff/cases",
        {"title": "", "source_url": "x", "received_at": "2026-12-30T08:00", "source_kind": "press_article"},
    )
    assert response.status_code == 422
    assert untranslated(response.text) == []
    assert "This field is required." in response.text
    conflict = post_form(
        english,
        f"/staff/cases/{story}",
        f"/staff/cases/{story}/transitions",
        {"action": "accept", "expected_status": "assigned"},
    )
    assert conflict.status_code == 409
    assert untranslated(conflict.text) == [] and "Someone else has just updated this case" in conflict.text


def test_pages_of_the_unit_spokesperson_and_director(english: TestClient, story: str) -> None:
    for username in ("handler", "head", "spokesperson", "director"):
        login(english, username)
        check(english, "/staff/")
        check(english, "/staff/cases")
        check(english, f"/staff/cases/{story}")


def test_admin_pages(english: TestClient, story: str) -> None:
    login(english, "admin")
    for url in (
        "/staff/",
        "/staff/admin/",
        "/staff/admin/units",
        "/staff/admin/units/new",
        "/staff/admin/units/GDTrH",
        "/staff/admin/users",
        "/staff/admin/users/new",
        "/staff/admin/users/handler",
        "/staff/admin/tokens",
    ):
        check(english, url)


def test_the_login_page(english: TestClient, org: None) -> None:
    check(english, "/staff/login")
    check(english, "/staff/login?expired=1")
