"""The crisis clocks answer the crisis: a notice published before the declaration does not meet them; the holding
statement published after it does, and the review counts it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.clocks.models import Clock, ClockState
from app.crisis.queries import after_action
from app.rules.schema import StartEvent
from tests.conftest import FIXED_NOW
from tests.crisis.helpers import case_in_crisis, crisis_org, load_roster
from tests.factories import actor, make_case, publish_statement


def _crisis_clocks(session: Session) -> dict[str, Clock]:
    rows = session.exec(select(Clock).where(Clock.start_event == StartEvent.CRISIS_DECLARED)).all()
    return {c.name: c for c in rows}


def test_only_an_answer_after_the_declaration_meets_a_crisis_clock(session: Session) -> None:
    crisis_org(session, FIXED_NOW - timedelta(days=1))
    load_roster(session, FIXED_NOW - timedelta(hours=2))
    early = make_case(session, by="office", now=FIXED_NOW - timedelta(hours=3), title="Vụ việc đã có thông cáo",
                      received_at=FIXED_NOW - timedelta(hours=3))  # fmt: skip
    publish_statement(session, early, kind="initial_information", at=FIXED_NOW - timedelta(hours=2))
    from app.crisis.models import CrisisIn
    from app.crisis.service import declare_crisis
    from tests.crisis.helpers import paging

    declare_crisis(session, actor=actor(session, "spokesperson"), reference=early.reference,
                   data=CrisisIn(level=2, reason="Bùng phát lại."), now=FIXED_NOW, paging=paging(),
                   locale="vi")  # fmt: skip
    holding = _crisis_clocks(session)["Khủng hoảng cấp 2: thông tin ban đầu"]
    assert holding.state == ClockState.RUNNING  # the earlier notice does not answer the crisis

    publish_statement(session, early, kind="initial_information", at=FIXED_NOW + timedelta(minutes=90),
                      text="Thông tin ban đầu về diễn biến mới.")  # fmt: skip
    session.refresh(holding)
    assert holding.state.value == "met_on_time"
    review = after_action(session, actor=actor(session, "director"), reference=early.reference,
                          now=FIXED_NOW + timedelta(hours=2), locale="vi")  # fmt: skip
    times = {m.key: m for m in review.milestones}
    assert times["holding_statement"].seconds_from_receipt == 3 * 3600 - 2 * 3600  # the first one, before
    assert times["first_notice"].seconds_from_declaration == -2 * 3600
    assert review.clocks_met >= 1


def test_a_second_crisis_on_the_same_case_starts_its_own_clocks(session: Session) -> None:
    crisis_org(session, FIXED_NOW - timedelta(days=1))
    load_roster(session, FIXED_NOW - timedelta(hours=2))
    ref = case_in_crisis(session, now=FIXED_NOW, level=1)
    from app.crisis.service import stand_down

    stand_down(session, actor=actor(session, "director"), reference=ref, reason="Tạm ổn.",
               now=FIXED_NOW + timedelta(hours=1), locale="vi")  # fmt: skip
    from app.crisis.models import CrisisIn
    from app.crisis.service import declare_crisis
    from tests.crisis.helpers import paging

    declare_crisis(session, actor=actor(session, "office"), reference=ref, data=CrisisIn(level=1, reason="Lại."),
                   now=FIXED_NOW + timedelta(hours=2), paging=paging(), locale="vi")  # fmt: skip
    rows = session.exec(select(Clock).where(Clock.start_event == StartEvent.CRISIS_DECLARED)).all()
    states = sorted((c.name, c.state.value, c.start_at == FIXED_NOW + timedelta(hours=2)) for c in rows)
    assert [s for s in states if s[1] == "running"] == [
        ("Khủng hoảng cấp 1: thông tin ban đầu", "running", True),
        ("Khủng hoảng cấp 1: đơn vị báo cáo sự việc", "running", True),
    ]
    assert len([s for s in states if s[1] == "stopped"]) == 2
