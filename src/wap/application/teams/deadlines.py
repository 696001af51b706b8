"""Recruitment deadlines: after ``recruit_until`` a team takes no applications, and the job
expires what is still pending and tells the applicants."""

from __future__ import annotations

from wap.application.notices.notifier import Notifier
from wap.application.ports import Clock, UnitOfWork
from wap.application.teams.ports import ApplicationRepository, TeamRepository
from wap.domain.notifications import NoticeKind


class CloseRecruitment:
    """Idempotent, and safe when two runs overlap: each team is handled under its row lock
    (the lock accept takes too), one transaction per team."""

    def __init__(
        self,
        teams: TeamRepository,
        applications: ApplicationRepository,
        notifier: Notifier,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._teams, self._applications = teams, applications
        self._notifier, self._uow, self._clock = notifier, uow, clock

    async def __call__(self) -> int:
        now = self._clock.now()
        expired = 0
        for team_id in await self._teams.past_deadline_with_pending(now):
            team = await self._teams.get_for_update(team_id)
            if team is None or not team.is_recruitment_closed(now):
                await self._uow.commit()
                continue
            for application in await self._applications.pending_for_team(team_id):
                application.expire(now)
                await self._applications.save(application)
                await self._notifier.tell(
                    [application.member_id],
                    NoticeKind.APPLICATION_EXPIRED,
                    {"team_id": team_id, "team": team.title.value},
                )
                expired += 1
            await self._uow.commit()
        return expired
