"""the director's home from indexes: open cases by severity, statements by creator, versions by author

The director's home counts the open cases by severity: at a million cases that read the 7,182 open cases'
rows through ``ix_case_open_received_at`` (7,124 buffers, 8-12 ms). A partial index on the open cases' severity
(the same predicate) answers from the index alone (29 buffers, 0.9 ms).

"Returned to me" (the header's queue of every staff page) lists the returned statements that the actor created or
whose current version they wrote. As one ``OR`` with an ``EXISTS``, it walked all 1,959 returned statements and
probed each one's versions (9,131 buffers, 8-9 ms) for someone who has none of them (the director). It now takes
the first of each part: the statements created by the actor from ``ix_statement_created_by_status`` (in the
queue's order, stopping at its limit), and the versions the actor wrote from ``ix_statement_version_author_id``
(none for the director: 0.1 ms; for a heavy author the planner still walks the returned statements).

Revision ID: 5d2f8b3e7a91
Revises: 9d4e2a7c1b85
Create Date: 2026-12-06 19:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5d2f8b3e7a91"
down_revision: str | Sequence[str] | None = "9d4e2a7c1b85"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('new', 'assigned', 'in_progress', 'on_hold', 'awaiting_approval', 'approved')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # IF NOT EXISTS: on a large live database they may be built beforehand with CREATE INDEX CONCURRENTLY.
        op.execute(f'CREATE INDEX IF NOT EXISTS ix_case_open_severity ON "case" (severity) WHERE {OPEN}')
        op.execute("CREATE INDEX IF NOT EXISTS ix_statement_created_by_status "
                   "ON statement (created_by_id, status, updated_at, id)")  # fmt: skip
        op.execute("CREATE INDEX IF NOT EXISTS ix_statement_version_author_id ON statement_version (author_id)")
        return
    op.create_index("ix_case_open_severity", "case", ["severity"], unique=False, sqlite_where=sa.text(OPEN))
    op.create_index("ix_statement_created_by_status", "statement", ["created_by_id", "status", "updated_at", "id"],
                    unique=False)  # fmt: skip
    op.create_index("ix_statement_version_author_id", "statement_version", ["author_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_statement_version_author_id", table_name="statement_version")
    op.drop_index("ix_statement_created_by_status", table_name="statement")
    op.drop_index("ix_case_open_severity", table_name="case")
