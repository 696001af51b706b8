"""The old service's rows as plain structures, exactly as its database holds them.

Times are naive Korea Standard Time, or None where the column holds no valid date (MySQL's
zero date ``0000-00-00 00:00:00`` and its kin, which no ``datetime`` can hold); list columns are
the raw bytes of a comma-joined list: deciding about both is the mapping's business
(``mapping.py``), not the reader's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class OldMember:
    id: int
    email: str
    social_id: int | None
    name: str
    student_num: str | None
    position: str | None
    explain: str | None
    image: str | None
    is_approved: bool
    is_active: bool
    is_staff: bool
    created_at: datetime | None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OldSocialAccount:
    """django-allauth's ``socialaccount_socialaccount`` row (where the table exists)."""

    id: int
    user_id: int
    provider: str
    uid: str
    extra_data: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class OldTeam:
    id: int
    leader_id: int
    title: str
    explain: bytes | None
    genre: str
    like: int
    view: int
    image: str | None
    url: bytes | None
    is_approved: bool
    is_accomplished: bool
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class OldSlot:
    id: int
    team_id: int
    tech: str
    need_num: int
    current_num: int


@dataclass(frozen=True, slots=True)
class OldTeamUser:
    id: int
    team_id: int
    user_id: int
    tech: str


@dataclass(frozen=True, slots=True)
class OldApplication:
    id: int
    team_id: int
    user_id: int
    bio: str | None
    tech: str
    is_approved: bool
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class OldLike:
    id: int
    team_id: int
    user_id: int
    created_at: datetime | None


@dataclass(slots=True)
class LegacySnapshot:
    """Everything the import reads, taken from one consistent snapshot of the old database."""

    members: list[OldMember] = field(default_factory=list)
    social_accounts: list[OldSocialAccount] = field(default_factory=list)
    techs: dict[int, bytes | None] = field(default_factory=dict)  # user_id → tech blob
    urls: dict[int, bytes | None] = field(default_factory=dict)  # user_id → url blob
    teams: list[OldTeam] = field(default_factory=list)
    slots: list[OldSlot] = field(default_factory=list)
    team_users: list[OldTeamUser] = field(default_factory=list)
    applications: list[OldApplication] = field(default_factory=list)
    likes: list[OldLike] = field(default_factory=list)
