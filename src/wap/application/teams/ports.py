"""The teams' ports: teams, applications, likes, and the read side of lists and pages."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from wap.application.teams.read_models import (
    AdminTeamPage,
    ApplicationView,
    MyApplicationView,
    TeamDetail,
    TeamMemberView,
    TeamPage,
    TeamSummary,
)
from wap.domain.applications import Application, ApplicationStatus, NewApplication
from wap.domain.catalog import Category, Genre
from wap.domain.teams import NewTeam, Team, TeamMember, TeamStatus
from wap.domain.terms import Term


class TeamRepository(Protocol):
    """Teams with their slots, and the people in them."""

    @abstractmethod
    async def add(self, team: NewTeam) -> Team:
        """Store a new team, its slots and its leader; return it with its id.

        Raises ``TitleTaken`` when another team holds the title (compared case-insensitively).
        """

    @abstractmethod
    async def get(self, team_id: int) -> Team | None: ...

    @abstractmethod
    async def get_for_update(self, team_id: int) -> Team | None:
        """Read a team and hold it until the unit of work ends."""

    @abstractmethod
    async def save(self, team: Team) -> None:
        """Write back the team's fields and its set of slots (not the ``filled`` counts)."""

    @abstractmethod
    async def delete(self, team_id: int) -> None: ...

    @abstractmethod
    async def past_deadline_with_pending(self, now: datetime) -> list[int]:
        """Recruiting teams whose ``recruit_until`` has passed and that still have pending
        applications."""

    @abstractmethod
    async def title_owner(self, title_key: str) -> int | None: ...

    @abstractmethod
    async def members(self, team_id: int) -> list[TeamMember]:
        """The leader first, then members in the order they joined."""

    @abstractmethod
    async def memberships_of(self, member_id: int) -> list[TeamMember]:
        """Every team the member is in, as leader or member."""

    @abstractmethod
    async def pending_applications_to(self, member_id: int) -> list[int]:
        """The teams the member has a pending application to."""

    @abstractmethod
    async def save_members(self, members: list[TeamMember]) -> None:
        """Write back the role and slot of team members (a leadership hand-over)."""

    @abstractmethod
    async def take_place(
        self, team_id: int, member_id: int, category: Category, joined_at: datetime
    ) -> bool:
        """Add a member to a slot if it has room, atomically; ``False`` when it is full."""

    @abstractmethod
    async def free_place(self, team_id: int, member_id: int) -> bool:
        """Remove a (non-leader) member and free their place; ``False`` if not a member."""


class ApplicationRepository(Protocol):
    @abstractmethod
    async def add(self, application: NewApplication) -> Application:
        """Store a pending application. Raises ``DuplicateApplication`` when the member already
        has one pending for the team (the database decides, so concurrent tries leave one)."""

    @abstractmethod
    async def get(self, application_id: int) -> Application | None: ...

    @abstractmethod
    async def get_for_update(self, application_id: int) -> Application | None:
        """Lock the application. Lock its team first: writing an application checks the
        team's row (foreign key), so team-then-application is the one order that cannot
        deadlock."""

    @abstractmethod
    async def save(self, application: Application) -> None:
        """Write back the status and decision time."""

    @abstractmethod
    async def pending_for_team(self, team_id: int) -> list[Application]:
        """The team's pending applications, locked (lock the team first)."""

    @abstractmethod
    async def has_pending(self, team_id: int, member_id: int) -> bool: ...


class LikeRepository(Protocol):
    """Likes, with each team's ``like_count`` kept equal to its number of likes."""

    @abstractmethod
    async def like(self, team_id: int, member_id: int, now: datetime) -> bool:
        """Idempotent; ``True`` if this call added the like."""

    @abstractmethod
    async def unlike(self, team_id: int, member_id: int) -> bool:
        """Idempotent; ``True`` if this call removed the like."""

    @abstractmethod
    async def has_liked(self, team_id: int, member_id: int) -> bool: ...

    @abstractmethod
    async def count(self, team_id: int) -> int:
        """The team's ``like_count`` as this transaction sees it."""

    @abstractmethod
    async def remove_all_by(self, member_id: int) -> None:
        """Remove every like of a member (expulsion), counts following."""


@dataclass(frozen=True, slots=True)
class TeamFilter:
    status: TeamStatus = TeamStatus.RECRUITING
    term: Term | None = None
    genre: Genre | None = None
    category: Category | None = None
    text: str | None = None
    after_id: int | None = None  # the cursor: teams older than this one
    limit: int = 20


class AdminTeamField(StrEnum):
    TITLE = "title"
    GENRE = "genre"
    LEADER = "leader"


@dataclass(frozen=True, slots=True)
class AdminTeamQuery:
    status: TeamStatus = TeamStatus.PENDING
    term: Term | None = None
    text: str | None = None
    field: AdminTeamField = AdminTeamField.TITLE
    page: int = 1
    page_size: int = 20


class TeamDetailReader(Protocol):
    @abstractmethod
    async def detail(self, team_id: int) -> TeamDetail | None:
        """A team's page as stored (leader and slots included; nothing about the caller)."""


class TeamReader(Protocol):
    @abstractmethod
    async def page(self, query: TeamFilter, viewer_id: int | None) -> TeamPage:
        """Newest first; ``liked`` for the viewer decided in one query for the whole page."""

    @abstractmethod
    async def teams_of_member(
        self, member_id: int, status: TeamStatus | None, viewer_id: int | None
    ) -> list[TeamSummary]: ...

    @abstractmethod
    async def liked_by(self, member_id: int) -> list[TeamSummary]: ...

    @abstractmethod
    async def members(self, team_id: int) -> list[TeamMemberView]:
        """The leader first, then members in the order they joined."""

    @abstractmethod
    async def applications_to(
        self, team_id: int, status: ApplicationStatus | None
    ) -> list[ApplicationView]: ...

    @abstractmethod
    async def applications_of(
        self, member_id: int, status: ApplicationStatus | None
    ) -> list[MyApplicationView]: ...

    @abstractmethod
    async def admin_page(self, query: AdminTeamQuery) -> AdminTeamPage: ...
