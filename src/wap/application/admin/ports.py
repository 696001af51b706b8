from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator, Sequence
from enum import StrEnum
from typing import Protocol

from wap.domain.audit import AuditEntry, NewAuditEntry
from wap.domain.terms import Term


class AuditLog(Protocol):
    """Officer actions, written in the same transaction as the action."""

    @abstractmethod
    async def add(self, entry: NewAuditEntry) -> None: ...

    @abstractmethod
    async def page(self, page: int, page_size: int) -> tuple[list[AuditEntry], int]:
        """Newest first, and how many entries there are in all."""


class ExportKind(StrEnum):
    MEMBERS = "members"
    TEAMS = "teams"
    APPLICATIONS = "applications"


class ExportReader(Protocol):
    @abstractmethod
    def rows(self, kind: ExportKind, term: Term | None) -> AsyncIterator[Sequence[object]]:
        """The header, then one row per entity, read from the database as they are sent."""
