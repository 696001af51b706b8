from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol


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
