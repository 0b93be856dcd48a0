"""Running Alembic from code: the CLI's ``migrate``, the tests' database set-up, and ``/readyz``.

Alembic itself is imported inside the functions that run it: ``/readyz`` sits in the web layer, and importing Alembic
(and Mako) at the top cost every web process and test worker about 0.25 s of CPU at start-up."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.engine import Engine
from sqlmodel.sql.sqltypes import AutoString

from app.db import StrEnumType, UTCDateTime, normalize_url

if TYPE_CHECKING:
    from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = normalize_url(url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def script_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def database_heads(engine: Engine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

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
