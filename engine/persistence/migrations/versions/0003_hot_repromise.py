"""re-promise in place: no index on conflict days, half-full pages on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("preorders") as batch:
        batch.drop_index("ix_preorders_conflicts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE preorders SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE preorders RESET (fillfactor)")
    with op.batch_alter_table("preorders") as batch:
        batch.create_index("ix_preorders_conflicts", ["conflict_days"])
