"""The English interface of the deadline, statement and spokesperson pages is complete: no Vietnamese left outside
user data (marked translate="no"; legal citations are kept in their official Vietnamese form and marked so)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.clocks.models import Clock, ClockOrigin
from app.clocks.schedule import Stage
from app.notices import publication
from app.notifications.models import EmailStatus, Notification
from app.spokespersons import service as spokespersons
from app.spokespersons.models import AuthorisationCreate
from app.statements import service as statements
from app.statements.models import ApproveIn, StatementCreate, VersionCreate
from app.statements.rules import StatementKind
from app.tasks import service as tasks
from app.tasks.models import TaskCreate
from tests.conftest import FIXED_NOW
from tests.factories import actor, appoint_spokesperson, case_in_progress
from tests.web.staff.pages import login, post_form, untranslated
from tests.web.staff.test_english import check

CHECKLIST = ApproveIn.model_validate(
    {"checklist": {"no_state_secret": True, "no_private_data": True, "no_pending_proceedings": True}}
)


@pytest.fixture
def english(browser: TestClient) -> TestClient:
    browser.get("/staff/lang/en")
    return browser


@pytest.fixture
def story(session: Session, org: None) -> dict[str, object]:
    """A case with clocks (statutory, internal, a task's), a published response with two versions, an initial
    information statement awaiting approval, an authorisation and a notification."""
    appoint_spokesperson(session, now=FIXED_NOW - timedelta(days=1))
    case = case_in_progress(session, now=FIXED_NOW - timedelta(hours=3), title="Học sinh bị ngộ độc thực phẩm",
                            legal_trigger="major_event", outlet="Báo Thanh Niên")  # fmt: skip
    handler, head, spokesperson = (actor(session, u) for u in ("handler", "head", "spokesperson"))
    tasks.create_task(session, actor=spokesperson, reference=case.reference,
                      data=TaskCreate(unit="GDTH", request="Số liệu bán trú?", due_at=FIXED_NOW + timedelta(days=1)),
                      now=FIXED_NOW)  # fmt: skip
    response = statements.create_statement(
        session,
        actor=handler,
        case=case,
        now=FIXED_NOW,
        data=StatementCreate(kind=StatementKind.RESPONSE, text="Bản một."),
    )
    statements.add_version(session, actor=handler, statement=response, case=case, now=FIXED_NOW,
                           data=VersionCreate(text="Bản một, đã sửa.\nThêm dòng."))  # fmt: skip
    statements.add_comment(session, actor=head, statement=response, case=case, text="Đồng ý.", version=2,
                           now=FIXED_NOW)  # fmt: skip
    statements.submit(session, actor=head, statement=response, case=case, note=None, now=FIXED_NOW)
    statements.approve(session, actor=spokesperson, statement=response, case=case, data=CHECKLIST, now=FIXED_NOW)
    publication.publish(session, actor=actor(session, "office"), statement=response, case=case, at=None,
                       now=FIXED_NOW, issuer="SGDĐT")  # fmt: skip
    initial = statements.create_statement(
        session,
        actor=handler,
        case=case,
        now=FIXED_NOW,
        data=StatementCreate(kind=StatementKind.INITIAL_INFORMATION, text="Ban đầu."),
    )
    statements.submit(session, actor=head, statement=initial, case=case, note=None, now=FIXED_NOW)
    grant = AuthorisationCreate(username="head", number="01/UQ", signed_on=FIXED_NOW.date(),
                                valid_until=FIXED_NOW.date() + timedelta(days=7))  # fmt: skip
    spokespersons.grant_authorisation(session, actor=actor(session, "director"), case=case, now=FIXED_NOW, data=grant)
    session.add(Notification(user_id=actor(session, "office").user_id, case_id=case.id, stage=Stage.DUE,
                             dedupe_key="english", title="Đến hạn: thông tin ban đầu", body="Chi tiết",
                             created_at=FIXED_NOW, email_status=EmailStatus.NONE))  # fmt: skip
    session.flush()
    clock = session.exec(select(Clock).where(Clock.case_id == case.id, Clock.origin == ClockOrigin.INTERNAL)).first()
    assert clock is not None
    return {"case": case.reference, "response": response.id, "initial": initial.id, "clock": clock.id}


def test_case_statement_and_deadline_pages(english: TestClient, story: dict[str, object]) -> None:
    ref, sid, clock = story["case"], story["response"], story["clock"]
    for username in ("office", "handler", "head", "spokesperson", "director"):
        login(english, username)
        for url in ("/staff/", f"/staff/cases/{ref}", f"/staff/statements/{sid}",
                    f"/staff/statements/{story['initial']}",
                    f"/staff/statements/{sid}/diff?from=1&to=2", "/staff/notices/2026-tb-1",
                    f"/staff/cases/{ref}/clocks/{clock}", "/staff/spokespersons", "/staff/notifications",
                    "/staff/cases?due=overdue", "/staff/admin/calendar?year=2026", "/staff/admin/targets"):  # fmt: skip
            check(english, url)
    page = check(english, f"/staff/cases/{ref}")
    assert "Deadlines" in page and "Statement approved" in page and "Notice published" in page


def test_admin_pages(english: TestClient, story: dict[str, object], session: Session) -> None:
    login(english, "admin")
    for url in ("/staff/admin/", "/staff/admin/calendar", "/staff/admin/calendar?year=2026",
                "/staff/admin/targets", "/staff/admin/targets/new", "/staff/admin/targets/1"):  # fmt: skip
        check(english, url)


def test_form_errors_are_english(english: TestClient, story: dict[str, object]) -> None:
    login(english, "spokesperson")
    sid = story["initial"]
    response = post_form(english, f"/staff/statements/{sid}", f"/staff/statements/{sid}/approve",
                         {"no_state_secret": "1", "version": "1", "expected_status": "submitted"})  # fmt: skip
    assert response.status_code == 422 and untranslated(response.text) == []
    login(english, "admin")
    response = post_form(english, "/staff/admin/calendar", "/staff/admin/calendar/overrides",
                         {"day": "2026-11-28", "kind": "extra_off", "description": "Nghỉ"})  # fmt: skip
    assert response.status_code == 422 and untranslated(response.text) == []
