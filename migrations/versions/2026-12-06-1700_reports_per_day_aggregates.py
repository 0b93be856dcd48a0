"""reports: per-day aggregates of the dashboard (clocks, volumes, durations) and the triggers that mark days stale

The dashboard's clock buckets and volumes over a year read ~200,000 cases and ~500,000 clocks at a million cases
(1.4 s). What of them does not depend on *now* is kept per local day of receipt: the clocks in a final state
(``report_clock_day``), the counts per dimension (``report_volume_day``) and, per case with a notice, the times
and hours to its first notice and first reply (``report_duration_case``: which of them count at a moment is a
comparison with it). A write that can change a day's figures appends that day to ``report_dirty`` (insert-only:
no row is shared between writing transactions) from a DATABASE TRIGGER on ``case``, ``clock``, ``task`` and
``notice``, so Core ``update()`` statements are covered too. A read takes the fresh days from the aggregates
and computes the dirty ones live (``app/reports/daily.py``); the worker's refresh recomputes the dirty days and
deletes the marks it read.

Backfill: every existing day is marked dirty (one ``INSERT … SELECT DISTINCT``); the worker fills the tables.

Revision ID: 5e1b7c9d3a2f
Revises: 8e1f4a7b2c5d
Create Date: 2026-12-06 17:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5e1b7c9d3a2f"
down_revision: str | Sequence[str] | None = "8e1f4a7b2c5d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = "Asia/Ho_Chi_Minh"  # UTC+7 all year since 1975 (app/reports/sql.py LOCAL_OFFSET_HOURS)
# The columns whose change can change a day's figures.
CASE_COLUMNS = "received_at, close_reason, topic, lead_unit_id, source_kind, severity"
CLOCK_COLUMNS = "case_id, origin, basis, state, actor, name, task_id"
TASK_COLUMNS = "case_id, unit_id"
NOTICE_COLUMNS = "case_id, published_at, kind"


def _pg_day(ts: str) -> str:
    return f"CAST(({ts} AT TIME ZONE '{TZ}') AS DATE)"


def _sqlite_day(ts: str) -> str:
    return f"date({ts}, '+7 hours')"


def _pg_triggers() -> list[str]:
    mark_case = 'INSERT INTO report_dirty (day) SELECT {day} FROM "case" c WHERE c.id = {row}.case_id;'
    case_day = _pg_day("{row}.received_at")
    return [
        f"""CREATE FUNCTION report_dirty_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN INSERT INTO report_dirty (day) VALUES ({case_day.format(row="OLD")}); END IF;
    IF TG_OP <> 'DELETE' THEN INSERT INTO report_dirty (day) VALUES ({case_day.format(row="NEW")}); END IF;
    RETURN NULL;
END $$""",
        f"""CREATE FUNCTION report_dirty_of_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {mark_case.format(day=_pg_day("c.received_at"), row="OLD")} END IF;
    IF TG_OP <> 'DELETE' THEN {mark_case.format(day=_pg_day("c.received_at"), row="NEW")} END IF;
    RETURN NULL;
END $$""",
        f'CREATE TRIGGER report_dirty_case AFTER INSERT OR DELETE OR UPDATE OF {CASE_COLUMNS} ON "case" '
        "FOR EACH ROW EXECUTE FUNCTION report_dirty_case()",
        f"CREATE TRIGGER report_dirty_clock AFTER INSERT OR DELETE OR UPDATE OF {CLOCK_COLUMNS} ON clock "
        "FOR EACH ROW EXECUTE FUNCTION report_dirty_of_case()",
        f"CREATE TRIGGER report_dirty_task AFTER UPDATE OF {TASK_COLUMNS} ON task "
        "FOR EACH ROW EXECUTE FUNCTION report_dirty_of_case()",
        f"CREATE TRIGGER report_dirty_notice AFTER INSERT OR DELETE OR UPDATE OF {NOTICE_COLUMNS} ON notice "
        "FOR EACH ROW EXECUTE FUNCTION report_dirty_of_case()",
    ]


def _sqlite_triggers() -> list[str]:
    def case_row(row: str) -> str:
        return f"INSERT INTO report_dirty (day) VALUES ({_sqlite_day(row + '.received_at')});"

    def of_case(row: str) -> str:
        day = _sqlite_day("c.received_at")
        return f'INSERT INTO report_dirty (day) SELECT {day} FROM "case" c WHERE c.id = {row}.case_id;'

    statements = []
    for table, name, columns, mark in (
        ('"case"', "case", CASE_COLUMNS, case_row),
        ("clock", "clock", CLOCK_COLUMNS, of_case),
        ("task", "task", TASK_COLUMNS, of_case),
        ("notice", "notice", NOTICE_COLUMNS, of_case),
    ):
        if table != "task":
            statements.append(
                f"CREATE TRIGGER report_dirty_{name}_insert AFTER INSERT ON {table} BEGIN {mark('NEW')} END"
            )
            statements.append(
                f"CREATE TRIGGER report_dirty_{name}_delete AFTER DELETE ON {table} BEGIN {mark('OLD')} END"
            )
        statements.append(
            f"CREATE TRIGGER report_dirty_{name}_update AFTER UPDATE OF {columns} ON {table} "
            f"BEGIN {mark('OLD')} {mark('NEW')} END"
        )
    return statements


def upgrade() -> None:
    op.create_table(
        "report_dirty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_dirty")),
    )
    op.create_index(op.f("ix_report_dirty_day"), "report_dirty", ["day"], unique=False)
    op.create_table(
        "report_clock_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("basis", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_clock_day")),
    )
    op.create_index(op.f("ix_report_clock_day_day"), "report_clock_day", ["day"], unique=False)
    op.create_table(
        "report_volume_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=True),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_volume_day")),
    )
    op.create_index(op.f("ix_report_volume_day_day"), "report_volume_day", ["day"], unique=False)
    op.create_table(
        "report_duration_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_hours", sa.Float(), nullable=False),
        sa.Column("reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_hours", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_duration_case")),
    )
    op.create_index(op.f("ix_report_duration_case_day"), "report_duration_case", ["day"], unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _pg_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    if postgres:
        # The running and paused clocks, counted live by every read, from a small covering index (IF NOT EXISTS: it
        # may be built beforehand with CREATE INDEX CONCURRENTLY).
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_clock_ticking_case ON clock (case_id) "
            "INCLUDE (origin, basis, state, due_at, actor, task_id, name) WHERE state IN ('running', 'paused')"
        )
    day = _pg_day("received_at") if postgres else _sqlite_day("received_at")
    op.execute(f'INSERT INTO report_dirty (day) SELECT DISTINCT {day} FROM "case"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_clock_ticking_case")
        for name, table in (("case", '"case"'), ("clock", "clock"), ("task", "task"), ("notice", "notice")):
            op.execute(f"DROP TRIGGER IF EXISTS report_dirty_{name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS report_dirty_case()")
        op.execute("DROP FUNCTION IF EXISTS report_dirty_of_case()")
    else:
        for name in ("case", "clock", "task", "notice"):
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS report_dirty_{name}_{event}")
    for table in ("report_duration_case", "report_volume_day", "report_clock_day", "report_dirty"):
        op.drop_index(op.f(f"ix_{table}_day"), table_name=table)
        op.drop_table(table)
