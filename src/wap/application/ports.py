"""Ports every feature shares."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol


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
