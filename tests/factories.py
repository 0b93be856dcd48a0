"""Plain builders with explicit defaults for the tests' data. They go through the services, like the app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import count
from typing import Any

import httpx
from sqlalchemy import func, insert
from sqlmodel import Session, select

from app.auth.permissions import Actor, Role
from app.auth.service import load_actor, password_hasher
from app.cases import service as cases
from app.cases.models import Case, CaseCreate
from app.cases.vocabulary import SourceKind
from app.cases.workflow import Action
from app.clocks.models import Clock as ClockRow
from app.notices import publication
from app.notices.models import Notice
from app.org.models import GrantIn, Unit, UnitKind, User, UserCreate
from app.org.service import create_user
from app.spokespersons import service as spokespersons
from app.spokespersons.models import AppointmentCreate, SpokespersonAppointment
from app.statements import service as statements
from app.statements.models import ApproveIn, Checklist, Statement, StatementCreate

PASSWORD = "correct-horse-battery"
_seq = count(1)


def make_unit(session: Session, code: str, *, name: str | None = None, kind: UnitKind = UnitKind.DIVISION,
              now: datetime, parent: Unit | None = None) -> Unit:  # fmt: skip
    existing = session.exec(select(Unit).where(Unit.code == code)).first()
    if existing:
        return existing
    unit = Unit(code=code, name=name or f"Phòng {code}", kind=kind, created_at=now,
                parent_id=parent.id if parent else None)  # fmt: skip
    session.add(unit)
    session.flush()
    return unit


def make_user(session: Session, username: str, *roles: tuple[Role, str | None], now: datetime,
              full_name: str | None = None, title: str = "") -> User:  # fmt: skip
    for _role, unit_code in roles:
        if unit_code:
            make_unit(session, unit_code, now=now)
    return create_user(
        session,
        data=UserCreate(
            username=username,
            full_name=full_name or f"Người dùng {username}",
            title=title,
            password=PASSWORD,
            roles=[GrantIn(role=r, unit=u) for r, u in roles],
        ),
        now=now,
        hasher=password_hasher(1, 1024),
        actor=None,
    )


def actor(session: Session, username: str) -> Actor:
    user = session.exec(select(User).where(User.username == username)).one()
    return load_actor(session, user)


def make_case(session: Session, *, by: str, now: datetime, title: str | None = None,
              source_kind: SourceKind = SourceKind.PRESS_ARTICLE, **fields: Any) -> Case:  # fmt: skip
    data = CaseCreate(title=title or f"Vụ việc thử số {next(_seq)}", source_kind=source_kind,
                      **fields)  # fmt: skip
    return cases.open_case(session, actor=actor(session, by), data=data, now=now)


def token(client: httpx.Client, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def standard_org(session: Session, now: datetime) -> None:
    """The usual cast: press office, two divisions with a handler and a head each, spokesperson, director,
    admin."""
    make_unit(session, "VP", name="Văn phòng Sở", kind=UnitKind.OFFICE, now=now)
    make_unit(session, "GDTrH", name="Phòng Giáo dục Trung học", now=now)
    make_unit(session, "GDTH", name="Phòng Giáo dục Tiểu học", now=now)
    make_user(session, "office", (Role.PRESS_OFFICER, "VP"), now=now, full_name="Nguyễn Thị Thu Hà")
    make_user(session, "handler", (Role.HANDLER, "GDTrH"), now=now, full_name="Trần Minh Quân")
    make_user(session, "head", (Role.UNIT_HEAD, "GDTrH"), now=now, full_name="Lê Thị Hồng Nhung")
    make_user(session, "handler2", (Role.HANDLER, "GDTH"), now=now, full_name="Đỗ Thị Kim Oanh")
    make_user(session, "head2", (Role.UNIT_HEAD, "GDTH"), now=now, full_name="Phạm Văn Khánh")
    make_user(session, "spokesperson", (Role.SPOKESPERSON, "VP"), now=now, full_name="Võ Thanh Bình",
              title="Chánh Văn phòng Sở")  # fmt: skip
    make_user(session, "director", (Role.DIRECTOR, None), now=now, full_name="Đặng Quốc Hưng", title="Giám đốc Sở")
    make_user(session, "admin", (Role.ADMIN, None), now=now, full_name="Bùi Anh Tuấn")
    session.flush()


def case_in_progress(session: Session, *, now: datetime, unit: str = "GDTrH", **fields: Any) -> Case:
    """A case logged by the press office, assigned to ``unit`` and accepted by its head: ready for statements."""
    head = {"GDTrH": "head", "GDTH": "head2"}.get(unit, "head")
    case = make_case(session, by="office", now=now, lead_unit=unit, **fields)
    cases.transition_case(session, actor=actor(session, "office"), case=case, action=Action.ASSIGN, now=now)
    cases.transition_case(session, actor=actor(session, head), case=case, action=Action.ACCEPT, now=now)
    return case


def appoint_spokesperson(session: Session, *, now: datetime, username: str = "spokesperson",
                         title: str = "Chánh Văn phòng Sở", **fields: object) -> SpokespersonAppointment:  # fmt: skip
    """The director appoints ``username`` standing spokesperson from ``now``."""
    data = {"username": username, "title": title, "phone": "028 3829 1000", "email": "phatngon@sgddt.example.gov.vn",
            "decision_number": "15/QĐ-SGDĐT", "decision_date": now.date(), **fields}  # fmt: skip
    return spokespersons.appoint_spokesperson(
        session, actor=actor(session, "director"), data=AppointmentCreate.model_validate(data), now=now
    )


def bulk_cases_with_clocks(
    session: Session,
    *,
    count: int,
    received_at: datetime,
    due_at: Callable[[int], datetime],
    now: datetime,
    reminder_stage: str = "half",
    reminder_at: Callable[[int], datetime | None] | None = None,
    lead_unit_id: int | None = None,
    chunk: int = 2000,
) -> None:
    """``count`` open cases, each with one running 24-hour clock (Decree 244/2026 Art. 7.3), inserted in bulk
    rows (for the worker's load test and the benchmark: the services' path is ~40 ms a case).
    ``due_at(i)`` / ``reminder_at(i)`` give the i-th case's due time and next reminder time."""
    case_table = Case.__table__  # type: ignore[attr-defined]
    clock_table = ClockRow.__table__  # type: ignore[attr-defined]
    year = received_at.year
    start = session.execute(select(func.coalesce(func.max(Case.ref_seq), 0))).scalar_one()
    for first in range(0, count, chunk):
        numbers = range(first, min(first + chunk, count))
        rows = [
            {"reference": f"VV-{year}-{start + i + 1:06d}", "ref_year": year, "ref_seq": start + i + 1,
             "title": f"Vụ việc tải thử số {i}", "summary": "", "source_kind": SourceKind.PRESS_ARTICLE.value,
             "topic": "other", "severity": "routine", "legal_trigger": "major_event", "received_at": received_at,
             "lead_unit_id": lead_unit_id, "status": "in_progress", "status_changed_at": received_at,
             "created_at": received_at, "updated_at": received_at, "search_text": f"vu viec tai thu so {i}",
             "next_due_at": due_at(i)}
            for i in numbers
        ]  # fmt: skip
        ids = (
            session.execute(insert(case_table).returning(case_table.c.id, sort_by_parameter_order=True), rows)
            .scalars()
            .all()
        )
        clocks = [
            {"case_id": case_id, "origin": "statutory", "rule_key": "initial_information_major_event",
             "pack": "decree-244-2026", "name": "Phát ngôn, cung cấp thông tin ban đầu cho báo chí",
             "basis": "Nghị định 244/2026/NĐ-CP, Điều 7 khoản 3", "actor": "spokesperson", "met_by": "first_notice",
             "may_pause": False, "start_event": "received", "start_at": received_at, "length": 24, "unit": "hours",
             "extension": 0, "paused_seconds": 0, "state": "running", "due_at": due_at(i), "version": 1,
             "next_reminder_at": reminder_at(i) if reminder_at else None,
             "next_reminder_stage": reminder_stage if reminder_at else None, "created_at": now, "updated_at": now}
            for i, case_id in zip(numbers, ids, strict=True)
        ]  # fmt: skip
        session.execute(insert(clock_table), clocks)
    session.flush()


def approved_statement(session: Session, case: Case, *, kind: str, at: datetime, text: str = "Nội dung phát ngôn.",
                       **fields: object) -> Statement:  # fmt: skip
    """A statement of ``kind`` on ``case`` drafted, submitted by the press office and approved by the director, all
    at ``at``: ready to publish (a main statement needs the case in progress: see ``case_in_progress``)."""
    office, director = actor(session, "office"), actor(session, "director")
    data = StatementCreate.model_validate({"kind": kind, "text": text, **fields})
    statement = statements.create_statement(session, actor=office, case=case, data=data, now=at)
    statements.submit(session, actor=office, statement=statement, case=case, note=None, now=at)
    checklist = Checklist(no_state_secret=True, no_private_data=True, no_pending_proceedings=True)
    statements.approve(session, actor=director, statement=statement, case=case, data=ApproveIn(checklist=checklist),
                       now=at)  # fmt: skip
    return statement


def publish_statement(session: Session, case: Case, *, kind: str, at: datetime, text: str = "Nội dung phát ngôn.",
                      **fields: object) -> Notice:  # fmt: skip
    """``approved_statement``, then published by the press office at ``at``."""
    statement = approved_statement(session, case, kind=kind, at=at, text=text, **fields)
    office = actor(session, "office")
    return publication.publish(session, actor=office, statement=statement, case=case, at=None, now=at, issuer="SGDĐT")
