"""the yearly report reads a period's clocks from a covering index: clock (case_id) INCLUDE (what its rules read)

The yearly report's clock rules (answered, spoken, indicator 5) group the clocks of a period's cases (~510,000 of
2.6 million at a million cases) by case. On PostgreSQL this index carries every column they read (INCLUDE), so
the clocks are probed from it (index-only) instead of read from the wide clock rows (texts, note, reminders).
SQLite has no INCLUDE: there the existing ``ix_clock_case_id`` serves, and nothing is created.

Revision ID: 9d4e7f1a2b3c
Revises: 7a3b9c1d2e4f
Create Date: 2026-12-06 16:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9d4e7f1a2b3c"
down_revision: str | Sequence[str] | None = "7a3b9c1d2e4f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the yearly report's clock rules read (sql.py: met, deadline_rank, the Art. 7.3/7.4 keys); not the long
# texts (basis, name: the index would be as large as the table, 800 MB at a million cases, instead of 317 MB).
REPORT_COLUMNS = ["state", "met_by", "met_at", "pack", "rule_key", "start_at", "unit", "length", "paused_seconds",
                  "due_at"]  # fmt: skip


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # IF NOT EXISTS: on a large live database it may be built beforehand with CREATE INDEX CONCURRENTLY.
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_clock_case_report ON clock (case_id) INCLUDE ({', '.join(REPORT_COLUMNS)})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_clock_case_report")
