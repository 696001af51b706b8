"""The record of flushed view batches (exactly-once view counting).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "view_flushes",
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.Column(
            "applied_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("batch_id", name="pk_view_flushes"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_index("ix_view_flushes_applied_at", "view_flushes", ["applied_at"])


def downgrade() -> None:
    op.drop_table("view_flushes")
