from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class RateLimiter(Protocol):
    """Counts hits per key in fixed windows; kept in Redis when configured, so that the
    limit holds across processes."""

    @abstractmethod
    async def hit(self, key: str, limit: int, per_seconds: int) -> bool:
        """Count one hit; ``False`` when the key is over its limit in this window."""
