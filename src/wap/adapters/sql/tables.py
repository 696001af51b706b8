"""The schema, as SQLAlchemy Core tables. Alembic migrations create it; tests check they agree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects import mysql


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC without an offset (neither MySQL nor SQLite keeps one), returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def binary_string(length: int) -> String:
    """A string compared byte for byte on MySQL too (its default collation ignores case)."""
    return String(length).with_variant(
        mysql.VARCHAR(length, collation="utf8mb4_bin"), "mysql", "mariadb"
    )


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("github_id", BigInteger, nullable=False, unique=True),
    Column("github_login", String(39), nullable=False),
    Column("avatar_url", String(500)),
    Column("avatar_thumbnail_url", String(500)),
    Column("email", String(254)),
    Column("name", String(12)),
    Column("student_number", String(10), unique=True),
    Column("position", String(16)),
    Column("bio", String(500), nullable=False),
    Column("tech_stack", JSON, nullable=False),
    Column("links", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("role", String(16), nullable=False),
    Column("notify_email", Boolean, nullable=False),
    Column("language", String(2), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "status", "role"),
    Index(None, "github_login"),
    # Never reuse an id: SQLite would otherwise hand out a deleted row's id again.
    sqlite_autoincrement=True,
)

teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(30), nullable=False),
    # Case-folded title; unique, compared byte for byte so that only case is ignored.
    Column("title_key", binary_string(120), nullable=False, unique=True),
    Column("genre", String(8), nullable=False),
    Column("description", Text, nullable=False),
    Column("links", JSON, nullable=False),
    Column("image_url", String(500)),
    Column("image_thumbnail_url", String(500)),
    Column("leader_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("term", String(6), nullable=False),
    Column("recruit_until", UTCDateTime),
    Column("like_count", Integer, nullable=False, server_default="0"),
    Column("view_count", BigInteger, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("like_count >= 0", name="like_count_nonnegative"),
    CheckConstraint("view_count >= 0", name="view_count_nonnegative"),
    Index(None, "status", "term", "id"),
    Index(None, "leader_id"),
    Index(None, "recruit_until"),
    # Never reuse an id: SQLite would otherwise hand out a deleted row's id again.
    sqlite_autoincrement=True,
)

team_slots = Table(
    "team_slots",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("category", String(16), primary_key=True),
    Column("capacity", SmallInteger, nullable=False),
    Column("filled", SmallInteger, nullable=False, server_default="0"),
    # Defence in depth: the guarded UPDATE keeps this true; the database refuses otherwise.
    CheckConstraint("filled >= 0 AND filled <= capacity", name="filled_within_capacity"),
    CheckConstraint("capacity >= 1 AND capacity <= 10", name="capacity_range"),
    Index(None, "category"),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(8), nullable=False),
    Column("category", String(16)),
    Column("joined_at", UTCDateTime, nullable=False),
    Index(None, "member_id"),
)

applications = Table(
    "applications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    Column("category", String(16), nullable=False),
    Column("message", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    # 1 while pending, NULL after: UNIQUE(team, member, pending_key) allows one pending
    # application per member and team on both SQLite and MySQL (NULLs never collide).
    Column("pending_key", SmallInteger),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    CheckConstraint(
        "(status = 'pending' AND COALESCE(pending_key, 0) = 1) OR "
        "(status <> 'pending' AND pending_key IS NULL)",
        name="pending_key_matches_status",
    ),
    Index(None, "team_id", "member_id", "pending_key", unique=True),
    Index(None, "member_id", "status"),
    Index(None, "team_id", "status"),
    # Never reuse an id: SQLite would otherwise hand out a deleted row's id again.
    sqlite_autoincrement=True,
)

likes = Table(
    "likes",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "member_id"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("read_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "member_id", "id"),
    Index(None, "member_id", "read_at"),
    # Never reuse an id: SQLite would otherwise hand out a deleted row's id again.
    sqlite_autoincrement=True,
)

# No foreign keys: the log outlives the members and teams it speaks of.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor_id", Integer, nullable=False),
    Column("action", String(40), nullable=False),
    Column("target_type", String(16), nullable=False),
    Column("target_id", Integer, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "created_at"),
    # Never reuse an id: SQLite would otherwise hand out a deleted row's id again.
    sqlite_autoincrement=True,
)

# Batches of view counts already added to teams.view_count: the flush's exactly-once record.
view_flushes = Table(
    "view_flushes",
    metadata,
    Column("batch_id", String(32), primary_key=True),
    Column("views", BigInteger, nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
    Index(None, "applied_at"),
)

# The matching round (issue 18). ``opened_by`` has no foreign key: the round outlives an
# officer's expulsion, as the audit log does. ``open_term`` is the term while the round is not
# published and NULL once it is: its unique key lets a term have one unpublished round at most,
# decided by the database even when two officers open one at the same moment (NULLs do not
# collide, so published rounds never do).
rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("term", String(6), nullable=False),
    Column("deadline", UTCDateTime, nullable=False),
    Column("max_choices", SmallInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("opened_by", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Column("published_at", UTCDateTime),
    Column("pins", JSON, nullable=False),
    Column("removals", JSON, nullable=False),
    Column("open_term", String(6), unique=True),
    Index(None, "term", "id"),
    sqlite_autoincrement=True,
)

# The teams whose leaders offer their open places to the round.
round_teams = Table(
    "round_teams",
    metadata,
    Column("round_id", Integer, ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "team_id"),
)

# A member's entry in the round: the message and when the choices were last saved (the tie
# order); the choices themselves, best first, in ``round_choices``.
round_entries = Table(
    "round_entries",
    metadata,
    Column("round_id", Integer, ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column("message", String(200), nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Index(None, "member_id"),
)

round_choices = Table(
    "round_choices",
    metadata,
    Column("round_id", Integer, ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", SmallInteger, primary_key=True),
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
    Column("category", String(16), nullable=False),
    Index(None, "team_id"),
    Index(None, "member_id"),
)

# A leader's ranking of the members who chose their team.
round_rankings = Table(
    "round_rankings",
    metadata,
    Column("round_id", Integer, ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", SmallInteger, nullable=False),
    Index(None, "member_id"),
    Index(None, "team_id"),
)

# The published result, names as they were (no foreign keys: it outlives members and teams).
round_outcomes = Table(
    "round_outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", Integer, ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", Integer, nullable=False),
    Column("member_name", String(40), nullable=False),
    Column("result", String(16), nullable=False),
    Column("team_id", Integer),
    Column("team_title", String(30), nullable=False),
    Column("category", String(16)),
    Column("rank", SmallInteger),
    Column("reason", String(32)),
    Index(None, "round_id", "id"),
    sqlite_autoincrement=True,
)
