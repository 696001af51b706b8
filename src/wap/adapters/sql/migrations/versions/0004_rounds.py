"""The matching round: rounds, their teams, members' choices, leaders' rankings, outcomes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MYSQL = ("mysql", "mariadb")
TABLE_ARGS: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}


def when() -> sa.types.TypeEngine[Any]:
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), *MYSQL)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("term", sa.String(6), nullable=False),
        sa.Column("deadline", when(), nullable=False),
        sa.Column("max_choices", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("closed_at", when()),
        sa.Column("published_at", when()),
        sa.Column("pins", sa.JSON(), nullable=False),
        sa.Column("removals", sa.JSON(), nullable=False),
        # The term while the round is not published, NULL once it is: one unpublished round
        # per term, enforced by the unique key (NULLs do not collide).
        sa.Column("open_term", sa.String(6)),
        sa.PrimaryKeyConstraint("id", name="pk_rounds"),
        sa.UniqueConstraint("open_term", name="uq_rounds_open_term"),
        sqlite_autoincrement=True,
        **TABLE_ARGS,
    )
    op.create_index("ix_rounds_term_id", "rounds", ["term", "id"])

    op.create_table(
        "round_teams",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("round_id", "team_id", name="pk_round_teams"),
        _fk("round_teams", "round_id", "rounds"),
        _fk("round_teams", "team_id", "teams"),
        **TABLE_ARGS,
    )
    op.create_index("ix_round_teams_team_id", "round_teams", ["team_id"])

    op.create_table(
        "round_entries",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(200), nullable=False),
        sa.Column("submitted_at", when(), nullable=False),
        sa.PrimaryKeyConstraint("round_id", "member_id", name="pk_round_entries"),
        _fk("round_entries", "round_id", "rounds"),
        _fk("round_entries", "member_id", "members"),
        **TABLE_ARGS,
    )
    op.create_index("ix_round_entries_member_id", "round_entries", ["member_id"])

    op.create_table(
        "round_choices",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("round_id", "member_id", "rank", name="pk_round_choices"),
        _fk("round_choices", "round_id", "rounds"),
        _fk("round_choices", "member_id", "members"),
        _fk("round_choices", "team_id", "teams"),
        **TABLE_ARGS,
    )
    op.create_index("ix_round_choices_team_id", "round_choices", ["team_id"])
    op.create_index("ix_round_choices_member_id", "round_choices", ["member_id"])

    op.create_table(
        "round_rankings",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("round_id", "team_id", "member_id", name="pk_round_rankings"),
        _fk("round_rankings", "round_id", "rounds"),
        _fk("round_rankings", "team_id", "teams"),
        _fk("round_rankings", "member_id", "members"),
        **TABLE_ARGS,
    )
    op.create_index("ix_round_rankings_member_id", "round_rankings", ["member_id"])
    op.create_index("ix_round_rankings_team_id", "round_rankings", ["team_id"])

    op.create_table(
        "round_outcomes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("member_name", sa.String(40), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("team_id", sa.Integer()),
        sa.Column("team_title", sa.String(30), nullable=False),
        sa.Column("category", sa.String(16)),
        sa.Column("rank", sa.SmallInteger()),
        sa.Column("reason", sa.String(32)),
        sa.PrimaryKeyConstraint("id", name="pk_round_outcomes"),
        _fk("round_outcomes", "round_id", "rounds"),
        sqlite_autoincrement=True,
        **TABLE_ARGS,
    )
    op.create_index("ix_round_outcomes_round_id_id", "round_outcomes", ["round_id", "id"])


def downgrade() -> None:
    for table in (
        "round_outcomes",
        "round_rankings",
        "round_choices",
        "round_entries",
        "round_teams",
        "rounds",
    ):
        op.drop_table(table)
