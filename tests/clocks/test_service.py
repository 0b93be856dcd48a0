"""The clocks called directly (no HTTP): the pure due-time arithmetic, the engine listening to case events, the
calendar edits that move running clocks, and people's actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app.cases.events import _listeners, record_event
from app.cases.models import Case, CaseEvent
from app.cases.vocabulary import CaseEventKind
from app.clocks import calendar as clock_calendar
from app.clocks.actions import extend_clock
from app.clocks.models import Clock, ClockOrigin, ClockState
from app.clocks.queries import list_clocks
from app.clocks.rules import compute_due, effective_start
from app.clocks.service import on_event
from app.workdays.models import OverrideCreate, OverrideKind
from app.workdays.rules import Calendar, PeriodUnit
from tests.conftest import FIXED_NOW
from tests.factories import actor, make_case, standard_org

RECEIVED = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


@dataclass
class Times:
    start_at: datetime | None
    paused_seconds: int = 0
    unit: PeriodUnit = PeriodUnit.HOURS
    length: int = 24
    extension: int = 0
    fixed_due_at: datetime | None = None


def _statutory(session: Session, case: Case) -> Clock:
    return session.exec(select(Clock).where(Clock.case_id == case.id, Clock.origin == ClockOrigin.STATUTORY)).one()


class TestArithmetic:
    def test_a_pause_moves_the_start_and_the_due_time(self) -> None:
        start = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
        paused = Times(start_at=start, paused_seconds=7200)
        assert effective_start(paused) == start + timedelta(hours=2)
        assert compute_due(paused, Calendar()) == start + timedelta(hours=26)
        assert compute_due(Times(start_at=start, extension=12), Calendar()) == start + timedelta(hours=36)

    def test_a_clock_not_started_has_no_due_time(self) -> None:
        assert compute_due(Times(start_at=None), Calendar()) is None


class TestEngine:
    def test_the_clocks_listen_to_case_events(self) -> None:
        assert on_event in _listeners  # wired by app/clocks/__init__.py, once

    def test_a_major_event_starts_the_24_hour_clock_at_intake(self, session: Session, org: None) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, legal_trigger="major_event", received_at=RECEIVED,
                         occurred_at=RECEIVED - timedelta(hours=12))  # fmt: skip
        clock = _statutory(session, case)
        assert (clock.state, clock.pack, clock.due_at) == (
            ClockState.RUNNING,
            "decree-244-2026",
            RECEIVED + timedelta(hours=24),
        )
        assert case.next_due_at == clock.due_at

    def test_a_kind_the_clocks_do_not_know_moves_nothing(self, session: Session, org: None) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, legal_trigger="major_event", received_at=RECEIVED)
        before = _statutory(session, case).due_at
        record_event(session, case=case, actor_id=None, now=FIXED_NOW, kind=CaseEventKind.NOTE, note="…")
        assert _statutory(session, case).due_at == before


class TestCalendarAndPeople:
    def test_an_extra_day_off_moves_a_working_day_clock_and_logs_it(self, session: Session, org: None) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, legal_trigger="press_forwarded_feedback",
                         received_at=RECEIVED)  # fmt: skip
        before = _statutory(session, case).due_at
        assert before is not None
        data = OverrideCreate(day=date(2026, 12, 1), kind=OverrideKind.EXTRA_OFF, description="Nghỉ thêm (thử)")
        clock_calendar.add_override(session, actor=actor(session, "admin"), data=data, now=FIXED_NOW)
        after = _statutory(session, case)
        assert after.due_at is not None and after.due_at > before
        assert after.calendar_version == 1
        last = session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id).desc())
        ).first()
        assert last is not None and (last.kind, last.action) == (CaseEventKind.CLOCK, "recomputed")

    def test_the_spokesperson_extends_a_clock_with_a_reason(self, session: Session, org: None) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, legal_trigger="major_event", received_at=RECEIVED)
        clock = _statutory(session, case)
        assert clock.id is not None and clock.due_at is not None
        due = clock.due_at
        read = extend_clock(session, actor=actor(session, "spokesperson"), reference=case.reference,
                            clock_id=clock.id, by=12, reason="Chờ xác minh.", now=FIXED_NOW, locale="vi")  # fmt: skip
        assert read.due_at == due + timedelta(hours=12)
        [shown] = [c for c in list_clocks(session, actor=actor(session, "office"), reference=case.reference,
                                          now=FIXED_NOW, locale="vi") if c.id == clock.id]  # fmt: skip
        assert shown.due_at == due + timedelta(hours=12)
