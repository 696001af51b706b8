"""The read-through cache of team pages and profiles."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from wap.application.members.read_models import PublicProfile
from wap.application.teams.read_models import TeamDetail

TEAM_SECONDS = 600
PROFILE_SECONDS = 300


class ReadCache(Protocol):
    """Never raises: a cache that cannot be reached is a cache that misses."""

    @abstractmethod
    async def team(self, team_id: int) -> TeamDetail | None: ...

    @abstractmethod
    async def keep_team(self, detail: TeamDetail) -> None: ...

    @abstractmethod
    async def profile(self, member_id: int) -> PublicProfile | None: ...

    @abstractmethod
    async def keep_profile(self, profile: PublicProfile) -> None: ...

    @abstractmethod
    async def forget(self, teams: Iterable[int] = (), members: Iterable[int] = ()) -> None: ...


@dataclass(slots=True)
class Touched:
    """What a unit of work changed; its cache entries go when it commits."""

    teams: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.teams or self.members)

    def clear(self) -> None:
        self.teams.clear()
        self.members.clear()
