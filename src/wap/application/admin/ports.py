from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from wap.domain.audit import AuditEntry


class AuditLog(Protocol):
    """Officer actions, written in the same transaction as the action."""

    @abstractmethod
    async def add(self, entry: AuditEntry) -> None: ...

    @abstractmethod
    async def page(self, page: int, page_size: int) -> tuple[list[AuditEntry], int]:
        """Newest first, and how many entries there are in all."""
