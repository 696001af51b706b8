from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from wap.domain.applications import Application


class ApplicationRepository(Protocol):
    @abstractmethod
    async def add(self, application: Application) -> Application:
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
