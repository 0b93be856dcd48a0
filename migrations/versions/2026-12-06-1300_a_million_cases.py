"""a million cases: trigram search, open cases by receipt, cases by update, only running clocks have a reminder

Revision ID: 3f6b8d2a9c41
Revises: 5c1d2e3f4a5b
Create Date: 2026-12-06 13:00:00.000000

On PostgreSQL: the ``pg_trgm`` extension (trusted since PostgreSQL 13: the database owner may create it) and GIN
trigram indexes on the folded ``search_text`` of cases and notices, so that ``LIKE '%word%'`` is an index search.
The index statements say ``IF NOT EXISTS``: on a large live database they may be built beforehand with
``CREATE INDEX CONCURRENTLY`` (docs/operations.md), and the migration then only records them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3f6b8d2a9c41"
down_revision: str | Sequence[str] | None = "5c1d2e3f4a5b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('new', 'assigned', 'in_progress', 'on_hold', 'awaiting_approval', 'approved')"


def upgrade() -> None:
    op.create_index("ix_case_updated_at", "case", ["updated_at", "id"], unique=False)
    op.create_index("ix_case_open_received_at", "case", ["received_at", "id"], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))  # fmt: skip
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in ("case", "notice"):
            index = f"ix_{table}_search_text_trgm"
            op.execute(f'CREATE INDEX IF NOT EXISTS {index} ON "{table}" USING gin (search_text gin_trgm_ops)')
    # Only a running clock has a next reminder; make sure of it before the constraint holds it.
    op.execute(
        "UPDATE clock SET next_reminder_at = NULL, next_reminder_stage = NULL "
        "WHERE state <> 'running' AND next_reminder_at IS NOT NULL"
    )
    with op.batch_alter_table("clock", schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f("ck_clock_reminder_only_running"), "next_reminder_at IS NULL OR state = 'running'"
        )


def downgrade() -> None:
    with op.batch_alter_table("clock", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_clock_reminder_only_running"), type_="check")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_notice_search_text_trgm", table_name="notice")
        op.drop_index("ix_case_search_text_trgm", table_name="case")
    op.drop_index("ix_case_open_received_at", table_name="case", postgresql_where=sa.text(OPEN),
                  sqlite_where=sa.text(OPEN))  # fmt: skip
    op.drop_index("ix_case_updated_at", table_name="case")
