"""reports read a period's cases from one index: (received_at, id) with the columns the reports group by

The dashboard, the units report and the yearly report aggregate the cases received in a period (a year of a big
deployment: ~200,000 of a million). On PostgreSQL the index carries the columns they group and filter by
(INCLUDE), so the period is an index-only range scan instead of a walk through the wide case rows (title,
summary, search text); the keyset of the yearly report's case lines, (received_at, id), walks it in order.
SQLite has no INCLUDE: there it is a plain (received_at, id) index.

Revision ID: 7a3b9c1d2e4f
Revises: 3f6b8d2a9c41
Create Date: 2026-12-06 13:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "7a3b9c1d2e4f"
down_revision: str | Sequence[str] | None = "3f6b8d2a9c41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORT_COLUMNS = ["close_reason", "source_kind", "legal_trigger", "topic", "severity", "lead_unit_id", "status"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # IF NOT EXISTS: on a large live database they may be built beforehand with CREATE INDEX CONCURRENTLY.
        op.execute(f'CREATE INDEX IF NOT EXISTS ix_case_received_report ON "case" (received_at, id) '
                   f"INCLUDE ({', '.join(REPORT_COLUMNS)})")  # fmt: skip
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_notice_case_published ON notice (case_id, published_at) INCLUDE (kind)"
        )
        return
    # The notices of a period's cases (first notice, first reply, answered): read from the index, not the wide rows.
    op.create_index("ix_notice_case_published", "notice", ["case_id", "published_at"], unique=False)
    op.create_index("ix_case_received_report", "case", ["received_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notice_case_published", table_name="notice")
    op.drop_index("ix_case_received_report", table_name="case")
