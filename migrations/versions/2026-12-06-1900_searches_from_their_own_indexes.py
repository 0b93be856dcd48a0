"""searches from their own indexes: a reference as ``q``; a unit's supported cases in order of receipt

**A reference as ``q``.** ``q=VV-2021-00101`` is ``search_text LIKE '%vv-2021-00101%'``. The trigram index answers
it by intersecting the posting lists of ``vv``, `` 20``, ``202``, ``00``… which every case has (its own
reference): 14 ms of SQL at a million cases, for one row. On PostgreSQL the list now writes a term containing
``vv-`` as the same condition in two parts (``cases.queries._text_contains``): the text *starts* with the term (its
first word does: the reference), from ``ix_case_search_first_word`` (a btree on ``split_part(search_text, ' ',
1)``, ``text_pattern_ops`` for ``LIKE 'term%'``), or ``vv-`` occurs after the first character and the text contains
the term, from ``ix_case_search_quotes_trgm`` (the trigram index of only those texts: cases whose title, summary or
link quotes a reference). Same rows: a match at the first character is the first part, any later one the second.
Both indexes are PostgreSQL's (SQLite scans the folded text for every ``q``). ``ANALYZE`` gives the planner the
expression's statistics at once, not at autovacuum's next pass.

**A unit's supported cases in order of receipt.** A unit-scoped search reads the cases the reader's units support
(and do not lead) as a part of its own (``cases.queries.list_cases``). ``case_supporting_unit`` had no receipt time,
so that part read every case the unit supports (1,885 for a handler at a million cases) to keep the newest few.
``case_supporting_unit.received_at`` is the case's ``received_at``, copied (backfilled here; kept by
``cases.links`` when a unit is added and when the case's receipt time changes), and
``ix_case_supporting_unit_unit_received`` on ``(unit_id, received_at, case_id)`` makes the part an ordered index
range, like the lead units' part on ``ix_case_lead_unit_received``.

The reports' trigger on ``case_supporting_unit`` now fires on updates of ``case_id, unit_id`` only: the copy of the
receipt time changes no report figure (the case's own trigger marks its days when ``received_at`` changes), and the
backfill marks nothing. On SQLite the table is rebuilt (``NOT NULL``), which drops its triggers: they are written
again, as migration 3c7a9e2d4b61 wrote them but for that column list.

The index statements say ``IF NOT EXISTS``: on a large live database they may be built beforehand with ``CREATE
INDEX CONCURRENTLY`` (docs/operations.md), and the migration then only records them.

Revision ID: 6d2f8b4a1c93
Revises: 5d2f8b3e7a91
Create Date: 2026-12-06 19:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "6d2f8b4a1c93"
down_revision: str | Sequence[str] | None = "5d2f8b3e7a91"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in app/cases/models.py (QUOTES_REFERENCE_SQL): ``vv-`` after the first character of the folded text.
QUOTES_REFERENCE = "strpos(substr(search_text, 2), 'vv-') > 0"
SUPPORT_INDEX = "ix_case_supporting_unit_unit_received"


def _sqlite_support_triggers(update_of: str) -> list[str]:
    """The reports' triggers on ``case_supporting_unit`` (migration 3c7a9e2d4b61), the update one ``OF`` the given
    columns (all of them when empty)."""

    def support(row: str) -> str:
        day = "date({ts}, '+7 hours')"
        return (
            f'INSERT INTO report_dirty (day) SELECT {day.format(ts="c.received_at")} FROM "case" c '
            f"WHERE c.id = {row}.case_id; "
            f"INSERT INTO report_dirty (day) SELECT DISTINCT {day.format(ts='n.published_at')} FROM notice n "
            f"WHERE n.case_id = {row}.case_id;"
        )

    of = f" OF {update_of}" if update_of else ""
    return [
        "DROP TRIGGER IF EXISTS report_dirty_support_insert",
        "DROP TRIGGER IF EXISTS report_dirty_support_delete",
        "DROP TRIGGER IF EXISTS report_dirty_support_update",
        f"CREATE TRIGGER report_dirty_support_insert AFTER INSERT ON case_supporting_unit BEGIN {support('NEW')} END",
        f"CREATE TRIGGER report_dirty_support_delete AFTER DELETE ON case_supporting_unit BEGIN {support('OLD')} END",
        f"CREATE TRIGGER report_dirty_support_update AFTER UPDATE{of} ON case_supporting_unit "
        f"BEGIN {support('OLD')} {support('NEW')} END",
    ]


def _pg_support_trigger(update_of: str) -> list[str]:
    of = f" OF {update_of}" if update_of else ""
    return [
        "DROP TRIGGER IF EXISTS report_dirty_support ON case_supporting_unit",
        f"CREATE TRIGGER report_dirty_support AFTER INSERT OR DELETE OR UPDATE{of} ON case_supporting_unit "
        "FOR EACH ROW EXECUTE FUNCTION report_dirty_support()",
    ]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _pg_support_trigger("case_id, unit_id") if postgres else []:
        op.execute(statement)
    op.add_column("case_supporting_unit", sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
    if postgres:
        op.execute('UPDATE case_supporting_unit s SET received_at = c.received_at FROM "case" c WHERE c.id = s.case_id')
        op.alter_column("case_supporting_unit", "received_at", nullable=False)
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {SUPPORT_INDEX} ON case_supporting_unit (unit_id, received_at, case_id)"
        )
        op.execute(
            'CREATE INDEX IF NOT EXISTS ix_case_search_first_word ON "case" '
            "(split_part(search_text, ' ', 1) text_pattern_ops)"
        )
        op.execute(
            'CREATE INDEX IF NOT EXISTS ix_case_search_quotes_trgm ON "case" '
            f"USING gin (search_text gin_trgm_ops) WHERE {QUOTES_REFERENCE}"
        )
        op.execute('ANALYZE "case"')
        op.execute("ANALYZE case_supporting_unit")
        return
    op.execute("DROP TRIGGER IF EXISTS report_dirty_support_update")  # the backfill changes no report figure
    op.execute(
        "UPDATE case_supporting_unit SET received_at = "
        '(SELECT c.received_at FROM "case" c WHERE c.id = case_supporting_unit.case_id)'
    )
    with op.batch_alter_table("case_supporting_unit", schema=None) as batch_op:
        batch_op.alter_column("received_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(SUPPORT_INDEX, ["unit_id", "received_at", "case_id"], unique=False)
    for statement in _sqlite_support_triggers("case_id, unit_id"):
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_case_search_quotes_trgm")
        op.execute("DROP INDEX IF EXISTS ix_case_search_first_word")
    with op.batch_alter_table("case_supporting_unit", schema=None) as batch_op:
        batch_op.drop_index(SUPPORT_INDEX)
        batch_op.drop_column("received_at")
    for statement in _pg_support_trigger("") if postgres else _sqlite_support_triggers(""):
        op.execute(statement)
