"""The column types of ``app/db.py`` as the rows come back: timestamps in UTC on both engines whatever the
connection's time zone, enums as their members (their own ``ValueError`` for a value of none)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import literal_column, text, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.cases.models import Case
from app.cases.vocabulary import Severity
from app.db import StrEnumType
from tests.conftest import FIXED_NOW
from tests.factories import make_case, standard_org


def test_timestamps_come_back_in_utc_whatever_the_connections_time_zone(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    at = FIXED_NOW - timedelta(hours=5, minutes=7)
    case = make_case(session, by="office", now=at)
    session.flush()
    zones = ["UTC"]
    if session.get_bind().dialect.name == "postgresql":
        zones += ["Asia/Ho_Chi_Minh", "America/New_York"]  # a pooler that drops the start-up options
    for zone in zones:
        if zone != "UTC":
            session.execute(text(f"SET LOCAL TimeZone = '{zone}'"))
        received = session.exec(select(Case.received_at).where(col(Case.id) == case.id)).one()
        assert received == at and received.tzinfo is UTC, (zone, received)
        assert received.isoformat() == at.astimezone(UTC).isoformat()


@pytest.mark.parametrize("value", ["hot", "bogus"])
def test_an_enum_column_reads_its_member_or_refuses(session: Session, value: str) -> None:
    statement = sa_select(type_coerce(literal_column(f"'{value}'"), StrEnumType(Severity)))  # read, not bound
    if value == "bogus":
        with pytest.raises(ValueError, match="bogus"):
            session.execute(statement).scalar_one()
        return
    read = session.execute(statement).scalar_one()
    assert read is Severity.HOT
