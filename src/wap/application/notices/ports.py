from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from wap.domain.notifications import NewNotice, Notice


class NoticeRepository(Protocol):
    @abstractmethod
    async def add_many(self, notices: Sequence[NewNotice]) -> None: ...

    @abstractmethod
    async def page(
        self, member_id: int, *, unread_only: bool, before_id: int | None, limit: int
    ) -> list[Notice]:
        """Newest first."""

    @abstractmethod
    async def unread_count(self, member_id: int) -> int: ...

    @abstractmethod
    async def mark_read(self, member_id: int, ids: Sequence[int] | None, now: datetime) -> None:
        """Mark these of the member's notices read (all of them for ``None``)."""
