from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
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


@dataclass(frozen=True, slots=True)
class WeekCounts:
    """The raw counts of a term, as the store groups them (no zero rows, codes not words)."""

    # (position, placed) → approved members; placed = in a recruiting or completed team
    members: dict[tuple[str, bool], int]
    open_slots: dict[str, int]  # category → free places of teams still taking applications
    applications: dict[date, int]  # KST day → applications made that day (since ``since``)
    teams: dict[str, int]  # status, or "closed" for a recruiting team past its deadline → teams


class ClubStatistics(Protocol):
    """The officer console's numbers, counted by the store (GROUP BY), never row by row."""

    @abstractmethod
    async def week(self, term: Term, now: datetime, since: datetime) -> WeekCounts:
        """The counts of ``term`` at ``now``; applications made at or after ``since``."""
