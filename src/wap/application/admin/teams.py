"""Officers deciding which teams open."""

from __future__ import annotations

from dataclasses import dataclass

from wap.application.admin.members import MAX_PAGE_SIZE, Batch, BatchResult, Skipped
from wap.application.admin.ports import AuditLog
from wap.application.notices.notifier import Notifier
from wap.application.ports import Clock, UnitOfWork
from wap.application.teams.ports import TeamRepository
from wap.application.teams.read_models import AdminTeamPage
from wap.application.teams.reader import AdminTeamField, AdminTeamQuery, TeamReader
from wap.domain.audit import AuditAction, AuditEntry, AuditTarget
from wap.domain.errors import InvalidValue, TeamNotFound, TeamNotPending, WapError
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


class _TeamBatch:
    notice: NoticeKind

    def __init__(
        self,
        teams: TeamRepository,
        audit: AuditLog,
        notifier: Notifier,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._teams, self._audit, self._uow, self._clock = teams, audit, uow, clock
        self._notifier = notifier

    async def _decide(self, team: Team) -> AuditAction:
        raise NotImplementedError

    async def __call__(self, batch: Batch) -> BatchResult:
        batch.actor.ensure_officer()
        done: list[int] = []
        skipped: list[Skipped] = []
        now = self._clock.now()
        # One order for everyone (ascending ids): two officers' batches cannot deadlock.
        for team_id in sorted(set(batch.ids)):
            team = await self._teams.get_for_update(team_id)
            try:
                if team is None:
                    raise TeamNotFound()
                if team.status is not TeamStatus.PENDING:
                    raise TeamNotPending()
                action = await self._decide(team)
                await self._notifier.tell(
                    [team.leader_id],
                    self.notice,
                    {"team_id": team_id, "team": team.title.value},
                    actor_id=batch.actor.member_id,
                )
            except WapError as refused:
                skipped.append(Skipped(team_id, refused.code))
                continue
            await self._audit.add(
                AuditEntry(
                    actor_id=batch.actor.member_id,
                    action=action,
                    target_type=AuditTarget.TEAM,
                    target_id=team_id,
                    created_at=now,
                    detail={"title": team.title.value, "leader_id": team.leader_id},
                )
            )
            done.append(team_id)
        await self._uow.commit()
        return BatchResult(done, skipped)


class ApproveTeams(_TeamBatch):
    """A pending team starts recruiting and becomes visible to everyone."""

    notice = NoticeKind.TEAM_APPROVED

    async def _decide(self, team: Team) -> AuditAction:
        team.approve(self._clock.now())
        await self._teams.save(team)
        return AuditAction.TEAM_APPROVED


class RejectTeams(_TeamBatch):
    """A rejected pending team is deleted."""

    notice = NoticeKind.TEAM_REJECTED

    async def _decide(self, team: Team) -> AuditAction:
        assert team.id is not None
        await self._teams.delete(team.id)
        return AuditAction.TEAM_REJECTED
