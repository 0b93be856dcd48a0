"""E-mail of the notifications follows each user's choice, through a real SMTP server (aiosmtpd on an ephemeral
port): ``immediate`` goes out through the worker's outbox exactly once; ``daily`` is ONE message per user for the
local day, with everything of that day; ``off`` sends nothing. These tests commit for real, on a database of their
own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.cases import service as cases
from app.cases.models import CaseCreate
from app.cases.scope import get_case
from app.cases.vocabulary import SourceKind
from app.cases.workflow import Action
from app.db import make_engine
from app.notifications.models import EmailStatus, Notification, NotificationKind
from app.notifications.worker import Worker
from app.org.models import EmailFrequency, User
from tests.conftest import make_settings
from tests.factories import actor, standard_org
from tests.support.smtp import SmtpSink

DAY_ONE = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, Tuesday 1 December
NEXT_MORNING = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)  # 00:30 on 2 December, local time


@pytest.fixture
def db(isolated_url: str) -> Iterator[Engine]:
    engine = make_engine(isolated_url)
    yield engine
    engine.dispose()


def address(username: str) -> str:
    return f"{username}@sgddt.example.gov.vn"


def day_of_work(engine: Engine) -> str:
    """The press office routes a case to Phòng GDTrH with the handler assigned, then mentions the handler twice
    (in two requests, as two notes)."""
    choices = {"head": EmailFrequency.IMMEDIATE, "handler": EmailFrequency.DAILY, "office": EmailFrequency.OFF,
               "spokesperson": EmailFrequency.IMMEDIATE}  # fmt: skip
    with Session(engine) as session:
        standard_org(session, DAY_ONE)
        for user in session.exec(select(User)).all():
            user.email = address(user.username)
            user.email_frequency = choices.get(user.username, EmailFrequency.IMMEDIATE)
            session.add(user)
        session.commit()
    with Session(engine) as session:
        office = actor(session, "office")
        data = CaseCreate(title="Clip học sinh bị bắt nạt lan truyền", source_kind=SourceKind.SOCIAL_MEDIA,
                          lead_unit="GDTrH", received_at=DAY_ONE)  # fmt: skip
        case = cases.open_case(session, actor=office, data=data, now=DAY_ONE)
        cases.transition_case(session, actor=office, case=case, action=Action.ASSIGN, assignees=["handler"],
                              now=DAY_ONE)  # fmt: skip
        session.commit()
        reference = case.reference
    for hours, note in ((2, "@handler xác minh trường nào."), (5, "@handler @head cần số liệu trước 16 giờ.")):
        with Session(engine) as session:
            case = get_case(session, actor=actor(session, "office"), reference=reference)
            cases.add_note(session, actor=actor(session, "office"), case=case, text=note,
                           now=DAY_ONE + timedelta(hours=hours))  # fmt: skip
            session.commit()
    return reference


def worker(url: str, port: int, now: datetime, engine: Engine) -> Worker:
    settings = make_settings(url, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                             public_base_url="http://crisisdesk.test")  # fmt: skip
    return Worker(settings, engine=engine, clock=lambda: now)


def test_immediate_daily_and_off(db: Engine, isolated_url: str, smtp_sink: SmtpSink) -> None:
    sink, port = smtp_sink, smtp_sink.port
    reference = day_of_work(db)

    # During the day: the head (immediate) gets each notification at once; the handler (daily) nothing yet.
    worker(isolated_url, port, DAY_ONE + timedelta(hours=6), db).run(once=True)
    head = sink.to(address("head"))
    assert len(head) == 2  # routed to the unit, then mentioned
    assert head[0]["Subject"].startswith(f"Vụ việc {reference} được chuyển cho Phòng Giáo dục Trung học")
    assert f"http://crisisdesk.test/staff/cases/{reference}" in head[0].get_content()
    assert sink.to(address("handler")) == [] and sink.to(address("office")) == []
    worker(isolated_url, port, DAY_ONE + timedelta(hours=7), db).run(once=True)
    assert len(sink.to(address("head"))) == 2  # exactly once

    # After the local day ends: ONE message for the handler with everything of that day.
    for _ in range(2):
        worker(isolated_url, port, NEXT_MORNING, db).run(once=True)
    daily = sink.to(address("handler"))
    assert len(daily) == 1
    assert daily[0]["Subject"] == "CrisisDesk: 4 tin nhắn ngày 01/12/2026"
    body = daily[0].get_content()
    assert body.count(reference) >= 4 and "Nhắc đến bạn" in body and "Giao cho bạn" in body
    assert "http://crisisdesk.test/staff/cases/" in body
    assert sink.to(address("office")) == []
    assert len(sink.messages) == 3

    with Session(db) as session:
        rows = session.exec(select(Notification).join(User, User.id == Notification.user_id)  # type: ignore[arg-type]
                            .where(User.username == "handler")).all()  # fmt: skip
        statuses = sorted((r.kind.value, r.email_status.value) for r in rows)
        assert statuses == [("assigned", "in_daily"), ("daily_email", "sent"), ("mentioned", "in_daily"),
                            ("mentioned", "in_daily"), ("routed", "in_daily")]  # fmt: skip
        office_rows = session.exec(select(Notification).join(User, User.id == Notification.user_id)  # type: ignore[arg-type]
                                   .where(User.username == "office")).all()  # fmt: skip
        assert all(r.email_status == EmailStatus.NONE for r in office_rows)
        daily_row = next(r for r in rows if r.kind == NotificationKind.DAILY_EMAIL)
        assert daily_row.read_at is not None  # never shown in-app
