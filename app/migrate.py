"""Running Alembic from code: the CLI's ``migrate``, the tests' database set-up, and ``/readyz``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel.sql.sqltypes import AutoString

from app.db import StrEnumType, UTCDateTime, normalize_url

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = normalize_url(url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def script_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def database_heads(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def include_object(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """What the comparison of the models with the database covers on ``dialect``: not what a model declares for
    other databases only (``info={"dialects": ("postgresql",)}``: the trigram indexes)."""

    def include(obj: Any, _name: str | None, _type: str, _reflected: bool, _compare_to: Any) -> bool:
        dialects = getattr(obj, "info", {}).get("dialects")
        return dialects is None or dialect in dialects

    return include


def render_item(type_: str, obj: object, autogen_context: object) -> str | Literal[False]:  # noqa: ARG001
    """Autogenerate writes our column types as plain SQLAlchemy types, so migrations never import app code."""
    if type_ == "type":
        if isinstance(obj, StrEnumType):
            return f"sa.String(length={obj.impl.length})"
        if isinstance(obj, UTCDateTime):
            return "sa.DateTime(timezone=True)"
        if isinstance(obj, AutoString):
            return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False
