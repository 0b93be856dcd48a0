"""Shared set-up of the crisis tests: the usual cast plus a second spokesperson, a second press officer and the
director's deputy, a roster covering the day, and a case to declare a crisis on."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.permissions import Role
from app.crisis import rules
from app.crisis.models import CrisisIn, RosterIn
from app.crisis.paging import Paging
from app.crisis.service import declare_crisis, put_roster
from app.org.models import User
from tests.factories import actor, make_case, make_user, standard_org, token

EMAILS = {
    "office": "thuha@sgddt.example.gov.vn",
    "office2": "vanphong2@sgddt.example.gov.vn",
    "spokesperson": "phatngon@sgddt.example.gov.vn",
    "spokesperson2": "phatngon2@sgddt.example.gov.vn",
    "deputy": "phogiamdoc@sgddt.example.gov.vn",
    "director": "giamdoc@sgddt.example.gov.vn",
}


def crisis_org(session: Session, now: datetime) -> None:
    standard_org(session, now)
    make_user(session, "office2", (Role.PRESS_OFFICER, "VP"), now=now, full_name="Lý Thị Mai")
    make_user(session, "spokesperson2", (Role.SPOKESPERSON, "VP"), now=now, full_name="Hồ Văn Long",
              title="Phó Chánh Văn phòng Sở")  # fmt: skip
    make_user(session, "deputy", (Role.SPOKESPERSON, None), now=now, full_name="Trịnh Minh Phó",
              title="Phó Giám đốc Sở")  # fmt: skip
    for user in session.exec(select(User)).all():
        if user.username in EMAILS:
            user.email = EMAILS[user.username]
            session.add(user)
    session.flush()


def roster_items(start: datetime, hours: float = 24) -> list[dict[str, Any]]:
    end = start + timedelta(hours=hours)
    shift = {"starts_at": start.isoformat(), "ends_at": end.isoformat()}
    return [
        {"role": "spokesperson", "user": "spokesperson", "position": 1, **shift},
        {"role": "spokesperson", "user": "spokesperson2", "position": 2, **shift},
        {"role": "press_officer", "user": "office", "position": 1, **shift},
        {"role": "deputy_director", "user": "deputy", "position": 1, **shift},
    ]


def load_roster(session: Session, start: datetime, hours: float = 24) -> None:
    put_roster(session, actor=actor(session, "admin"), data=RosterIn.model_validate({"items": roster_items(start,
               hours)}), now=start, locale="vi")  # fmt: skip


def paging(minutes: float = 10, email: bool = True, base_url: str = "http://crisisdesk.test") -> Paging:
    return Paging(timedelta(minutes=minutes), base_url, "test-secret-" + "x" * 32, email)


def case_in_crisis(session: Session, *, now: datetime, level: int = 2, received_hours_ago: float = 1,
                   page: Paging | None = None, title: str = "Clip học sinh bị bạo lực lan truyền") -> str:  # fmt: skip
    case = make_case(session, by="office", now=now - timedelta(hours=received_hours_ago), title=title,
                     received_at=now - timedelta(hours=received_hours_ago))  # fmt: skip
    declare_crisis(session, actor=actor(session, "spokesperson"), reference=case.reference,
                   data=CrisisIn(level=level, reason="Clip lan truyền mạnh trên mạng xã hội."), now=now,
                   paging=page or paging(), locale="vi")  # fmt: skip
    return case.reference


def headers(client: TestClient, user: str) -> dict[str, str]:
    return token(client, user)


__all__ = ["rules"]
