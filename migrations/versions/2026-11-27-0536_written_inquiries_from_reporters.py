"""written inquiries from reporters

A reporter's written inquiry (public API), with its tracking code, the case it opened and the case it follows.

Revision ID: 473a1c442106
Revises: d1bf98e8cd2e
Create Date: 2026-11-27 05:36:15.703112

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "473a1c442106"
down_revision: str | Sequence[str] | None = "d1bf98e8cd2e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inquiry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("outlet", sa.String(length=200), nullable=False),
        sa.Column("reporter_name", sa.String(length=200), nullable=False),
        sa.Column("press_card_number", sa.String(length=40), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("reporter_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("own_case_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_inquiry_case_id_case")),
        sa.ForeignKeyConstraint(["linked_by_id"], ["user.id"], name=op.f("fk_inquiry_linked_by_id_user")),
        sa.ForeignKeyConstraint(["own_case_id"], ["case.id"], name=op.f("fk_inquiry_own_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry")),
    )
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inquiry_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inquiry_code"), ["code"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiry_code"))
        batch_op.drop_index(batch_op.f("ix_inquiry_case_id"))

    op.drop_table("inquiry")
