from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from wap.application.teams.read_models import TeamDetail
from wap.domain.views import Viewer


class ViewLedger(Protocol):
    """Deduplicated views and the counts not yet flushed to the database.

    A view is new when the viewer is added to the team's set for the day (``SADD`` → 1);
    only new views go to the pending counter. Pending counts are claimed under a batch id,
    applied to the database, then released, so that a crash at any step loses nothing and
    applies nothing twice.
    """

    @abstractmethod
    async def pending(self, team_ids: Sequence[int]) -> dict[int, int]:
        """Counts recorded but not yet in the database (claimed ones included)."""

    @abstractmethod
    async def record_and_count(self, team_id: int, viewer: Viewer, day: date) -> int:
        """Count the view if it is the viewer's first of the day for this team, then give
        ``pending`` of that team, in one step (one round trip): the team page's hot path."""

    @abstractmethod
    async def claim(self, batch_id: str) -> dict[int, int]:
        """Move every pending count, atomically, under ``batch_id``; empty if none."""

    @abstractmethod
    async def claims(self) -> dict[str, dict[int, int]]:
        """Batches claimed and not yet released: a flush that died left them."""

    @abstractmethod
    async def release(self, batch_id: str) -> None:
        """Forget a batch the database has applied."""

    @abstractmethod
    async def forget_days_before(self, day: date) -> int:
        """Drop the viewer sets of earlier days; returns how many went."""


class ViewCounts(Protocol):
    """The database side of the flush."""

    @abstractmethod
    async def apply(self, batch_id: str, counts: Mapping[int, int]) -> bool:
        """Add the counts to ``teams.view_count`` and record the batch, in one transaction.

        ``False`` (and nothing changed) when the batch was applied before."""


@dataclass(frozen=True, slots=True)
class ViewedPage:
    detail: TeamDetail  # as cached: nothing about the caller, the stored view count
    pending: int  # the team's views not yet flushed, this one's included


class ViewedPageCache(Protocol):
    """A cached team page read together with the view that reading it counts: the team
    page's hot path, in one round trip where the store allows it."""

    @abstractmethod
    async def team_viewed(
        self, team_id: int, viewer: Viewer | None, day: date
    ) -> ViewedPage | None:
        """``None`` on a miss, and nothing is counted. On a hit (a page kept by
        ``ReadCache.keep_team``: a team that counts views) it records the viewer's view as
        ``count_view`` does and gives the team's pending count. Never raises: a store that
        cannot be reached misses, and a ledger that cannot be reached counts nothing."""
