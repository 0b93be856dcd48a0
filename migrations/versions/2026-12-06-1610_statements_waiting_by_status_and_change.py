"""what waits for someone reads statements of a status oldest change first: an index on (status, updated_at, id)

The "waiting for me" queue (every staff page's header, the home's first panel) lists the statements in draft (to
submit), returned (to rework) and approved (to publish) by their last change, 200 at most of each. At a million
cases (1,959 returned, 1,510 drafts) ``ix_statement_status`` gave every statement of the status, each joined to
its case, then a sort: 10-30 ms a page. On (status, updated_at, id) the scan is in the queue's order and stops at
its limit.

Revision ID: 4c8e2a6f1b3d
Revises: 7a3b9c1d2e4f
Create Date: 2026-12-06 16:10:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "4c8e2a6f1b3d"
down_revision: str | Sequence[str] | None = "7a3b9c1d2e4f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # IF NOT EXISTS: on a large live database it may be built beforehand with CREATE INDEX CONCURRENTLY.
        op.execute("CREATE INDEX IF NOT EXISTS ix_statement_status_updated_at ON statement (status, updated_at, id)")
        return
    op.create_index("ix_statement_status_updated_at", "statement", ["status", "updated_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_statement_status_updated_at", table_name="statement")
