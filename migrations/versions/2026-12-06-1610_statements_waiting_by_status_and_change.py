"""what waits for someone: statements of a status by last change, open cases by nearest deadline (two indexes)

The "waiting for me" queue (every staff page's header, the home's first panel) lists the statements in draft (to
submit), returned (to rework) and approved (to publish) by their last change, 200 at most of each. At a million
cases (1,959 returned, 1,510 drafts) ``ix_statement_status`` gave every statement of the status, each joined to
its case, then a sort: 10-30 ms a page. On (status, updated_at, id) the scan is in the queue's order and stops at
its limit.

A unit's worklist (the handler's and the head's home: the unit's open cases, nearest deadline first, 20 of them)
read every open case of the working statuses (6,570), each row for its unit, then sorted: 12-45 ms. A partial index
on the open cases' (next_due_at, id) is read in that order and stops after the first 21 of the unit (the same
predicate as ``ix_case_open_received_at``).

Revision ID: 4c8e2a6f1b3d
Revises: 9d4e7f1a2b3c
Create Date: 2026-12-06 16:10:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "4c8e2a6f1b3d"
down_revision: str | Sequence[str] | None = "9d4e7f1a2b3c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('new', 'assigned', 'in_progress', 'on_hold', 'awaiting_approval', 'approved')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # IF NOT EXISTS: on a large live database they may be built beforehand with CREATE INDEX CONCURRENTLY.
        op.execute("CREATE INDEX IF NOT EXISTS ix_statement_status_updated_at ON statement (status, updated_at, id)")
        op.execute(f'CREATE INDEX IF NOT EXISTS ix_case_open_next_due_at ON "case" (next_due_at, id) WHERE {OPEN}')
        return
    op.create_index("ix_statement_status_updated_at", "statement", ["status", "updated_at", "id"], unique=False)
    op.create_index("ix_case_open_next_due_at", "case", ["next_due_at", "id"], unique=False,
                    sqlite_where=sa.text(OPEN))  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_case_open_next_due_at", table_name="case")
    op.drop_index("ix_statement_status_updated_at", table_name="statement")
