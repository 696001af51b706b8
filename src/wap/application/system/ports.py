from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class DependencyProbe(Protocol):
    """Something the service needs to answer requests: the database, Redis."""

    name: str

    @abstractmethod
    async def ping(self) -> bool:
        """True when it answers. Never raises."""
