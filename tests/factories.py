"""Plain builders with explicit defaults for the tests' data. They go through the services, like the app."""

from __future__ import annotations

from datetime import datetime
from itertools import count

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.permissions import Actor, Role
from app.auth.service import load_actor, password_hasher
from app.cases import service as cases
from app.cases.models import Case, CaseCreate
from app.cases.vocabulary import SourceKind
from app.cases.workflow import Action
from app.org.models import GrantIn, Unit, UnitKind, User, UserCreate
from app.org.service import create_user
from app.spokespersons import service as spokespersons
from app.spokespersons.models import AppointmentCreate, SpokespersonAppointment

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
              source_kind: SourceKind = SourceKind.PRESS_ARTICLE, **fields: object) -> Case:  # fmt: skip
    data = CaseCreate(title=title or f"Vụ việc thử số {next(_seq)}", source_kind=source_kind,
                      **fields)  # type: ignore[arg-type]  # fmt: skip
    return cases.open_case(session, actor=actor(session, by), data=data, now=now)


def token(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
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


def case_in_progress(session: Session, *, now: datetime, unit: str = "GDTrH", **fields: object) -> Case:
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
