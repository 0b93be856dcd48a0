"""The `crisisdesk` command on a fresh database: migrate, demo, create-user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from app.cases.models import Case
from app.cases.workflow import CaseStatus
from app.cli import cli
from app.db import make_engine
from app.main import create_app
from app.org.models import Unit, User
from app.settings import get_settings
from tests.conftest import Clock, make_settings

runner = CliRunner()


@pytest.fixture
def env(isolated_url: str) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {
        "DATABASE_URL": isolated_url,
        "CRISISDESK_ENVIRONMENT": "development",
        "CRISISDESK_ARGON2_TIME_COST": "1",
        "CRISISDESK_ARGON2_MEMORY_COST": "1024",
    }
    get_settings.cache_clear()


def invoke(args: list[str], env: dict[str, str]) -> str:
    get_settings.cache_clear()
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_on_a_fresh_database(env: dict[str, str], isolated_url: str) -> None:
    invoke(["migrate"], env)
    output = invoke(["demo"], env)
    assert "Demo loaded" in output
    engine = make_engine(isolated_url)
    with Session(engine) as s:
        usernames = set(s.exec(select(User.username)).all())
        assert {"office", "handler", "head", "spokesperson", "director", "admin"} <= usernames
        assert s.exec(select(func.count()).select_from(Unit)).one() >= 10
        statuses = set(s.exec(select(Case.status)).all())
        assert statuses == set(CaseStatus)
        gdtrh = s.exec(select(Unit).where(Unit.code == "GDTrH")).one()
        mine = s.exec(select(func.count()).select_from(Case).where(
            Case.lead_unit_id == gdtrh.id, Case.status == CaseStatus.IN_PROGRESS)).one()  # fmt: skip
        others = s.exec(select(func.count()).select_from(Case).where(col(Case.lead_unit_id) != gdtrh.id)).one()
        assert mine >= 2 and others >= 5
    # the demo accounts log in with "demo" in development, and the handler sees only its unit
    app = create_app(make_settings(isolated_url, environment="development"), engine=engine, clock=Clock())
    with TestClient(app, base_url="https://testserver") as client:
        tok = client.post("/api/v1/auth/token", data={"username": "handler", "password": "demo"}).json()
        headers = {"Authorization": f"Bearer {tok['access_token']}"}
        items = client.get("/api/v1/cases?limit=200", headers=headers).json()["items"]
        assert items and all(
            c["lead_unit"]["code"] == "GDTrH" or "GDTrH" in [u["code"] for u in c["supporting_units"]] for c in items
        )
    engine.dispose()
    # loading twice is refused; --if-empty does nothing
    again = runner.invoke(cli, ["demo"], env=env)
    assert again.exit_code == 1
    assert "already" in invoke(["demo", "--if-empty"], env)


def test_demo_is_refused_outside_development(env: dict[str, str]) -> None:
    invoke(["migrate"], env)
    get_settings.cache_clear()
    result = runner.invoke(cli, ["demo"], env={**env, "CRISISDESK_ENVIRONMENT": "production",
                                               "CRISISDESK_SECRET_KEY": REAL_SECRET})  # fmt: skip
    assert result.exit_code == 1
    assert "development" in result.output


def test_create_user(env: dict[str, str], isolated_url: str) -> None:
    invoke(["migrate"], env)
    output = invoke(["create-user", "quantri", "--name", "Quản trị viên", "--role", "admin",
                     "--password", "a-long-password"], env)  # fmt: skip
    assert "Created user quantri" in output
    bad = runner.invoke(cli, ["create-user", "x1", "--name", "X", "--role", "handler:NOPE",
                              "--password", "a-long-password"], env=env)  # fmt: skip
    assert bad.exit_code == 2
    assert "NOPE" in bad.output
    engine = make_engine(isolated_url)
    with Session(engine) as s:
        assert s.exec(select(User.username)).all() == ["quantri"]
    engine.dispose()


REAL_SECRET = "Zq8-rT2vLw9xYp4_kM7nB3cD6fG1hJ5s"


def test_production_needs_a_real_secret() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="SECRET_KEY"):
        make_settings("sqlite://", environment="production")
    for weak in ("a" * 32, "ab" * 20, "s" * 40, "short-but-varied-0123"):
        with pytest.raises(ValidationError, match="SECRET_KEY"):
            make_settings("sqlite://", environment="production", secret_key=weak)
    assert make_settings("sqlite://", environment="production", secret_key=REAL_SECRET).environment == "production"


def test_recompute_clocks_after_a_holidays_upgrade(env: dict[str, str], isolated_url: str) -> None:
    from app.clocks.models import Clock
    from app.counters import current_value
    from app.workdays.service import CALENDAR_VERSION
    from tests.conftest import FIXED_NOW
    from tests.factories import make_case, standard_org

    engine = make_engine(isolated_url)
    with Session(engine) as session:
        standard_org(session, FIXED_NOW)
        case = make_case(session, by="office", now=FIXED_NOW, legal_trigger="press_forwarded_feedback")
        session.commit()
        case_id = case.id
    output = invoke(["recompute-clocks"], env)
    assert "Clocks recomputed: 0 due time(s) moved." in output  # the same package: nothing moves
    with Session(engine) as session:
        assert current_value(session, scope=CALENDAR_VERSION, year=0) == 1
        clock = session.exec(select(Clock).where(Clock.case_id == case_id, Clock.unit == "working_days")).one()
        assert clock.calendar_version == 1  # judged again by the new version
    engine.dispose()
