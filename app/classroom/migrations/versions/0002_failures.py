"""Failures: the rate limit's counts of wrong codes and tokens, shared by every replica.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_failures_address_at", "failures", ["address", "at"])
    op.create_index("ix_failures_at", "failures", ["at"])


def downgrade() -> None:
    op.drop_table("failures")
