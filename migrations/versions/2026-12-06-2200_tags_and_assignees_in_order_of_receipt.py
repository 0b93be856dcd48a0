"""a tag's and an assignee's cases in order of receipt, from their own index ranges

``tag=`` and ``assignee=`` were ``EXISTS`` conditions on the case list: in order of receipt (the default) PostgreSQL
walked the cases' receipt index probing ``case_tag`` / ``case_assignee`` for each, about 2,500 cases for a page of a
tag one case in ten has (6.4 ms at a million cases), 2,600 for a handler's 22,000 cases (5.9 ms).
``case_tag.received_at`` and ``case_assignee.received_at`` are the case's ``received_at``, copied (backfilled here;
kept by ``cases.links`` when a tag or an assignee is written and when the case's receipt time changes, as
``case_supporting_unit.received_at`` is since 6d2f8b4a1c93), and ``ix_case_tag_tag_received`` on ``(tag,
received_at, case_id)`` and ``ix_case_assignee_user_received`` on ``(user_id, received_at, case_id)`` make such a
page an ordered index range (``cases.queries.list_cases``). Neither table has a trigger (the reports do not read
them), so SQLite's table rebuild for ``NOT NULL`` loses nothing.

The index statements say ``IF NOT EXISTS`` on PostgreSQL: on a large live database they may be built beforehand with
``CREATE INDEX CONCURRENTLY`` (docs/operations.md), and the migration then only records them.

Revision ID: 7e3a9c5d2b14
Revises: 6d2f8b4a1c93
Create Date: 2026-12-06 22:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "7e3a9c5d2b14"
down_revision: str | Sequence[str] | None = "6d2f8b4a1c93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table → (index, its columns)
COPIES = {
    "case_tag": ("ix_case_tag_tag_received", ["tag", "received_at", "case_id"]),
    "case_assignee": ("ix_case_assignee_user_received", ["user_id", "received_at", "case_id"]),
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, (index, columns) in COPIES.items():
        op.add_column(table, sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
        if postgres:
            op.execute(f'UPDATE {table} t SET received_at = c.received_at FROM "case" c WHERE c.id = t.case_id')
            op.alter_column(table, "received_at", nullable=False)
            op.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({', '.join(columns)})")
            op.execute(f"ANALYZE {table}")
            continue
        copy = f'(SELECT c.received_at FROM "case" c WHERE c.id = {table}.case_id)'
        op.execute(f"UPDATE {table} SET received_at = {copy}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("received_at", existing_type=sa.DateTime(timezone=True), nullable=False)
            batch_op.create_index(index, columns, unique=False)


def downgrade() -> None:
    for table, (index, _columns) in COPIES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
            batch_op.drop_column("received_at")
