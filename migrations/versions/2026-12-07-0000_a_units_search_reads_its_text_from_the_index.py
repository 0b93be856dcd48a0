"""a unit's search reads the folded text from its receipt index: (lead_unit_id, received_at, id) INCLUDE (search_text)

A unit-scoped search (``cases.queries.list_cases`` with ``q``) reads the part of the cases a reader's units lead in
the list's order and keeps those whose folded text holds every word. With words most cases have (``bạo lực``) the
ordered walk of ``ix_case_lead_unit_received`` finds its page in ~1,600 cases (0.6-2.6 ms at a million), but
PostgreSQL, for which each of those cases is a random heap read, often preferred the trigram index of every text
ANDed with the unit's bitmap and sorted: 33,000 index entries, 23-28 ms, each time ``ANALYZE`` drew a sample that
tipped the estimate (the trigram scan's cost is its pages, not the CPU of merging long posting lists). On
PostgreSQL the index now carries ``search_text`` (INCLUDE), so the walk is an index-only scan whose cost the planner
sees as it is; words few cases have still take the trigram index (its estimate then is a handful of rows).
It replaces ``ix_case_lead_unit_received`` (same keys: the unit lists read it as before). SQLite has no INCLUDE:
there it is the same three columns under the new name.

On PostgreSQL the new index is ``IF NOT EXISTS``: on a large live database it may be built beforehand with
``CREATE INDEX CONCURRENTLY`` (docs/operations.md), and the migration then only drops the old one.

Revision ID: 8b4d2f6a1e37
Revises: 7e3a9c5d2b14
Create Date: 2026-12-07 00:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "8b4d2f6a1e37"
down_revision: str | Sequence[str] | None = "7e3a9c5d2b14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ["lead_unit_id", "received_at", "id"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'CREATE INDEX IF NOT EXISTS ix_case_lead_unit_search ON "case" ({", ".join(KEYS)}) '
                   "INCLUDE (search_text)")  # fmt: skip
    else:
        op.create_index("ix_case_lead_unit_search", "case", KEYS, unique=False)
    op.drop_index("ix_case_lead_unit_received", table_name="case")


def downgrade() -> None:
    op.create_index("ix_case_lead_unit_received", "case", KEYS, unique=False)
    op.drop_index("ix_case_lead_unit_search", table_name="case")
