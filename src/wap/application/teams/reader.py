"""The read side of teams: lists and pages built in a constant number of queries."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
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
from wap.domain.applications import ApplicationStatus
from wap.domain.catalog import Category, Genre
from wap.domain.teams import TeamStatus
from wap.domain.terms import Term


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
