"""Reading teams: the board, a team's page, its people, a member's teams, likes."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from wap.application.cursors import decode_cursor
from wap.application.errors import Unavailable
from wap.application.members.ports import MemberRepository
from wap.application.ports import Clock, ReadCache, UnitOfWork
from wap.application.teams.lookups import load_team
from wap.application.teams.ports import (
    LikeRepository,
    TeamDetailReader,
    TeamFilter,
    TeamReader,
    TeamRepository,
)
from wap.application.teams.read_models import (
    LikeState,
    TeamDetail,
    TeamMemberView,
    TeamPage,
    TeamSummary,
)
from wap.application.views.counting import count_view
from wap.application.views.ports import ViewedPageCache, ViewLedger
from wap.domain.catalog import Category, Genre
from wap.domain.errors import InvalidValue, MemberNotFound, TeamNotFound
from wap.domain.likes import ensure_can_like
from wap.domain.members import Actor
from wap.domain.teams import TeamStatus, counts_views, team_visible
from wap.domain.terms import Term
from wap.domain.views import Viewer, view_day

MAX_LIMIT = 50


@dataclass(frozen=True, slots=True)
class BoardQuery:
    actor: Actor | None = None
    status: TeamStatus = TeamStatus.RECRUITING
    term: str | None = None
    genre: Genre | None = None
    category: Category | None = None
    q: str | None = None
    cursor: str | None = None
    limit: int = 20


class ListTeams:
    def __init__(self, reader: TeamReader, ledger: ViewLedger, clock: Clock) -> None:
        self._reader, self._ledger, self._clock = reader, ledger, clock

    async def __call__(self, query: BoardQuery) -> TeamPage:
        if query.status is TeamStatus.PENDING:
            raise InvalidValue(field="status")
        if not 1 <= query.limit <= MAX_LIMIT:
            raise InvalidValue(field="limit")
        term = Term.parse(query.term) if query.term else Term.at(self._clock.now())
        page = await self._reader.page(
            TeamFilter(
                status=query.status,
                term=term,
                genre=query.genre,
                category=query.category,
                text=(query.q or "").strip() or None,
                after_id=decode_cursor(query.cursor) if query.cursor else None,
                limit=query.limit,
            ),
            query.actor.member_id if query.actor else None,
        )
        return TeamPage(await with_pending(self._ledger, page.items), page.next_cursor)


@dataclass(frozen=True, slots=True)
class TeamQuery:
    team_id: int
    actor: Actor | None = None
    viewer: Viewer | None = None  # who counts as having viewed it (member, else client IP)


class GetTeamDetail:
    """A team's page, read through the cache. Reading it counts a view (once per viewer per
    KST day) and the answer includes that view. A pending team is ``team.not_found`` to all
    but its leader and officers, and counts no views."""

    def __init__(
        self,
        pages: TeamDetailReader,
        likes: LikeRepository,
        cache: ReadCache,
        viewed: ViewedPageCache,
        ledger: ViewLedger,
        clock: Clock,
    ) -> None:
        self._pages, self._likes = pages, likes
        self._cache, self._viewed = cache, viewed
        self._ledger, self._clock = ledger, clock

    async def __call__(self, query: TeamQuery) -> TeamDetail:
        # The caller's like first: a request that fails on it has counted no view.
        liked = query.actor is not None and await self._likes.has_liked(
            query.team_id, query.actor.member_id
        )
        today = view_day(self._clock.now())
        # The one place that decides which pages count views: only a team that counts them
        # is kept in the cache, so a hit counts. Such a team is visible to everyone, so
        # counting before the visibility check below counts nothing for a caller who then
        # gets team.not_found.
        hit = await self._viewed.team_viewed(query.team_id, query.viewer, today)
        if hit is not None:
            detail, pending = hit.detail, hit.pending
        else:
            found = await self._pages.detail(query.team_id)
            if found is None:
                raise TeamNotFound()
            detail, pending = found, 0
            if counts_views(TeamStatus(detail.status)):
                await self._cache.keep_team(found)
                pending = await count_view(self._ledger, query.team_id, query.viewer, today)
        if not team_visible(TeamStatus(detail.status), detail.leader_id, query.actor):
            raise TeamNotFound()
        return msgspec.structs.replace(detail, liked=liked, view_count=detail.view_count + pending)


async def with_pending(ledger: ViewLedger, items: list[TeamSummary]) -> list[TeamSummary]:
    """Stored counts plus what is waiting for the next flush."""
    try:
        pending = await ledger.pending([t.id for t in items])
    except Unavailable:
        return items
    return [
        msgspec.structs.replace(t, view_count=t.view_count + pending[t.id])
        if t.id in pending
        else t
        for t in items
    ]


class ListTeamMembers:
    def __init__(self, teams: TeamRepository, reader: TeamReader) -> None:
        self._teams, self._reader = teams, reader

    async def __call__(self, query: TeamQuery) -> list[TeamMemberView]:
        team = await load_team(self._teams, query.team_id)
        team.ensure_visible_to(query.actor)
        return await self._reader.members(query.team_id)


@dataclass(frozen=True, slots=True)
class MemberTeamsQuery:
    member_id: int
    status: TeamStatus | None = None
    actor: Actor | None = None


class ListMemberTeams:
    """The public teams a member is in (leader or member). Pending teams stay hidden."""

    def __init__(self, members: MemberRepository, reader: TeamReader, ledger: ViewLedger) -> None:
        self._members, self._reader, self._ledger = members, reader, ledger

    async def __call__(self, query: MemberTeamsQuery) -> list[TeamSummary]:
        if query.status is TeamStatus.PENDING:
            raise InvalidValue(field="status")
        member = await self._members.get(query.member_id)
        if member is None:
            raise MemberNotFound()
        member.ensure_visible_to(query.actor)
        actor = query.actor
        found = await self._reader.teams_of_member(
            query.member_id, query.status, actor.member_id if actor else None
        )
        # Public: what a visitor who is no one may see (team_visible), whoever is asking.
        public = [t for t in found if team_visible(TeamStatus(t.status), t.leader.id, None)]
        return await with_pending(self._ledger, public)


class ListOwnTeams:
    """The actor's own teams for "내 팀": the public ones, and the pending ones they lead
    (which only they and officers may see), each with its state."""

    def __init__(self, reader: TeamReader, ledger: ViewLedger) -> None:
        self._reader, self._ledger = reader, ledger

    async def __call__(self, actor: Actor) -> list[TeamSummary]:
        found = await self._reader.teams_of_member(actor.member_id, None, actor.member_id)
        own = [t for t in found if team_visible(TeamStatus(t.status), t.leader.id, actor)]
        return await with_pending(self._ledger, own)


class ListLikedTeams:
    def __init__(self, reader: TeamReader, ledger: ViewLedger) -> None:
        self._reader, self._ledger = reader, ledger

    async def __call__(self, actor: Actor) -> list[TeamSummary]:
        actor.ensure_approved()
        return await with_pending(self._ledger, await self._reader.liked_by(actor.member_id))


@dataclass(frozen=True, slots=True)
class LikeCommand:
    actor: Actor
    team_id: int
    like: bool


class SetLike:
    """PUT likes, DELETE unlikes; both idempotent, ``like_count`` moving with the rows."""

    def __init__(
        self, teams: TeamRepository, likes: LikeRepository, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._teams, self._likes, self._uow, self._clock = teams, likes, uow, clock

    async def __call__(self, command: LikeCommand) -> LikeState:
        team = await load_team(self._teams, command.team_id)
        team.ensure_visible_to(command.actor)
        ensure_can_like(team, command.actor)
        if command.like:
            await self._likes.like(command.team_id, command.actor.member_id, self._clock.now())
        else:
            await self._likes.unlike(command.team_id, command.actor.member_id)
        count = await self._likes.count(command.team_id)
        await self._uow.commit()
        return LikeState(liked=command.like, like_count=count)
