"""notifications of every cause, and each user's choice of e-mail

A notification now has a kind (routed, assigned, submitted, approved, returned, published, mentioned, clock,
daily_email); those written so far are the clocks' reminders (``clock``), so ``stage`` is kept for them and may be
empty for the others. Each user chooses how notifications reach them by e-mail: ``immediate`` (as until now),
``daily`` or ``off``.

Revision ID: 5e1c0d7a9b42
Revises: b67b9f84602a
Create Date: 2026-12-06 09:50:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5e1c0d7a9b42"
down_revision: str | Sequence[str] | None = "b67b9f84602a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=40), server_default="clock", nullable=False))
        batch_op.alter_column("stage", existing_type=sa.String(length=40), nullable=True)
        batch_op.create_index("ix_notification_user_kind", ["user_id", "kind"], unique=False)
    # A plain ADD COLUMN (no table copy on SQLite: other tables refer to "user").
    op.add_column("user", sa.Column("email_frequency", sa.String(length=40), server_default="immediate",
                                    nullable=False))  # fmt: skip


def downgrade() -> None:
    op.drop_column("user", "email_frequency")
    op.execute("DELETE FROM notification WHERE kind <> 'clock'")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_kind")
        batch_op.alter_column("stage", existing_type=sa.String(length=40), nullable=False)
        batch_op.drop_column("kind")
