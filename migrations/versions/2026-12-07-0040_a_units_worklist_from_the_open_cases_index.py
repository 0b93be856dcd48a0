"""a unit's worklist from the open cases' deadline index: ix_case_open_next_due_at INCLUDE (lead_unit_id, status)

The home of a head or a handler lists their unit's open cases, nearest deadline first (``status`` among the open
ones, ``sort=due``). ``cases.queries.list_cases`` now reads it as the unit-scoped search does: a part for the cases
the unit leads and one for those it only supports, each in deadline order, merged. On PostgreSQL the partial index
of the open cases by deadline now carries the lead unit and the status (INCLUDE), so each part is an index-only walk
of the open cases (a few thousand at a million cases) that stops at the page; as one ``OR`` the planner, misjudging
how many open cases the unit's ``EXISTS`` keeps, read every open case's row and sorted them (13-33 ms). SQLite has
no INCLUDE: nothing changes there.

Revision ID: 9c5e3a7b2d48
Revises: 8b4d2f6a1e37
Create Date: 2026-12-07 00:40:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9c5e3a7b2d48"
down_revision: str | Sequence[str] | None = "8b4d2f6a1e37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('new', 'assigned', 'in_progress', 'on_hold', 'awaiting_approval', 'approved')"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The open cases only: a few thousand rows at a million cases, rebuilt in a moment.
    op.execute("DROP INDEX IF EXISTS ix_case_open_next_due_at")
    op.execute(f'CREATE INDEX ix_case_open_next_due_at ON "case" (next_due_at, id) INCLUDE (lead_unit_id, status) '
               f"WHERE {OPEN}")  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_case_open_next_due_at")
    op.execute(f'CREATE INDEX ix_case_open_next_due_at ON "case" (next_due_at, id) WHERE {OPEN}')
