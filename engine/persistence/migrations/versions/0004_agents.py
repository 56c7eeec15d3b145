"""agents: channel quotas, decisions, shipments, agent cursors

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AutoId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("queues") as batch:
        batch.add_column(sa.Column("catalog_version", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("outcome", sa.Text(), nullable=True))
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("current_price", sa.String(length=32), nullable=True))
    with op.batch_alter_table("preorders") as batch:
        batch.add_column(sa.Column("shipment_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "channel_quotas",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("quota_units", sa.BigInteger(), nullable=False),
        sa.Column("reserved_units", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["sku"], ["products.sku"], name=op.f("fk_channel_quotas_sku_products")),
        sa.PrimaryKeyConstraint("sku", "channel", name=op.f("pk_channel_quotas")),
    )
    op.create_table(
        "decisions",
        sa.Column("id", AutoId, autoincrement=True, nullable=False),
        sa.Column("agent", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index("ix_decisions_at", "decisions", ["at"])
    op.create_table(
        "shipments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("vehicle", sa.String(length=40), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("distance", sa.Float(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("route", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    op.create_table(
        "agent_cursors",
        sa.Column("agent", sa.String(length=40), nullable=False),
        sa.Column("outbox_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("agent", name=op.f("pk_agent_cursors")),
    )


def downgrade() -> None:
    op.drop_table("agent_cursors")
    op.drop_table("shipments")
    op.drop_index("ix_decisions_at", table_name="decisions")
    op.drop_table("decisions")
    op.drop_table("channel_quotas")
    with op.batch_alter_table("preorders") as batch:
        for column in ("delivered_at", "shipped_at", "shipment_id"):
            batch.drop_column(column)
    with op.batch_alter_table("products") as batch:
        batch.drop_column("current_price")
    with op.batch_alter_table("dead_letters") as batch:
        batch.drop_column("outcome")
    with op.batch_alter_table("queues") as batch:
        batch.drop_column("catalog_version")
