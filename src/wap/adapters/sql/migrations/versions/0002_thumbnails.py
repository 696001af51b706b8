"""Thumbnails of uploaded images: team images and member avatars.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as members:
        members.add_column(sa.Column("avatar_thumbnail_url", sa.String(500)))
    with op.batch_alter_table("teams") as teams:
        teams.add_column(sa.Column("image_thumbnail_url", sa.String(500)))


def downgrade() -> None:
    with op.batch_alter_table("teams") as teams:
        teams.drop_column("image_thumbnail_url")
    with op.batch_alter_table("members") as members:
        members.drop_column("avatar_thumbnail_url")
