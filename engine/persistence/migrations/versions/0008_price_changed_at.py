"""products: when the pricing agent last changed the price

The wait between price changes (a guardrail) was counted in each server process, so a restarted server,
or a second one, could move a price again at once. The time of the last change is now stored with the
price, and an admin's edit of a product that keeps its list price keeps the agent's price too.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("price_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_column("price_changed_at")
