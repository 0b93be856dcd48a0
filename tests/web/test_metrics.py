"""GET /metrics: request latency by route template, requests in progress, open cases from the database."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.cases import service as cases
from app.cases.models import Case
from app.cases.workflow import OPEN_STATUSES, Action, CloseReason
from tests.conftest import FIXED_NOW, make_settings
from tests.factories import actor, make_case, standard_org, token


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    result = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            result[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return result


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((name, frozenset(labels.items())))


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)
    office = actor(session, "office")
    for severity, n in (("crisis", 2), ("hot", 1), ("routine", 3)):
        for _ in range(n):
            make_case(session, by="office", now=FIXED_NOW, severity=severity, lead_unit="GDTrH")
    routine = session.exec(select(Case).where(Case.severity == "routine")).all()
    cases.transition_case(session, actor=office, case=routine[0], action=Action.ASSIGN, now=FIXED_NOW)
    cases.transition_case(session, actor=office, case=routine[1], action=Action.CLOSE, now=FIXED_NOW,
                          note="Trùng", reason=CloseReason.DUPLICATE)  # fmt: skip
    session.flush()


class TestRequestMetrics:
    def test_a_request_shows_up_in_the_histogram(self, client: TestClient, org: None) -> None:
        labels = {"method": "GET", "route": "/api/v1/cases/{reference}", "status_class": "4xx"}
        before = value(client.get("/metrics").text, "crisisdesk_http_request_duration_seconds_count", **labels) or 0
        headers = token(client, "office")
        client.get("/api/v1/cases/VV-2026-99998", headers=headers)
        client.get("/api/v1/cases/VV-2026-99999", headers=headers)
        text = client.get("/metrics").text
        assert value(text, "crisisdesk_http_request_duration_seconds_count", **labels) == before + 2
        bucket = value(text, "crisisdesk_http_request_duration_seconds_bucket", **labels, le="+Inf")
        assert bucket == before + 2
        assert value(text, "crisisdesk_http_requests_in_progress", method="GET") is not None

    def test_routes_are_templates_never_raw_paths(self, client: TestClient) -> None:
        client.get("/no/such/thing/123")
        client.get("/static/does-not-exist.css")
        text = client.get("/metrics").text
        routes = {dict(labels).get("route") for (_name, labels) in samples(text)}
        assert "<unmatched>" in routes
        assert "/static/{path}" in routes
        assert not any(r and "123" in r for r in routes)

    def test_unusual_methods_are_counted_together(self, client: TestClient) -> None:
        client.request("BREW", "/healthz")
        text = client.get("/metrics").text
        methods = {dict(labels).get("method") for (_name, labels) in samples(text)}
        assert "OTHER" in methods and "BREW" not in methods


class TestDatabaseMetrics:
    def test_open_cases_match_the_database(self, client: TestClient, session: Session, org: None) -> None:
        text = client.get("/metrics").text
        rows = session.exec(
            select(Case.severity, Case.status, func.count())
            .where(col(Case.status).in_(OPEN_STATUSES))
            .group_by(Case.severity, Case.status)
        ).all()
        assert rows
        expected = {(str(sev), str(st)): float(n) for sev, st, n in rows}
        found = {
            (dict(labels)["severity"], dict(labels)["status"]): v
            for (name, labels), v in samples(text).items()
            if name == "crisisdesk_open_cases"
        }
        assert found == expected
        assert found[("routine", "new")] == 1.0  # one assigned, one closed
        assert found[("crisis", "new")] == 2.0
        assert value(text, "crisisdesk_database_up") == 1.0

    def test_content_type(self, client: TestClient) -> None:
        response = client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")


class TestToken:
    @pytest.fixture
    def guarded(self, app: FastAPI, db_url: str) -> FastAPI:
        app.state.settings = make_settings(db_url, metrics_token="s3cret-scrape-token")
        return app

    def test_required_when_configured(self, guarded: FastAPI) -> None:
        with TestClient(guarded) as client:
            assert client.get("/metrics").status_code == 401
            assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
            ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
            assert ok.status_code == 200
            assert "crisisdesk_database_up" in ok.text


def test_batched_latency_observations_are_the_histograms_own() -> None:
    """``HistogramBatch`` adds in bulk what ``observe`` would add one by one (prometheus-client's internals)."""
    from prometheus_client import CollectorRegistry, Histogram

    from app.metrics import LATENCY_BUCKETS, HistogramBatch

    registry = CollectorRegistry()
    direct = Histogram("t_direct", "x", ["route"], buckets=LATENCY_BUCKETS, registry=registry)
    batched = Histogram("t_batched", "x", ["route"], buckets=LATENCY_BUCKETS, registry=registry)
    batch = HistogramBatch(batched, LATENCY_BUCKETS)
    values = [0.0, 0.004, 0.005, 0.0051, 0.05, 0.3, 1.0, 119.0, 120.0, 500.0]
    for i, seconds in enumerate(values):
        route = "/a" if i % 3 else "/b"
        direct.labels(route).observe(seconds)
        batch.observe((route,), seconds)  # no event loop here: added at once
    batch.observe(("/a",), 0.2)
    direct.labels("/a").observe(0.2)
    batch.flush()

    def of(name: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        return {(s.name.replace(name, ""), tuple(sorted(s.labels.items()))): s.value
                for family in registry.collect() if family.name == name
                for s in family.samples if not s.name.endswith("_created")}  # fmt: skip

    assert of("t_direct") == of("t_batched") != {}
