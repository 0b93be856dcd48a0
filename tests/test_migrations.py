"""The schema comes only from the migrations: one head, no drift from the models, and a clean downgrade."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import app.all_models  # noqa: F401
from app.db import make_engine
from app.migrate import alembic_config, render_item, script_heads, upgrade


def test_exactly_one_head() -> None:
    assert len(script_heads()) == 1


def test_the_models_match_the_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_item": render_item, "target_metadata": SQLModel.metadata}
        )
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
