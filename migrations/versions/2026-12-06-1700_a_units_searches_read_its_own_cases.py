"""a unit's search reads its own cases: cases by lead unit and receipt; no parallel scans of supporting units

A unit-scoped reader's search (``q``) is a ``UNION ALL`` of the cases its units lead and those they only support
(``cases.queries.list_cases``). The lead part walks ``ix_case_lead_unit_received`` in the list's order for one
unit; as one ``OR``, the scope made PostgreSQL walk every case's receipt order and read the text of 22,207 cases to
find a handler's 51 (30 ms warm at a million cases, 5 ms now).

The supported part reads the unit's ~1,900 ``case_supporting_unit`` rows and their cases. For that PostgreSQL
planned two parallel workers over the primary key of ``case_supporting_unit`` (a 101,000-row table): starting them
cost 18-36 ms on a loaded two-core machine, against 5-8 ms for the serial scan. ``parallel_workers = 0`` keeps scans
of this small table serial; it changes no result, and a parallel plan may still scan ``case`` beside it.

Revision ID: 8e1f4a7b2c5d
Revises: 4c8e2a6f1b3d
Create Date: 2026-12-06 17:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "8e1f4a7b2c5d"
down_revision: str | Sequence[str] | None = "4c8e2a6f1b3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # IF NOT EXISTS: on a large live database it may be built beforehand with CREATE INDEX CONCURRENTLY.
        op.execute('CREATE INDEX IF NOT EXISTS ix_case_lead_unit_received ON "case" (lead_unit_id, received_at, id)')
        op.execute("ALTER TABLE case_supporting_unit SET (parallel_workers = 0)")
        return
    op.create_index("ix_case_lead_unit_received", "case", ["lead_unit_id", "received_at", "id"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE case_supporting_unit RESET (parallel_workers)")
    op.drop_index("ix_case_lead_unit_received", table_name="case")
