"""On the demo data, the dashboard, the yearly report and the scorecards agree with counts taken directly from the
database."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.cases.models import Case, CaseSupportingUnit
from app.cases.workflow import OPEN_STATUSES, CloseReason
from app.clocks.models import Clock
from app.notices.models import Notice
from app.org.models import Unit
from app.press_events.models import PressEvent, PressEventKind
from app.reports.rules import report_period
from app.timeutil import local_midnight
from tests.conftest import FIXED_NOW
from tests.factories import PASSWORD, token

PERIOD = report_period(2026)
LO, HI = local_midnight(PERIOD.start), local_midnight(PERIOD.end + timedelta(days=1))


@pytest.fixture
def engine(demo_engine: Engine) -> Engine:
    """These tests read the demo: the database that has it, loaded once per test process (each test rolls back)."""
    return demo_engine


@pytest.fixture
def demo() -> None:
    """The demo (loaded with ``load_demo(session, settings=…, now=FIXED_NOW)``) is in this module's database."""


def get(client: TestClient, path: str, who: str = "office") -> dict[str, Any]:
    reply = client.get(path, headers=token(client, who))
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


@pytest.fixture
def demo_passwords(session: Session, demo: None) -> None:
    """The test environment refuses the demo password: give the demo accounts the tests' one."""
    from app.auth.service import password_hasher
    from app.org.models import User

    hashed = password_hasher(1, 1024).hash(PASSWORD)
    for user in session.exec(select(User)).all():
        user.password_hash = hashed
        session.add(user)
    session.flush()


def period_cases(session: Session) -> list[Case]:
    rows = session.exec(select(Case).where(col(Case.received_at) >= LO, col(Case.received_at) < HI)).all()
    return [c for c in rows if c.close_reason != CloseReason.DUPLICATE]


def test_the_dashboard_agrees_with_the_database(client: TestClient, session: Session, demo_passwords: None) -> None:
    d = get(client, "/api/v1/reports/dashboard?year=2026")
    cases = period_cases(session)
    assert len(cases) > 10
    assert d["total"] == len(cases)
    all_in_period = session.exec(
        select(func.count()).select_from(Case).where(col(Case.received_at) >= LO, col(Case.received_at) < HI)
    ).one()
    assert d["duplicates"] == all_in_period - len(cases)
    for key, attr in (("by_topic", "topic"), ("by_severity", "severity"), ("by_source_kind", "source_kind")):
        expected = Counter(getattr(c, attr).value for c in cases)
        assert {x["code"]: x["count"] for x in d[key] if x["count"]} == dict(expected), key
    units = {u.id: u.code for u in session.exec(select(Unit)).all()}
    assert {x["code"]: x["count"] for x in d["by_unit"]} == dict(
        Counter(units.get(c.lead_unit_id) if c.lead_unit_id else None for c in cases)
    )
    assert sum(p["count"] for p in d["timeline"]) == len(cases)

    # Per clock: the states of the clocks of those cases, grouped by legal basis or target.
    ids = {c.id for c in cases}
    clocks = [k for k in session.exec(select(Clock)).all() if k.case_id in ids]
    for row in d["clocks"]:
        group = [k for k in clocks if k.basis == row["basis"] and k.origin.value == row["origin"]]
        assert row["on_time"] == sum(k.state.value == "met_on_time" for k in group), row["label"]
        assert row["late"] == sum(k.state.value == "met_late" for k in group)
        assert row["missed"] == sum(k.state.value == "missed" for k in group)
        ticking = [k for k in group if k.state.value in ("running", "paused")]
        assert row["overdue"] == sum(k.due_at is not None and k.due_at < FIXED_NOW for k in ticking)
        assert row["overdue"] + row["running"] == len(ticking)
    assert sum(r["decided"] + r["running"] for r in d["clocks"]) == sum(
        k.state.value not in ("pending", "stopped") for k in clocks
    )

    # First notices.
    notices = session.exec(select(Notice).where(col(Notice.published_at) <= FIXED_NOW)).all()
    with_notice = {n.case_id for n in notices} & ids
    assert d["time_to_initial_information"]["count"] == len(with_notice)
    replied = {n.case_id for n in notices if n.kind.value in ("response", "rebuttal", "refusal")} & ids
    assert d["time_to_final_response"]["count"] == len(replied)

    # Now.
    everything = session.exec(select(Case)).all()
    open_cases = [c for c in everything if c.status in OPEN_STATUSES]
    assert d["now"]["open"] == len(open_cases)
    assert d["now"]["overdue"] == sum(1 for c in open_cases if c.next_due_at and c.next_due_at < FIXED_NOW)
    assert d["now"]["overdue"] > 0


def test_the_yearly_report_agrees_with_the_database(client: TestClient, session: Session,
                                                    demo_passwords: None) -> None:  # fmt: skip
    report = {i["number"]: i for i in get(client, "/api/v1/reports/annual?year=2026")["indicators"]}
    events = session.exec(select(PressEvent)).all()
    conferences = [e for e in events if e.kind == PressEventKind.PRESS_CONFERENCE and LO <= e.held_at < HI]
    briefings = [e for e in events if e.kind == PressEventKind.PRESS_BRIEFING and LO <= e.held_at < HI]
    assert report[1]["numerator"] == len(conferences) == 1
    assert report[2]["numerator"] == len(briefings) == 1

    cases = period_cases(session)
    refs = {c.id: c.reference for c in cases}
    notices = session.exec(select(Notice).where(col(Notice.published_at) <= FIXED_NOW)).all()

    press_triggers = {"press_request", "editor_reply_request", "press_forwarded_feedback", "press_forwarded_complaint"}
    requests = {
        c.reference
        for c in cases
        if c.source_kind.value == "press_inquiry" or (c.legal_trigger and c.legal_trigger.value in press_triggers)
    }
    assert {c["reference"] for c in report[3]["cases"]} == requests
    assert report[3]["denominator"] == len(requests)

    untrue = {c.reference for c in cases if c.legal_trigger and c.legal_trigger.value == "untrue_report"}
    rebutted = {refs[n.case_id] for n in notices if n.kind.value == "rebuttal" and n.case_id in refs} & untrue
    assert report[6]["denominator"] == len(untrue) == 2
    assert report[6]["numerator"] == len(rebutted) == 1

    unusual = {c.reference for c in cases if (c.legal_trigger and c.legal_trigger.value in (
        "major_event", "divided_opinion", "press_request")) or (c.legal_trigger is None and
                                                                c.source_kind.value == "press_inquiry")}  # fmt: skip
    assert {c["reference"] for c in report[4]["cases"]} == unusual
    with_notice = {refs[n.case_id] for n in notices if n.case_id in refs}
    assert with_notice & unusual <= {c["reference"] for c in report[4]["cases"] if c["counted"]}

    # Indicator 5: the cases whose 24-hour clock (Art. 7.3/7.4) has not stopped.
    keys = {"initial_information_major_event", "initial_information_divided_opinion"}
    clocks = [k for k in session.exec(select(Clock).where(col(Clock.rule_key).in_(keys))).all() if k.case_id in refs]
    applying = {refs[k.case_id] for k in clocks if k.state.value != "stopped"}
    counted = {c["reference"] for c in report[5]["cases"]} | {c["reference"] for c in report[5]["pending"]}
    assert counted == applying
    on_time = {refs[k.case_id] for k in clocks if k.state.value == "met_on_time" and k.met_at and k.start_at
               and k.met_at <= k.start_at + timedelta(hours=24)}  # fmt: skip
    assert {c["reference"] for c in report[5]["cases"] if c["counted"]} == on_time
    assert report[5]["numerator"] == len(on_time) > 0


def test_the_scorecards_agree_with_the_database(client: TestClient, session: Session, demo_passwords: None) -> None:
    items = {u["code"]: u for u in get(client, "/api/v1/reports/units?year=2026")["items"]}
    cases = period_cases(session)
    units = {u.id: u.code for u in session.exec(select(Unit)).all()}
    led = Counter(units[c.lead_unit_id] for c in cases if c.lead_unit_id)
    for code, n in led.items():
        assert items[code]["cases_led"] == n
    ids = {c.id for c in cases}
    supported = Counter(units[s.unit_id] for s in session.exec(select(CaseSupportingUnit)).all() if s.case_id in ids)
    for code, n in supported.items():
        assert items[code]["cases_supported"] == n
    notices = session.exec(
        select(Notice).where(col(Notice.published_at) >= LO, col(Notice.published_at) < HI,
                             col(Notice.published_at) <= FIXED_NOW)
    ).all()  # fmt: skip
    by_case = {c.id: c for c in session.exec(select(Case)).all()}
    contributed: Counter[str] = Counter()
    for notice in notices:
        case = by_case[notice.case_id]
        if case.lead_unit_id:
            contributed[units[case.lead_unit_id]] += 1
        for s in session.exec(select(CaseSupportingUnit).where(CaseSupportingUnit.case_id == case.id)).all():
            contributed[units[s.unit_id]] += 1
    assert {code: u["notices"] for code, u in items.items() if u["notices"]} == dict(contributed)


def test_the_pages_show_the_demo(client: TestClient, demo_passwords: None) -> None:
    from tests.web.staff.pages import login

    assert login(client, "director").status_code == 303
    page = client.get("/staff/reports")
    assert page.status_code == 200 and "<svg" in page.text
    annual = client.get("/staff/reports/annual?year=2026")
    assert "Số cuộc họp báo tổ chức trong năm" in annual.text
