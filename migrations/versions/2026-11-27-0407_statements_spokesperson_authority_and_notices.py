"""statements, spokesperson authority and notices

Statements with immutable versions, approvals and comments; standing-spokesperson appointments and per-case
authorisations; published notices (numbered per year and type, never changed).

Revision ID: d1bf98e8cd2e
Revises: 0195c538b617
Create Date: 2026-11-27 04:07:44.015848

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "d1bf98e8cd2e"
down_revision: str | Sequence[str] | None = "0195c538b617"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spokesperson_appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("decision_number", sa.String(length=200), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("end_note", sa.Text(), nullable=True),
        sa.Column("appointed_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointed_by_id"], ["user.id"], name=op.f("fk_spokesperson_appointment_appointed_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["user.id"], name=op.f("fk_spokesperson_appointment_ended_by_id_user")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_spokesperson_appointment_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spokesperson_appointment")),
    )
    with op.batch_alter_table("spokesperson_appointment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spokesperson_appointment_user_id"), ["user_id"], unique=False)

    op.create_table(
        "spokesperson_authorisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("matters", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_spokesperson_authorisation_case_id_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["user.id"], name=op.f("fk_spokesperson_authorisation_granted_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["user.id"], name=op.f("fk_spokesperson_authorisation_revoked_by_id_user")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_spokesperson_authorisation_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spokesperson_authorisation")),
    )
    with op.batch_alter_table("spokesperson_authorisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spokesperson_authorisation_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_spokesperson_authorisation_user_id"), ["user_id"], unique=False)

    op.create_table(
        "statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("corrects_statement_id", sa.Integer(), nullable=True),
        sa.Column("withdraw", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_statement_case_id_case"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["corrects_statement_id"], ["statement.id"], name=op.f("fk_statement_corrects_statement_id_statement")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_statement_created_by_id_user")),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user.id"], name=op.f("fk_statement_submitted_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement")),
    )
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_statement_status"), ["status"], unique=False)

    op.create_table(
        "statement_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_statement_comment_author_id_user")),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_statement_comment_statement_id_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_comment")),
    )
    with op.batch_alter_table("statement_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_comment_statement_id"), ["statement_id"], unique=False)

    op.create_table(
        "statement_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("refusal_ground", sa.String(length=40), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_statement_version_author_id_user")),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_statement_version_statement_id_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_version")),
        sa.UniqueConstraint("statement_id", "number", name=op.f("uq_statement_version_statement_id")),
    )
    with op.batch_alter_table("statement_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_version_statement_id"), ["statement_id"], unique=False)

    op.create_table(
        "statement_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=False),
        sa.Column("approver_name", sa.String(length=200), nullable=False),
        sa.Column("approver_title", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.String(length=40), nullable=False),
        sa.Column("regime", sa.String(length=40), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("authorisation_id", sa.Integer(), nullable=True),
        sa.Column("checklist", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["spokesperson_appointment.id"],
            name=op.f("fk_statement_approval_appointment_id_spokesperson_appointment"),
        ),
        sa.ForeignKeyConstraint(["approver_id"], ["user.id"], name=op.f("fk_statement_approval_approver_id_user")),
        sa.ForeignKeyConstraint(
            ["authorisation_id"],
            ["spokesperson_authorisation.id"],
            name=op.f("fk_statement_approval_authorisation_id_spokesperson_authorisation"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_statement_approval_statement_id_statement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["statement_version.id"], name=op.f("fk_statement_approval_version_id_statement_version")
        ),
        sa.ForeignKeyConstraint(["voided_by_id"], ["user.id"], name=op.f("fk_statement_approval_voided_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_approval")),
    )
    with op.batch_alter_table("statement_approval", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_approval_statement_id"), ["statement_id"], unique=False)

    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("notice_type", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("spokesperson_name", sa.String(length=200), nullable=False),
        sa.Column("spokesperson_title", sa.String(length=200), nullable=False),
        sa.Column("spokesperson_capacity", sa.String(length=40), nullable=False),
        sa.Column("authorisation_id", sa.Integer(), nullable=True),
        sa.Column("case_reference", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("outlet", sa.String(length=200), nullable=True),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("source_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refusal_ground", sa.String(length=40), nullable=True),
        sa.Column("refusal_basis", sa.Text(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("withdraws", sa.Boolean(), nullable=False),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"], ["statement_approval.id"], name=op.f("fk_notice_approval_id_statement_approval")
        ),
        sa.ForeignKeyConstraint(
            ["authorisation_id"],
            ["spokesperson_authorisation.id"],
            name=op.f("fk_notice_authorisation_id_spokesperson_authorisation"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_notice_case_id_case")),
        sa.ForeignKeyConstraint(["corrects_id"], ["notice.id"], name=op.f("fk_notice_corrects_id_notice")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["user.id"], name=op.f("fk_notice_issued_by_id_user")),
        sa.ForeignKeyConstraint(["statement_id"], ["statement.id"], name=op.f("fk_notice_statement_id_statement")),
        sa.ForeignKeyConstraint(
            ["version_id"], ["statement_version.id"], name=op.f("fk_notice_version_id_statement_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("statement_id", name=op.f("uq_notice_statement_id")),
        sa.UniqueConstraint("year", "notice_type", "seq", name=op.f("uq_notice_year")),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_corrects_id"), ["corrects_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_published_at"), ["published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_slug"), ["slug"], unique=True)
        batch_op.create_index(batch_op.f("ix_notice_topic"), ["topic"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_topic"))
        batch_op.drop_index(batch_op.f("ix_notice_slug"))
        batch_op.drop_index(batch_op.f("ix_notice_published_at"))
        batch_op.drop_index(batch_op.f("ix_notice_corrects_id"))
        batch_op.drop_index(batch_op.f("ix_notice_case_id"))

    op.drop_table("notice")
    with op.batch_alter_table("statement_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_approval_statement_id"))

    op.drop_table("statement_approval")
    with op.batch_alter_table("statement_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_version_statement_id"))

    op.drop_table("statement_version")
    with op.batch_alter_table("statement_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_comment_statement_id"))

    op.drop_table("statement_comment")
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_status"))
        batch_op.drop_index(batch_op.f("ix_statement_case_id"))

    op.drop_table("statement")
    with op.batch_alter_table("spokesperson_authorisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spokesperson_authorisation_user_id"))
        batch_op.drop_index(batch_op.f("ix_spokesperson_authorisation_case_id"))

    op.drop_table("spokesperson_authorisation")
    with op.batch_alter_table("spokesperson_appointment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spokesperson_appointment_user_id"))

    op.drop_table("spokesperson_appointment")
