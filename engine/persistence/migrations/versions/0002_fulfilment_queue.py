"""fulfilment queue: pause, resume, conflicts, receipts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("preorders") as batch:
        batch.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resume_by", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resumed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("conflict_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("conflict_days", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_preorders_resume_by", ["resume_by"])
        batch.create_index("ix_preorders_conflicts", ["conflict_days"])
    op.create_table(
        "receipts",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("allocated_orders", sa.JSON(), nullable=False),
        sa.Column("left_on_hand", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["sku"], ["products.sku"], name=op.f("fk_receipts_sku_products")),
        sa.PrimaryKeyConstraint("sku", "reference", name=op.f("pk_receipts")),
    )


def downgrade() -> None:
    op.drop_table("receipts")
    with op.batch_alter_table("preorders") as batch:
        batch.drop_index("ix_preorders_conflicts")
        batch.drop_index("ix_preorders_resume_by")
        for column in ("conflict_days", "conflict_reason", "resumed_at", "resume_by", "paused_at"):
            batch.drop_column(column)
