"""story photos: an attachment belongs to a case or to a story

Revision ID: 5c1e7a9d3f20
Revises: be94b4745f8a
Create Date: 2026-12-06 11:50:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5c1e7a9d3f20"
down_revision: str | Sequence[str] | None = "be94b4745f8a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("story_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_attachment_story_id"), ["story_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_attachment_story_id_story"), "story", ["story_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    op.execute("DELETE FROM attachment WHERE case_id IS NULL")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_attachment_story_id_story"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_attachment_story_id"))
        batch_op.drop_column("story_id")
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
