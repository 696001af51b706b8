"""The read-through cache of team pages and profiles."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from wap.application.members.read_models import PublicProfile
from wap.application.teams.read_models import TeamDetail
from wap.domain.views import Viewer

TEAM_SECONDS = 600
PROFILE_SECONDS = 300


class ReadCache(Protocol):
    """Never raises: a cache that cannot be reached is a cache that misses."""

    @abstractmethod
    async def team(self, team_id: int) -> TeamDetail | None: ...

    @abstractmethod
    async def keep_team(self, detail: TeamDetail) -> None:
        """Keep the page of a team that counts views; the cache holds no other, so that
        reading a page from it (``ViewedPageCache``) counts a view without asking."""

    @abstractmethod
    async def profile(self, member_id: int) -> PublicProfile | None: ...

    @abstractmethod
    async def keep_profile(self, profile: PublicProfile) -> None: ...

    @abstractmethod
    async def forget(self, teams: Iterable[int] = (), members: Iterable[int] = ()) -> None: ...


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
