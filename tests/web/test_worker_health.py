"""The service's health from the database: clocks overdue, the worker's queue, e-mails sent and failed (Prometheus
gauges and counters at /metrics) and the worker's heartbeat (/metrics and /readyz)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clocks.models import TICKING_STATES, Clock, ClockState
from app.clocks.schedule import Stage
from app.notifications import service as notifications
from app.notifications.models import EmailStatus, Notification
from app.org.models import User
from tests.conftest import FIXED_NOW, make_settings
from tests.conftest import Clock as SettableClock
from tests.factories import make_case, standard_org


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
def busy(session: Session) -> None:
    """Cases whose 24-hour clocks ran out, a crisis past its 6-hour target, and notifications in every e-mail
    state."""
    standard_org(session, FIXED_NOW - timedelta(days=3))
    for hours in (30, 50):
        make_case(session, by="office", now=FIXED_NOW - timedelta(hours=hours), legal_trigger="major_event",
                  severity="crisis", received_at=FIXED_NOW - timedelta(hours=hours))  # fmt: skip
    make_case(session, by="office", now=FIXED_NOW - timedelta(hours=1), legal_trigger="major_event")
    user = session.exec(select(User).where(User.username == "office")).one()
    assert user.id is not None
    statuses = [EmailStatus.SENT] * 3 + [EmailStatus.FAILED] * 2 + [EmailStatus.PENDING] * 4 + [EmailStatus.SENDING]
    for i, status in enumerate([*statuses, EmailStatus.NONE]):
        session.add(Notification(user_id=user.id, stage=Stage.DUE, dedupe_key=f"test:{i}", title="Nhắc việc",
                                 body="…", created_at=FIXED_NOW, email_status=status))  # fmt: skip
    session.flush()


class TestMetrics:
    def test_clocks_overdue_by_origin(self, client: TestClient, session: Session, busy: None) -> None:
        found = samples(client.get("/metrics").text)
        rows = dict(
            session.exec(
                select(Clock.origin, func.count())
                .where(col(Clock.state).in_(list(TICKING_STATES)), col(Clock.due_at) < FIXED_NOW)
                .group_by(Clock.origin)
            ).all()
        )
        assert rows  # the statutory 24 hours and the crisis target
        for origin in ("statutory", "internal", "task"):
            expected = float(rows.get(origin, 0))
            assert found[("crisisdesk_clocks_overdue", frozenset({("origin", origin)}))] == expected
        assert found[("crisisdesk_clocks_overdue", frozenset({("origin", "statutory")}))] == 2.0

    def test_worker_queue_and_emails(self, client: TestClient, session: Session, busy: None) -> None:
        found = samples(client.get("/metrics").text)
        assert found[("crisisdesk_worker_queue_depth", frozenset({("queue", "email")}))] == 5.0  # pending + sending
        due = session.exec(
            select(func.count()).select_from(Clock).where(
                Clock.state == ClockState.RUNNING, col(Clock.next_reminder_at) <= FIXED_NOW)
        ).one()  # fmt: skip
        assert found[("crisisdesk_worker_queue_depth", frozenset({("queue", "reminders")}))] == float(due) > 0
        assert found[("crisisdesk_emails_total", frozenset({("status", "sent")}))] == 3.0
        assert found[("crisisdesk_emails_total", frozenset({("status", "failed")}))] == 2.0

    def test_the_types_are_declared(self, client: TestClient) -> None:
        families = {f.name: f.type for f in text_string_to_metric_families(client.get("/metrics").text)}
        assert families["crisisdesk_clocks_overdue"] == "gauge"
        assert families["crisisdesk_worker_queue_depth"] == "gauge"
        assert families["crisisdesk_emails"] == "counter"

    def test_heartbeat_age(self, client: TestClient, session: Session, clock: SettableClock) -> None:
        name: tuple[str, frozenset[tuple[str, str]]] = ("crisisdesk_worker_heartbeat_age_seconds", frozenset())
        assert name not in samples(client.get("/metrics").text)  # no worker has ever run
        notifications.heartbeat(session, worker_id="w1", now=FIXED_NOW - timedelta(seconds=90))
        session.flush()
        assert samples(client.get("/metrics").text)[name] == 90.0


class TestReadiness:
    def test_no_worker_yet(self, client: TestClient) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200
        body = response.json()
        assert body["checks"] == {"database": "ok", "migrations": "ok"}
        assert body["worker"]["status"] == "none"
        assert body["worker"]["affects_readiness"] is False

    def test_a_live_worker(self, client: TestClient, session: Session) -> None:
        notifications.heartbeat(session, worker_id="w1", now=FIXED_NOW - timedelta(seconds=30))
        notifications.heartbeat(session, worker_id="w2", now=FIXED_NOW - timedelta(minutes=10))
        session.flush()
        worker = client.get("/readyz").json()["worker"]
        assert (worker["status"], worker["alive"], worker["seconds_since"]) == ("ok", 1, 30.0)
        assert worker["quiet_after_seconds"] == 120.0

    def test_a_quiet_worker_is_reported_but_the_web_stays_ready(self, client: TestClient, session: Session,
                                                                 clock: SettableClock) -> None:  # fmt: skip
        notifications.heartbeat(session, worker_id="w1", now=FIXED_NOW)
        session.flush()
        clock.advance(minutes=5)
        response = client.get("/readyz")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ready"
        assert body["worker"]["status"] == "quiet"
        assert body["worker"]["seconds_since"] == 300.0
        assert body["worker"]["alive"] == 0
        assert body["worker"]["last_seen_at"].startswith("2026-11-27T02:00:00")

    def test_the_threshold_is_a_setting(self, app: FastAPI, session: Session, db_url: str,
                                        clock: SettableClock) -> None:  # fmt: skip
        app.state.settings = make_settings(db_url, worker_quiet_seconds=600)
        notifications.heartbeat(session, worker_id="w1", now=FIXED_NOW)
        session.flush()
        clock.advance(minutes=5)
        with TestClient(app) as client:
            assert client.get("/readyz").json()["worker"]["status"] == "ok"
