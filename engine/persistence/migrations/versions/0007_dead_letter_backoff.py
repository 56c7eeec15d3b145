"""dead letters: when a pending letter may be replayed again (backoff after each failed attempt)

A letter that kept failing was replayed at every agent tick, and the first hundred such letters took
every replay batch, so a newer letter behind them waited for ever. ``retry_at`` spaces the attempts
(5 s doubling to an hour); the agents' replays take only letters that are due.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        batch.drop_column("retry_at")
