"""The tests' shared route table (tests/shared_routes.py): it is really shared, and each app still answers with its
own settings and state."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings
from tests.shared_routes import share_routes

pytestmark = pytest.mark.engine_independent  # no database: runs in the SQLite leg only (CONTRIBUTING.md)


def test_two_apps_share_the_routes_and_keep_their_own_settings() -> None:
    first = create_app(make_settings("sqlite://", org_name="Sở A"))
    second = create_app(make_settings("sqlite://", org_name="Sở B"))
    before = list(first.router.routes)
    share_routes(first)
    share_routes(second)
    shared = [r for r in first.router.routes if r not in before]
    assert shared, "no included router was shared: FastAPI changed, every test now builds its routes again"
    assert all(r in second.router.routes for r in shared)
    for app, name in ((first, "Sở A"), (second, "Sở B")):
        with TestClient(app) as client:
            page = client.get("/staff/login")  # a page that reads no database (the holder's is none)
            assert page.status_code == 200 and name in page.text
