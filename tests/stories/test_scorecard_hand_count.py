"""The emulation scorecard on the demo data against a hand count: plain Python loops over what the API returns
(stories and their histories, contacts, the plan) and over the rows of cases, clocks, notices and tasks — no
query of the report's own, no shared code with app/reports/emulation.py."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.auth.service import password_hasher
from app.cases.models import Case
from app.clocks.models import Clock
from app.demo import STORIES, UNIT_WITHOUT_CONTACT
from app.notices.models import Notice
from app.org.models import Unit, User
from app.tasks.models import Task
from tests.conftest import FIXED_NOW
from tests.factories import PASSWORD, token

YEAR = "2026-2027"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
LO = datetime(2026, 9, 1, tzinfo=HCM).astimezone(UTC)
HI = datetime(2027, 9, 1, tzinfo=HCM).astimezone(UTC)


@pytest.fixture
def engine(demo_engine: Engine) -> Engine:
    """These tests read the demo: the database that has it, loaded once per test process (each test rolls back)."""
    return demo_engine


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_scorecard_matches_a_hand_count_on_the_demo(client: TestClient, session: Session) -> None:
    director = session.exec(select(User).where(User.username == "director")).one()
    director.password_hash = password_hasher(1, 1024).hash(PASSWORD)  # the demo password works only in development
    session.add(director)
    session.flush()
    auth = token(client, "director")
    report = client.get("/api/v1/reports/emulation", params={"school_year": YEAR}, headers=auth)
    assert report.status_code == 200, report.text
    rows: dict[str, dict[str, Any]] = {r["unit"]: r for r in report.json()["items"]}

    # --- the hand count ---
    units = {u.id: u.code for u in session.exec(select(Unit)).all() if u.active}
    contacts = client.get("/api/v1/comms/contacts", headers=auth).json()["items"]
    designated = {c["unit"]["code"]: c["contact"] is not None for c in contacts}
    plan = client.get(f"/api/v1/comms/plans/{YEAR}", headers=auth).json()
    own = {t["unit"]["code"]: t["stories_per_semester"] for t in plan["targets"]}
    submitted: dict[str, int] = defaultdict(int)
    published: dict[str, int] = defaultdict(int)
    for summary in client.get("/api/v1/stories", headers=auth).json()["items"]:
        story = client.get(f"/api/v1/stories/{summary['id']}", headers=auth).json()
        submits = [_at(e["at"]) for e in story["events"] if e["action"] == "submit"]
        if submits and LO <= min(submits) < HI:
            submitted[story["unit"]["code"]] += 1
        if story["published_at"] and LO <= _at(story["published_at"]) < HI:
            published[story["unit"]["code"]] += 1

    cases = [c for c in session.exec(select(Case)).all()
             if LO <= _aware(c.received_at) < HI and c.close_reason != "duplicate"]  # fmt: skip
    case_ids = {c.id for c in cases}
    led: dict[str, int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)
    notices = session.exec(select(Notice)).all()
    for c in cases:
        if c.lead_unit_id is None:
            continue
        led[units[c.lead_unit_id]] += 1
        replies = [n for n in notices if n.case_id == c.id and n.kind in ("response", "rebuttal", "refusal")]
        if any(_aware(n.published_at) <= FIXED_NOW for n in replies):
            answered[units[c.lead_unit_id]] += 1
    tasks = {t.id: t for t in session.exec(select(Task)).all()}
    lead_of = {c.id: c.lead_unit_id for c in cases}
    on_time: dict[str, int] = defaultdict(int)
    missed: dict[str, int] = defaultdict(int)
    for clock in session.exec(select(Clock)).all():
        if clock.case_id not in case_ids:
            continue
        if clock.origin == "task":
            unit_id = tasks[clock.task_id].unit_id if clock.task_id else None
        elif clock.actor == "unit":
            unit_id = lead_of[clock.case_id]
        else:
            continue
        if unit_id is None:
            continue
        past_due = clock.due_at is not None and _aware(clock.due_at) < FIXED_NOW
        if clock.state == "met_on_time":
            on_time[units[unit_id]] += 1
        elif clock.state in ("met_late", "missed") or (clock.state in ("running", "paused") and past_due):
            missed[units[unit_id]] += 1
    fact_days: dict[str, list[float]] = defaultdict(list)
    for task in tasks.values():
        if task.answered_at and LO <= _aware(task.created_at) < HI:
            fact_days[units[task.unit_id]].append((task.answered_at - task.created_at) / timedelta(days=1))

    # --- compare, unit by unit ---
    assert set(rows) == set(units.values())
    for code, row in rows.items():
        target = 2 * own.get(code, plan["stories_per_semester"])
        days = fact_days.get(code, [])
        expected = {
            "contact_designated": designated[code],
            "target": target,
            "stories_submitted": submitted.get(code, 0),
            "stories_published": published.get(code, 0),
            "target_met": (published.get(code, 0) >= target) if target else None,
            "cases_led": led.get(code, 0),
            "cases_answered": answered.get(code, 0),
            "clocks_on_time": on_time.get(code, 0),
            "clocks_missed": missed.get(code, 0),
            "facts_answered": len(days),
            "avg_days_to_facts": round(sum(days) / len(days), 1) if days else None,
        }
        assert {k: row[k] for k in expected} == expected, code

    # the demo is what it says: stories in every state, several units, one unit without a contact
    assert {s.stage for s in STORIES} == {"draft", "returned", "submitted", "approved", "published"}
    assert designated[UNIT_WITHOUT_CONTACT] is False and sum(not v for v in designated.values()) == 1
    assert sum(1 for r in rows.values() if r["stories_published"]) >= 4
    assert rows["THPT-NTMK"]["stories_submitted"] == 2 and rows["THPT-NTMK"]["stories_published"] == 1
    assert rows["TTr"]["avg_days_to_facts"] == 0.2  # answered 6 hours after it was given
    assert sum(r["cases_led"] for r in rows.values()) > 0 and sum(r["clocks_missed"] for r in rows.values()) > 0
