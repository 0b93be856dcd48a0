"""reports: the per-day aggregates per unit scope too (a unit head's dashboard and units report)

A unit head reads the cases whose lead unit OR one of whose supporting units is theirs; the aggregates were kept
for the whole Sở only, so a head's dashboard was computed live (600 ms at a million cases). Each aggregate table
gains ``scope_unit_id``: NULL for the whole Sở's rows (those already there), a unit's id for the figures of the
cases that unit leads or supports — a case counts once in its lead unit's scope and once in each supporting unit's
that is not its lead unit. Reads take one scope and a range of days: an index on (scope_unit_id, day) per table,
covering the columns read on PostgreSQL.

No new trigger: what moves a case between scopes already marks its days stale — a change of lead unit (``case``:
the day of receipt; ``report_dirty_case_notices``: its notices' days of publication) and a supporting unit added,
removed or changed (``report_dirty_support``: both).

Backfill: every day is marked dirty again (receipt and publication days); the worker fills the scopes' rows.

Revision ID: 9d4e2a7c1b85
Revises: 3c7a9e2d4b61
Create Date: 2026-12-06 19:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9d4e2a7c1b85"
down_revision: str | Sequence[str] | None = "3c7a9e2d4b61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = "Asia/Ho_Chi_Minh"  # UTC+7 all year since 1975 (app/reports/sql.py LOCAL_OFFSET_HOURS)
# Each table and the columns its reads take (the index covers them on PostgreSQL: an index-only scan of one scope's
# days, whose rows are scattered among the other scopes').
TABLES = {
    "report_clock_day": ["origin", "basis", "state", "unit_id", "name", "n"],
    "report_volume_day": ["dimension", "value", "counted", "n"],
    "report_duration_case": ["first_at", "first_hours", "reply_at", "reply_hours", "lead_unit_id"],
    "report_unit_day": ["part", "unit_id", "n"],
}


def _day(ts: str, postgres: bool) -> str:
    return f"CAST(({ts} AT TIME ZONE '{TZ}') AS DATE)" if postgres else f"date({ts}, '+7 hours')"


def upgrade() -> None:
    for table, read in TABLES.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("scope_unit_id", sa.Integer(), nullable=True))
        op.create_index(
            op.f(f"ix_{table}_scope_unit_id_day"), table, ["scope_unit_id", "day"], unique=False,
            postgresql_include=read,
        )  # fmt: skip
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(
        f'INSERT INTO report_dirty (day) SELECT DISTINCT {_day("received_at", postgres)} FROM "case" '
        f"UNION SELECT DISTINCT {_day('published_at', postgres)} FROM notice"
    )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DELETE FROM {table} WHERE scope_unit_id IS NOT NULL")
        op.drop_index(op.f(f"ix_{table}_scope_unit_id_day"), table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("scope_unit_id")
