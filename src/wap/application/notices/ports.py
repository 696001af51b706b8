from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from wap.domain.notifications import NewNotice, Notice, NoticeKind


class NoticeRepository(Protocol):
    @abstractmethod
    async def add_many(self, notices: Sequence[NewNotice]) -> None: ...

    @abstractmethod
    async def page(
        self, member_id: int, *, unread_only: bool, before_id: int | None, limit: int
    ) -> list[Notice]:
        """Newest first."""

    @abstractmethod
    async def unread_of_kind(self, member_id: int, kind: NoticeKind) -> list[Notice]:
        """The member's unread notices of this kind, newest first."""

    @abstractmethod
    async def get(self, member_id: int, notice_id: int) -> Notice | None:
        """One of the member's notices (``None`` for another member's)."""

    @abstractmethod
    async def unread_count(self, member_id: int) -> int: ...

    @abstractmethod
    async def mark_read(self, member_id: int, ids: Sequence[int] | None, now: datetime) -> None:
        """Mark these of the member's notices read (all of them for ``None``)."""
