"""mailbox attachments become case attachments

The mailbox now keeps a message's files as the case's own attachments (``attachment``, bytes in the storage). A
file sent by a reporter has no uploader, so ``attachment.created_by_id`` may be empty. The temporary
``mailbox_attachment`` table (bytes in the database) is no longer written or read and is dropped; it shipped in no
release, and a database that still holds rows in it stops the upgrade rather than lose them silently (the rows
are listed in the notes of their cases: file name and SHA-256).

Revision ID: 5c1d2e3f4a5b
Revises: 5c1e7a9d3f20
Create Date: 2026-12-06 11:50:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5c1d2e3f4a5b"
down_revision: str | Sequence[str] | None = "5c1e7a9d3f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    left = op.get_bind().execute(sa.text("SELECT count(*) FROM mailbox_attachment")).scalar()
    if left:
        raise RuntimeError(
            f"mailbox_attachment still holds {left} file(s): save them (SELECT filename, content FROM "
            "mailbox_attachment) and empty the table before upgrading."
        )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.alter_column("created_by_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("mailbox_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mailbox_attachment_case_id"))
    op.drop_table("mailbox_attachment")


def downgrade() -> None:
    op.create_table(
        "mailbox_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_pk", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_mailbox_attachment_case_id_case")),
        sa.ForeignKeyConstraint(
            ["message_pk"],
            ["mailbox_message.id"],
            name=op.f("fk_mailbox_attachment_message_pk_mailbox_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox_attachment")),
    )
    with op.batch_alter_table("mailbox_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mailbox_attachment_case_id"), ["case_id"], unique=False)
    # attachments sent by mail have no uploader: they cannot go back under a NOT NULL column
    op.execute("DELETE FROM attachment WHERE created_by_id IS NULL")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.alter_column("created_by_id", existing_type=sa.Integer(), nullable=False)
