"""Live updates: after a commit, the changed teams' slot counts and the changed inboxes'
unread counts go to the pages that show them (``LiveEvents``), and a page that starts to
listen gets the current state first (``WatchTeam``, ``WatchInbox``).

Published only after the commit (``SqlUnitOfWork.commit`` calls ``LiveUpdates.announce``):
a rolled-back action sends nothing. Events carry counts, never who applied or why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wap.application.errors import AuthRequired
from wap.application.notices.ports import NoticeRepository
from wap.application.ports import LiveEvent, LiveEvents, UnitOfWork
from wap.application.teams.ports import TeamDetailReader
from wap.application.teams.read_models import TeamDetail
from wap.domain.errors import TeamNotFound
from wap.domain.members import Actor
from wap.domain.teams import TeamStatus, team_visible

RELOAD: LiveEvent = {"type": "reload"}


def team_channel(team_id: int) -> str:
    return f"team:{team_id}"


def member_channel(member_id: int) -> str:
    return f"member:{member_id}"


def slots_event(detail: TeamDetail) -> LiveEvent:
    return {
        "type": "slots",
        "team_id": detail.id,
        "status": detail.status,
        "slots": [
            {"category": s.category, "filled": s.filled, "capacity": s.capacity}
            for s in detail.slots
        ],
    }


def gone_event(team_id: int) -> LiveEvent:
    return {"type": "gone", "team_id": team_id}


def inbox_event(unread: int) -> LiveEvent:
    return {"type": "inbox", "unread": unread}


class LiveUpdates:
    """Reads what a committed unit of work changed and publishes it."""

    def __init__(
        self, pages: TeamDetailReader, notices: NoticeRepository, events: LiveEvents
    ) -> None:
        self._pages, self._notices, self._events = pages, notices, events

    async def announce(self, teams: Iterable[int], inboxes: Iterable[int]) -> None:
        for team_id in sorted(set(teams)):
            detail = await self._pages.detail(team_id)
            event = gone_event(team_id) if detail is None else slots_event(detail)
            await self._events.publish(team_channel(team_id), event)
        for member_id in sorted(set(inboxes)):
            unread = await self._notices.unread_count(member_id)
            await self._events.publish(member_channel(member_id), inbox_event(unread))


@dataclass(frozen=True, slots=True)
class WatchQuery:
    team_id: int
    actor: Actor | None


class WatchTeam:
    """A team page's live state: its slots now. Counts no view; a team the caller may not
    see is ``team.not_found``. Ends the read's transaction: a live stream holds no database
    connection while it waits."""

    def __init__(self, pages: TeamDetailReader, uow: UnitOfWork) -> None:
        self._pages, self._uow = pages, uow

    async def __call__(self, query: WatchQuery) -> LiveEvent:
        try:
            detail = await self._pages.detail(query.team_id)
        finally:
            await self._uow.rollback()
        if detail is None or not team_visible(
            TeamStatus(detail.status), detail.leader_id, query.actor
        ):
            raise TeamNotFound()
        return slots_event(detail)


class WatchInbox:
    """The signed-in member's unread count, for the badge; nobody else's."""

    def __init__(self, notices: NoticeRepository, uow: UnitOfWork) -> None:
        self._notices, self._uow = notices, uow

    async def __call__(self, actor: Actor | None) -> LiveEvent:
        if actor is None:
            raise AuthRequired()
        try:
            return inbox_event(await self._notices.unread_count(actor.member_id))
        finally:
            await self._uow.rollback()
