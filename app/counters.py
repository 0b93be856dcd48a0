"""Gap-free yearly sequences (case references, notice numbers).

A counter row per (scope, year) is bumped with ``UPDATE … RETURNING`` inside the caller's transaction. The row
lock serialises concurrent callers, and a rolled-back transaction takes its number back with it, so numbers stay
unique and consecutive.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel


class SequenceCounter(SQLModel, table=True):
    __tablename__ = "sequence_counter"

    scope: str = Field(sa_column=Column(String(40), primary_key=True))
    year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    value: int = 0


def next_value(session: Session, *, scope: str, year: int) -> int:
    table = SequenceCounter.__table__  # type: ignore[attr-defined]
    bump = (
        update(table)
        .where(table.c.scope == scope, table.c.year == year)
        .values(value=table.c.value + 1)
        .returning(table.c.value)
    )
    value = session.execute(bump).scalar_one_or_none()
    if value is None:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(insert(table).values(scope=scope, year=year, value=0).on_conflict_do_nothing())
        value = session.execute(bump).scalar_one()
    return int(value)


def current_value(session: Session, *, scope: str, year: int) -> int:
    """The counter's value now (0 if it was never bumped)."""
    table = SequenceCounter.__table__  # type: ignore[attr-defined]
    value = session.execute(select(table.c.value).where(table.c.scope == scope, table.c.year == year)).scalar()
    return int(value or 0)
