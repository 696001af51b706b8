"""Officers deciding which teams open."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from wap.application.admin.batch import Decided, OfficerBatch
from wap.application.admin.members import MAX_PAGE_SIZE
from wap.application.admin.ports import AuditLog
from wap.application.media.ports import ImageStore
from wap.application.notices.notifier import Notifier
from wap.application.ports import Clock, UnitOfWork
from wap.application.teams.ports import AdminTeamField, AdminTeamQuery, TeamReader, TeamRepository
from wap.application.teams.read_models import AdminTeamPage
from wap.domain.audit import AuditAction
from wap.domain.errors import InvalidValue, TeamNotFound
from wap.domain.members import Actor
from wap.domain.notifications import NoticeKind
from wap.domain.teams import Team, TeamStatus
from wap.domain.terms import Term


@dataclass(frozen=True, slots=True)
class AdminTeamListQuery:
    actor: Actor
    status: TeamStatus = TeamStatus.PENDING
    term: str | None = None
    q: str | None = None
    field: AdminTeamField = AdminTeamField.TITLE
    page: int = 1
    page_size: int = 20


class ListAdminTeams:
    def __init__(self, reader: TeamReader) -> None:
        self._reader = reader

    async def __call__(self, query: AdminTeamListQuery) -> AdminTeamPage:
        query.actor.ensure_officer()
        if query.page < 1 or not 1 <= query.page_size <= MAX_PAGE_SIZE:
            raise InvalidValue(field="page")
        return await self._reader.admin_page(
            AdminTeamQuery(
                status=query.status,
                term=Term.parse(query.term) if query.term else None,
                text=(query.q or "").strip() or None,
                field=query.field,
                page=query.page,
                page_size=query.page_size,
            )
        )


class _TeamBatch(OfficerBatch[Team]):
    """Officers decide only pending teams; the leader hears of the decision."""

    missing = TeamNotFound
    notice: NoticeKind

    def __init__(
        self,
        teams: TeamRepository,
        audit: AuditLog,
        notifier: Notifier,
        uow: UnitOfWork,
        clock: Clock,
        images: ImageStore,
    ) -> None:
        self._teams, self._audit, self._uow, self._clock = teams, audit, uow, clock
        self._notifier = notifier
        self._images = images
        self._unreferenced: list[str | None] = []

    async def _after_commit(self) -> None:
        for url in self._unreferenced:
            await self._images.delete(url)
        self._unreferenced.clear()

    async def _lock(self, target_id: int) -> Team | None:
        return await self._teams.get_for_update(target_id)

    async def _decide(self, team_id: int, team: Team, actor: Actor, now: datetime) -> Decided:
        team.ensure_pending()
        action, carry_out = self._decision(team_id, team, now)

        async def write() -> None:
            await carry_out()
            await self._notifier.tell(
                [team.leader_id],
                self.notice,
                {"team_id": team_id, "team": team.title.value},
                actor_id=actor.member_id,
            )

        return Decided(action, write)

    @abstractmethod
    def _decision(
        self, team_id: int, team: Team, now: datetime
    ) -> tuple[AuditAction, Callable[[], Awaitable[None]]]:
        """The domain's step on the team (nothing written) and the write that keeps it."""


class ApproveTeams(_TeamBatch):
    """A pending team starts recruiting and becomes visible to everyone."""

    notice = NoticeKind.TEAM_APPROVED

    def _decision(
        self, team_id: int, team: Team, now: datetime
    ) -> tuple[AuditAction, Callable[[], Awaitable[None]]]:
        team.approve(now)
        return AuditAction.TEAM_APPROVED, lambda: self._teams.save(team)


class RejectTeams(_TeamBatch):
    """A rejected pending team is deleted."""

    notice = NoticeKind.TEAM_REJECTED

    def _decision(
        self, team_id: int, team: Team, now: datetime
    ) -> tuple[AuditAction, Callable[[], Awaitable[None]]]:
        async def delete() -> None:
            await self._teams.delete(team_id)
            self._unreferenced += [team.image_url, team.image_thumbnail_url]

        return AuditAction.TEAM_REJECTED, delete
