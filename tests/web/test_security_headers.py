"""Security headers on every response (app/web/middleware.py)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from app.main import create_app
from tests.conftest import Clock, JoinedSessions, make_settings


@pytest.mark.parametrize(
    "path", ["/staff/login", "/api/v1/cases", "/healthz", "/staff/no-such-page", "/static/style.css"]
)
def test_every_response_carries_them(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert response.headers["x-frame-options"] == "DENY"


def test_staff_pages_are_not_cached(client: TestClient) -> None:
    assert client.get("/staff/login").headers["cache-control"] == "no-store"


def test_the_api_docs_load_swagger_ui_from_us_only(client: TestClient) -> None:
    csp = client.get("/docs").headers["content-security-policy"]
    assert "http" not in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp


def _app(db_url: str, engine: Engine, connection: Connection, **settings: object) -> FastAPI:
    application = create_app(make_settings(db_url, **settings), engine=engine, clock=Clock())
    application.state.sessions = JoinedSessions(connection, engine)
    return application


def test_hsts_when_cookies_are_secure(db_url: str, engine: Engine, connection: Connection) -> None:
    with TestClient(_app(db_url, engine, connection, cookie_secure=True)) as secure:
        assert secure.get("/healthz").headers["strict-transport-security"].startswith("max-age=")
    with TestClient(_app(db_url, engine, connection, cookie_secure=False)) as plain:
        assert "strict-transport-security" not in plain.get("/healthz").headers
