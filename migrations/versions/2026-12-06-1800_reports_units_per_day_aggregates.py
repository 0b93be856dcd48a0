"""reports: the units report's parts per day (supporting units, tasks, notices by day of publication, answered)

The units report (``GET /api/v1/reports/units``) counted live, per unit: the cases supported, the information tasks,
the cases answered and the notices published in the period (by the day of PUBLICATION, on cases the unit led or
supported). ``report_unit_day`` keeps per day and unit the supported cases, the tasks and the cases answered
(whenever: ``day`` is the local day of receipt) and the notices (``day``: local day of publication);
``report_duration_case`` gains the lead unit and an index on ``reply_at``: a read takes off the stored cases
answered those whose reply is after its *now*. The staleness marks stay in ``report_dirty``: a
marked day is recomputed on both axes (a publication day marked is read live for the notices; for the other parts
it only costs a day read live). New triggers: ``notice`` marks the day of publication (old and new), a change of a
case's lead unit and a supporting unit added or removed mark the publication days of the case's notices (and the
latter its day of receipt), a task inserted or deleted marks its case's day of receipt.

Backfill: every day is marked dirty again (receipt and publication days); the worker refills the tables.

Revision ID: 3c7a9e2d4b61
Revises: 5e1b7c9d3a2f
Create Date: 2026-12-06 18:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3c7a9e2d4b61"
down_revision: str | Sequence[str] | None = "5e1b7c9d3a2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = "Asia/Ho_Chi_Minh"  # UTC+7 all year since 1975 (app/reports/sql.py LOCAL_OFFSET_HOURS)


def _pg_day(ts: str) -> str:
    return f"CAST(({ts} AT TIME ZONE '{TZ}') AS DATE)"


def _sqlite_day(ts: str) -> str:
    return f"date({ts}, '+7 hours')"


def _pg_triggers() -> list[str]:
    notices_of = "INSERT INTO report_dirty (day) SELECT DISTINCT {day} FROM notice n WHERE n.case_id = {case};"
    of_case = 'INSERT INTO report_dirty (day) SELECT {day} FROM "case" c WHERE c.id = {row}.case_id;'
    pub = _pg_day("n.published_at")
    received = _pg_day("c.received_at")
    return [
        f"""CREATE FUNCTION report_dirty_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN INSERT INTO report_dirty (day) VALUES ({_pg_day("OLD.published_at")}); END IF;
    IF TG_OP <> 'DELETE' THEN INSERT INTO report_dirty (day) VALUES ({_pg_day("NEW.published_at")}); END IF;
    RETURN NULL;
END $$""",
        f"""CREATE FUNCTION report_dirty_case_notices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {notices_of.format(day=pub, case="OLD.id")}
    RETURN NULL;
END $$""",
        f"""CREATE FUNCTION report_dirty_support() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        {of_case.format(day=received, row="OLD")} {notices_of.format(day=pub, case="OLD.case_id")}
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {of_case.format(day=received, row="NEW")} {notices_of.format(day=pub, case="NEW.case_id")}
    END IF;
    RETURN NULL;
END $$""",
        "CREATE TRIGGER report_dirty_notice_published AFTER INSERT OR DELETE OR UPDATE OF case_id, published_at "
        "ON notice FOR EACH ROW EXECUTE FUNCTION report_dirty_published()",
        'CREATE TRIGGER report_dirty_case_notices AFTER UPDATE OF lead_unit_id ON "case" '
        "FOR EACH ROW EXECUTE FUNCTION report_dirty_case_notices()",
        "CREATE TRIGGER report_dirty_support AFTER INSERT OR DELETE OR UPDATE ON case_supporting_unit "
        "FOR EACH ROW EXECUTE FUNCTION report_dirty_support()",
        "CREATE TRIGGER report_dirty_task_rows AFTER INSERT OR DELETE ON task "
        "FOR EACH ROW EXECUTE FUNCTION report_dirty_of_case()",
    ]


def _sqlite_triggers() -> list[str]:
    def published(row: str) -> str:
        return f"INSERT INTO report_dirty (day) VALUES ({_sqlite_day(row + '.published_at')});"

    def notices_of(case: str) -> str:
        day = _sqlite_day("n.published_at")
        return f"INSERT INTO report_dirty (day) SELECT DISTINCT {day} FROM notice n WHERE n.case_id = {case};"

    def of_case(row: str) -> str:
        day = _sqlite_day("c.received_at")
        return f'INSERT INTO report_dirty (day) SELECT {day} FROM "case" c WHERE c.id = {row}.case_id;'

    def support(row: str) -> str:
        return of_case(row) + " " + notices_of(f"{row}.case_id")

    return [
        f"CREATE TRIGGER report_dirty_notice_published_insert AFTER INSERT ON notice BEGIN {published('NEW')} END",
        f"CREATE TRIGGER report_dirty_notice_published_delete AFTER DELETE ON notice BEGIN {published('OLD')} END",
        "CREATE TRIGGER report_dirty_notice_published_update AFTER UPDATE OF case_id, published_at ON notice "
        f"BEGIN {published('OLD')} {published('NEW')} END",
        'CREATE TRIGGER report_dirty_case_notices AFTER UPDATE OF lead_unit_id ON "case" '
        f"BEGIN {notices_of('OLD.id')} END",
        f"CREATE TRIGGER report_dirty_support_insert AFTER INSERT ON case_supporting_unit BEGIN {support('NEW')} END",
        f"CREATE TRIGGER report_dirty_support_delete AFTER DELETE ON case_supporting_unit BEGIN {support('OLD')} END",
        "CREATE TRIGGER report_dirty_support_update AFTER UPDATE ON case_supporting_unit "
        f"BEGIN {support('OLD')} {support('NEW')} END",
        f"CREATE TRIGGER report_dirty_task_insert AFTER INSERT ON task BEGIN {of_case('NEW')} END",
        f"CREATE TRIGGER report_dirty_task_delete AFTER DELETE ON task BEGIN {of_case('OLD')} END",
    ]


def upgrade() -> None:
    op.create_table(
        "report_unit_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("part", sa.String(length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_unit_day")),
    )
    op.create_index(op.f("ix_report_unit_day_day"), "report_unit_day", ["day"], unique=False)
    op.add_column("report_duration_case", sa.Column("lead_unit_id", sa.Integer(), nullable=True))
    # The replies after a read's *now* (none, at the real now), taken off the stored cases answered.
    op.create_index(op.f("ix_report_duration_case_reply_at"), "report_duration_case", ["reply_at"], unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _pg_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    day = _pg_day if postgres else _sqlite_day
    op.execute(
        f'INSERT INTO report_dirty (day) SELECT DISTINCT {day("received_at")} FROM "case" '
        f"UNION SELECT DISTINCT {day('published_at')} FROM notice"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table in (("notice_published", "notice"), ("case_notices", '"case"'),
                            ("support", "case_supporting_unit"), ("task_rows", "task")):  # fmt: skip
            op.execute(f"DROP TRIGGER IF EXISTS report_dirty_{name} ON {table}")
        for function in ("report_dirty_published", "report_dirty_case_notices", "report_dirty_support"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for name in ("notice_published_insert", "notice_published_delete", "notice_published_update",
                     "case_notices", "support_insert", "support_delete", "support_update", "task_insert",
                     "task_delete"):  # fmt: skip
            op.execute(f"DROP TRIGGER IF EXISTS report_dirty_{name}")
    op.drop_index(op.f("ix_report_duration_case_reply_at"), table_name="report_duration_case")
    with op.batch_alter_table("report_duration_case") as batch:
        batch.drop_column("lead_unit_id")
    op.drop_index(op.f("ix_report_unit_day_day"), table_name="report_unit_day")
    op.drop_table("report_unit_day")
    # The old days are refilled without the lead unit.
    day = _pg_day("received_at") if op.get_bind().dialect.name == "postgresql" else _sqlite_day("received_at")
    op.execute(f'INSERT INTO report_dirty (day) SELECT DISTINCT {day} FROM "case"')
