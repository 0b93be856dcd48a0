"""The schema comes only from the migrations: one head, no drift from the models, and a clean downgrade."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text as sa_text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import app.all_models  # noqa: F401
from app.clocks.models import Clock, ClockOrigin, ClockState
from app.db import make_engine
from app.migrate import alembic_config, include_object, render_item, script_heads, upgrade
from tests.conftest import FIXED_NOW
from tests.factories import make_case, standard_org


def test_exactly_one_head() -> None:
    assert len(script_heads()) == 1


def test_the_models_match_the_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "render_item": render_item, "target_metadata": SQLModel.metadata,
                  "include_object": include_object(conn.dialect.name)},
        )  # fmt: skip
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], diff


def test_downgrade_to_base_and_up_again(isolated_url: str) -> None:
    config = alembic_config(isolated_url)
    command.downgrade(config, "base")
    upgrade(isolated_url)
    engine = make_engine(isolated_url)
    with engine.connect() as conn:
        heads = set(MigrationContext.configure(conn).get_current_heads())
    engine.dispose()
    assert heads == set(ScriptDirectory.from_config(config).get_heads())


def test_the_calendar_version_backfill(isolated_url: str) -> None:
    """Running and paused clocks counted in days get version 0 (recomputed at every change so far); finished ones
    and clocks in hours stay unknown (NULL)."""
    engine = make_engine(isolated_url)
    with Session(engine) as session:
        standard_org(session, FIXED_NOW)
        running = make_case(session, by="office", now=FIXED_NOW, legal_trigger="press_forwarded_feedback")
        finished = make_case(session, by="office", now=FIXED_NOW, legal_trigger="press_forwarded_feedback")
        hours = make_case(session, by="office", now=FIXED_NOW, legal_trigger="major_event")
        met = session.exec(
            select(Clock).where(Clock.case_id == finished.id, Clock.origin == ClockOrigin.STATUTORY)
        ).one()
        met.state = ClockState.MET_ON_TIME
        met.next_reminder_at = met.next_reminder_stage = None  # as the clock service meets it (a CHECK holds it)
        session.commit()
        ids = {"running": running.id, "finished": finished.id, "hours": hours.id}
    command.downgrade(alembic_config(isolated_url), "90819e14c475")  # before the calendar version
    upgrade(isolated_url)
    with engine.connect() as conn:
        rows = conn.execute(sa_text("SELECT case_id, unit, calendar_version FROM clock WHERE origin = 'statutory'"))
        versions = {case_id: (unit, version) for case_id, unit, version in rows}
    engine.dispose()
    assert versions[ids["running"]] == ("working_days", 0)
    assert versions[ids["finished"]] == ("working_days", None)
    assert versions[ids["hours"]] == ("hours", None)


def test_the_supporting_units_receipt_backfill(isolated_url: str) -> None:
    """Migration 6d2f8b4a1c93 copies each case's ``received_at`` into its ``case_supporting_unit`` rows, and the
    reports' triggers on that table still mark a supporting unit's days afterwards (SQLite rebuilds the table)."""
    engine = make_engine(isolated_url)
    with Session(engine) as session:
        standard_org(session, FIXED_NOW)
        supported = make_case(session, by="office", now=FIXED_NOW - timedelta(days=40), lead_unit="GDTrH",
                              supporting_units=["GDTH", "VP"])  # fmt: skip
        other = make_case(session, by="office", now=FIXED_NOW - timedelta(days=3), lead_unit="GDTH")
        session.commit()
        ids = {"supported": supported.id, "other": other.id}
    command.downgrade(alembic_config(isolated_url), "3c7a9e2d4b61")
    upgrade(isolated_url)
    with engine.begin() as conn:
        rows = conn.execute(sa_text('SELECT s.received_at = c.received_at FROM case_supporting_unit s '
                                    'JOIN "case" c ON c.id = s.case_id')).scalars().all()  # fmt: skip
        conn.execute(sa_text("DELETE FROM report_dirty"))
        conn.execute(sa_text("INSERT INTO case_supporting_unit (case_id, unit_id, received_at) "
                             'SELECT c.id, u.id, c.received_at FROM "case" c, unit u '
                             "WHERE c.id = :id AND u.code = 'VP'"), {"id": ids["other"]})  # fmt: skip
        marked = conn.execute(sa_text("SELECT count(*) FROM report_dirty")).scalar_one()
    engine.dispose()
    assert rows == [True, True]
    assert marked > 0
