"""The initial schema: members, teams, slots, memberships, applications, likes, notices, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MYSQL = ("mysql", "mariadb")
# sqlite_autoincrement: SQLite must never hand out the id of a deleted row again.
TABLE_ARGS: dict[str, Any] = {
    "sqlite_autoincrement": True,
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}


def when() -> sa.types.TypeEngine[Any]:
    """UTC moments; microseconds on MySQL (its DATETIME drops them otherwise)."""
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), *MYSQL)


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("github_id", sa.BigInteger(), nullable=False),
        sa.Column("github_login", sa.String(39), nullable=False),
        sa.Column("avatar_url", sa.String(500)),
        sa.Column("email", sa.String(254)),
        sa.Column("name", sa.String(12)),
        sa.Column("student_number", sa.String(10)),
        sa.Column("position", sa.String(16)),
        sa.Column("bio", sa.String(500), nullable=False),
        sa.Column("tech_stack", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("notify_email", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.UniqueConstraint("github_id", name="uq_members_github_id"),
        sa.UniqueConstraint("student_number", name="uq_members_student_number"),
        **TABLE_ARGS,
    )
    op.create_index("ix_members_status_role", "members", ["status", "role"])
    op.create_index("ix_members_github_login", "members", ["github_login"])

    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(30), nullable=False),
        sa.Column(
            "title_key",
            sa.String(120).with_variant(mysql.VARCHAR(120, collation="utf8mb4_bin"), *MYSQL),
            nullable=False,
        ),
        sa.Column("genre", sa.String(8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("image_url", sa.String(500)),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("term", sa.String(6), nullable=False),
        sa.Column("recruit_until", when()),
        sa.Column("like_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("view_count", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("updated_at", when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
        sa.UniqueConstraint("title_key", name="uq_teams_title_key"),
        sa.ForeignKeyConstraint(["leader_id"], ["members.id"], name="fk_teams_leader_id_members"),
        sa.CheckConstraint("like_count >= 0", name="like_count_nonnegative"),
        sa.CheckConstraint("view_count >= 0", name="view_count_nonnegative"),
        **TABLE_ARGS,
    )
    op.create_index("ix_teams_status_term_id", "teams", ["status", "term", "id"])
    op.create_index("ix_teams_leader_id", "teams", ["leader_id"])
    op.create_index("ix_teams_recruit_until", "teams", ["recruit_until"])

    op.create_table(
        "team_slots",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("capacity", sa.SmallInteger(), nullable=False),
        sa.Column("filled", sa.SmallInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("team_id", "category", name="pk_team_slots"),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_team_slots_team_id_teams", ondelete="CASCADE"
        ),
        sa.CheckConstraint("filled >= 0 AND filled <= capacity", name="filled_within_capacity"),
        sa.CheckConstraint("capacity >= 1 AND capacity <= 10", name="capacity_range"),
        **TABLE_ARGS,
    )
    op.create_index("ix_team_slots_category", "team_slots", ["category"])

    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("category", sa.String(16)),
        sa.Column("joined_at", when(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "member_id", name="pk_team_members"),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_team_members_team_id_teams", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_team_members_member_id_members",
            ondelete="CASCADE",
        ),
        **TABLE_ARGS,
    )
    op.create_index("ix_team_members_member_id", "team_members", ["member_id"])

    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("message", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("pending_key", sa.SmallInteger()),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("decided_at", when()),
        sa.PrimaryKeyConstraint("id", name="pk_applications"),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_applications_team_id_teams", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_applications_member_id_members",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "(status = 'pending' AND COALESCE(pending_key, 0) = 1) OR "
            "(status <> 'pending' AND pending_key IS NULL)",
            name="pending_key_matches_status",
        ),
        **TABLE_ARGS,
    )
    op.create_index(
        "ix_applications_team_id_member_id_pending_key",
        "applications",
        ["team_id", "member_id", "pending_key"],
        unique=True,
    )
    op.create_index("ix_applications_member_id_status", "applications", ["member_id", "status"])
    op.create_index("ix_applications_team_id_status", "applications", ["team_id", "status"])

    op.create_table(
        "likes",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "member_id", name="pk_likes"),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_likes_team_id_teams", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_likes_member_id_members", ondelete="CASCADE"
        ),
        **TABLE_ARGS,
    )
    op.create_index("ix_likes_member_id", "likes", ["member_id"])

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("read_at", when()),
        sa.Column("created_at", when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_notifications_member_id_members",
            ondelete="CASCADE",
        ),
        **TABLE_ARGS,
    )
    op.create_index("ix_notifications_member_id_id", "notifications", ["member_id", "id"])
    op.create_index("ix_notifications_member_id_read_at", "notifications", ["member_id", "read_at"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        **TABLE_ARGS,
    )
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "notifications",
        "likes",
        "applications",
        "team_members",
        "team_slots",
        "teams",
        "members",
    ):
        op.drop_table(table)
