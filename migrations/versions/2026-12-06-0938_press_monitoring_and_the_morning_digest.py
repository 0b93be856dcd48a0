"""press monitoring and the morning digest

Product §11.4: the sources polled (feeds, sitemaps, pages) with their polling state, the watch terms, the items
fetched (unique by normalised URL and by feed GUID, so two monitor processes never store one twice), the
clusters (one story carried by several outlets, linked to the case opened from it), who receives the digest by
e-mail and the deliveries of each day's digest (unique per subscriber and day).

Revision ID: 647f2049d015
Revises: 176831f059cd
Create Date: 2026-12-06 09:38:35.030297

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "647f2049d015"
down_revision: str | Sequence[str] | None = "176831f059cd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monitor_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("outlet", sa.String(length=200), nullable=False),
        sa.Column("poll_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=300), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("items_total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_source")),
        sa.UniqueConstraint("url", name=op.f("uq_monitor_source_url")),
    )
    with op.batch_alter_table("monitor_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitor_source_next_poll_at"), ["next_poll_at"], unique=False)

    op.create_table(
        "digest_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("email_to", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_digest_delivery_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_delivery")),
        sa.UniqueConstraint("user_id", "day", name=op.f("uq_digest_delivery_user_id")),
    )
    with op.batch_alter_table("digest_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_delivery_status"), ["status"], unique=False)

    op.create_table(
        "digest_subscription",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_digest_subscription_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_digest_subscription")),
    )
    op.create_table(
        "monitor_term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("folded", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_monitor_term_unit_id_unit"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_term")),
        sa.UniqueConstraint("folded", name=op.f("uq_monitor_term_folded")),
    )
    op.create_table(
        "monitor_cluster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_monitor_cluster_case_id_case"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_cluster")),
    )
    with op.batch_alter_table("monitor_cluster", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitor_cluster_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_monitor_cluster_first_seen_at"), ["first_seen_at"], unique=False)

    op.create_table(
        "monitor_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("outlet", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("url_key", sa.String(length=64), nullable=False),
        sa.Column("guid_key", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("excerpt", sa.Text(), server_default="", nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "matched_terms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "tokens", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_monitor_item_case_id_case"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["monitor_cluster.id"],
            name=op.f("fk_monitor_item_cluster_id_monitor_cluster"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["monitor_source.id"],
            name=op.f("fk_monitor_item_source_id_monitor_source"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_monitor_item_unit_id_unit"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_item")),
        sa.UniqueConstraint("case_id", name=op.f("uq_monitor_item_case_id")),
        sa.UniqueConstraint("guid_key", name=op.f("uq_monitor_item_guid_key")),
        sa.UniqueConstraint("url_key", name=op.f("uq_monitor_item_url_key")),
    )
    with op.batch_alter_table("monitor_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitor_item_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_monitor_item_matched"), ["matched"], unique=False)
        batch_op.create_index("ix_monitor_item_seen", ["seen_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_monitor_item_source_id"), ["source_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("monitor_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitor_item_source_id"))
        batch_op.drop_index("ix_monitor_item_seen")
        batch_op.drop_index(batch_op.f("ix_monitor_item_matched"))
        batch_op.drop_index(batch_op.f("ix_monitor_item_cluster_id"))

    op.drop_table("monitor_item")
    with op.batch_alter_table("monitor_cluster", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitor_cluster_first_seen_at"))
        batch_op.drop_index(batch_op.f("ix_monitor_cluster_case_id"))

    op.drop_table("monitor_cluster")
    op.drop_table("monitor_term")
    op.drop_table("digest_subscription")
    with op.batch_alter_table("digest_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_delivery_status"))

    op.drop_table("digest_delivery")
    with op.batch_alter_table("monitor_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitor_source_next_poll_at"))

    op.drop_table("monitor_source")
