from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from wap.domain.catalog import Category
from wap.domain.teams import Team, TeamMember


class TeamRepository(Protocol):
    """Teams with their slots, and the people in them."""

    @abstractmethod
    async def add(self, team: Team) -> Team:
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
