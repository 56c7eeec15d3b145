"""line history: entries written for many orders of a line at once; order history without a foreign key

A re-promise or an allocation of a whole line wrote one history row per order (100,000 rows for a
100,000-order line); it now writes one row per block of the line (engine/persistence/line_history.py).
Order history keeps one row per order for everything else. Its foreign key goes: checking it cost
PostgreSQL 0.42 s per 100,000 rows (a trigger per row) in bulk writes such as shipping; history is
append-only, written in the transaction that changes (or places) the order, and orders are never
deleted, so the key guarded nothing the code does not.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

AutoId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_KEY = "fk_order_events_order_id_preorders"


def upgrade() -> None:
    with op.batch_alter_table("order_events") as batch:
        batch.drop_constraint(_KEY, type_="foreignkey")
    op.create_table(
        "line_history",
        sa.Column("id", AutoId, autoincrement=True, nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("events_before", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cause", sa.Text(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("entries", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_history")),
    )
    op.create_index("ix_line_history_block", "line_history", ["sku", "block", "id"])


def downgrade() -> None:
    op.drop_index("ix_line_history_block", table_name="line_history")
    op.drop_table("line_history")
    with op.batch_alter_table("order_events") as batch:
        batch.create_foreign_key(_KEY, "preorders", ["order_id"], ["id"])
