"""Ports every feature shares."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from wap.application.members.read_models import PublicProfile
from wap.application.teams.read_models import TeamDetail


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


# Live updates (Server-Sent Events): what changed, pushed to the pages that show it.
LiveEvent = Mapping[str, Any]
"""A small JSON object with a ``type``; never a secret (it goes to every subscriber)."""


class LiveEvents(Protocol):
    """Publishes after a commit. Never raises: a live update that cannot be sent is a page
    that shows the change on its next load, not a failed action."""

    @abstractmethod
    async def publish(self, channel: str, event: LiveEvent) -> None: ...


class LiveSubscription(Protocol):
    @abstractmethod
    async def next(self) -> LiveEvent:
        """The next event on the subscribed channels, waiting for one; safe to cancel (a
        timeout loses nothing). Too many unread events become one ``{"type": "reload"}``."""


class LiveFeed(Protocol):
    """What the events of this and every other process reach, per subscriber."""

    @abstractmethod
    def subscribe(
        self, channels: Sequence[str]
    ) -> AbstractAsyncContextManager[LiveSubscription]: ...
