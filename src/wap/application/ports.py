"""Ports every feature shares."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from wap.application.members.read_models import PublicProfile
from wap.application.teams.read_models import TeamDetail


class Clock(Protocol):
    @abstractmethod
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""


class UnitOfWork(Protocol):
    """The transaction of one use case. A use case commits once, explicitly.

    Leaving a request without ``commit`` rolls everything back, so an error raised half-way
    leaves nothing half-written.
    """

    @abstractmethod
    async def commit(self) -> None: ...

    @abstractmethod
    async def rollback(self) -> None: ...


class ReadCache(Protocol):
    """Never raises: a cache that cannot be reached is a cache that misses."""

    @abstractmethod
    async def team(self, team_id: int) -> TeamDetail | None: ...

    @abstractmethod
    async def keep_team(self, detail: TeamDetail) -> None:
        """Keep the page of a team that counts views; the cache holds no other, so that
        reading a page from it (``ViewedPageCache``) counts a view without asking."""

    @abstractmethod
    async def profile(self, member_id: int) -> PublicProfile | None: ...

    @abstractmethod
    async def keep_profile(self, profile: PublicProfile) -> None: ...

    @abstractmethod
    async def forget(self, teams: Iterable[int] = (), members: Iterable[int] = ()) -> None: ...
