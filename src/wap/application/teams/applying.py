"""Applying to a team, and the leader's decision."""

from __future__ import annotations

from dataclasses import dataclass

from wap.application.members.ports import MemberRepository
from wap.application.members.read_models import MemberSummary
from wap.application.notices.notifier import Notifier
from wap.application.ports import Clock, UnitOfWork
from wap.application.teams.lookups import load_team
from wap.application.teams.ports import ApplicationRepository, TeamReader, TeamRepository
from wap.application.teams.read_models import ApplicationView, MyApplicationView, TeamBrief
from wap.domain.applications import Application, ApplicationStatus, NewApplication, check_can_apply
from wap.domain.errors import ApplicationNotFound, SlotFull
from wap.domain.members import Actor
from wap.domain.notifications import NoticeKind
from wap.domain.teams import Team


@dataclass(frozen=True, slots=True)
class ApplyCommand:
    actor: Actor
    team_id: int
    category: str
    message: str | None = None


class Apply:
    def __init__(
        self,
        teams: TeamRepository,
        applications: ApplicationRepository,
        members: MemberRepository,
        notifier: Notifier,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._teams, self._applications, self._members = teams, applications, members
        self._notifier, self._uow, self._clock = notifier, uow, clock

    async def __call__(self, command: ApplyCommand) -> MyApplicationView:
        actor, now = command.actor, self._clock.now()
        # The domain decides, in its order, from what the stores say.
        found = await self._teams.get(command.team_id)
        people = await self._teams.members(command.team_id) if found is not None else []
        eligible = check_can_apply(
            found,
            actor,
            command.category,
            message=command.message,
            is_member=any(p.member_id == actor.member_id for p in people),
            has_pending=await self._applications.has_pending(command.team_id, actor.member_id),
            now=now,
        )
        team, category = eligible.team, eligible.category
        application = await self._applications.add(
            NewApplication.submit(
                team_id=command.team_id,
                member_id=actor.member_id,
                category=category,
                message=eligible.message,
                now=now,
            )
        )
        applicant = await self._members.get(actor.member_id)
        # A withdraw and a re-apply to the same place tell the leader once, not twice.
        await self._notifier.tell_once(
            team.leader_id,
            NoticeKind.APPLICATION_RECEIVED,
            {
                "team_id": team.id,
                "team": team.title.value,
                "application_id": application.id,
                "category": category.value,
                "applicant_id": actor.member_id,
                "applicant": applicant.name.value if applicant and applicant.name else "",
            },
            same=("team_id", "applicant_id", "category"),
            actor_id=actor.member_id,
        )
        await self._uow.commit()
        return _mine(application, team)


def _mine(application: Application, team: Team) -> MyApplicationView:
    return MyApplicationView(
        id=application.id,
        team=TeamBrief(team.id, team.title.value, team.status.value, team.genre.value),
        category=application.category.value,
        message=application.message.value,
        status=application.status.value,
        created_at=application.created_at,
        decided_at=application.decided_at,
    )


@dataclass(frozen=True, slots=True)
class Decision:
    actor: Actor
    team_id: int
    application_id: int


_NOTICE = {
    ApplicationStatus.ACCEPTED: NoticeKind.APPLICATION_ACCEPTED,
    ApplicationStatus.REJECTED: NoticeKind.APPLICATION_REJECTED,
}


class _Decide:
    def __init__(
        self,
        teams: TeamRepository,
        applications: ApplicationRepository,
        members: MemberRepository,
        notifier: Notifier,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._teams, self._applications, self._members = teams, applications, members
        self._notifier, self._uow, self._clock = notifier, uow, clock

    async def _load(self, decision: Decision) -> tuple[Application, Team]:
        # Lock order, everywhere: team, then application, then slot. Deleting a team takes
        # the team and then (by cascade) its applications, so the same order cannot deadlock.
        team = await load_team(self._teams, decision.team_id, lock=True)
        team.ensure_leader(decision.actor)
        application = await self._applications.get_for_update(decision.application_id)
        if application is None or application.team_id != decision.team_id:
            raise ApplicationNotFound()
        return application, team

    async def _finish(
        self, decision: Decision, application: Application, team: Team
    ) -> ApplicationView:
        await self._applications.save(application)
        await self._notifier.tell(
            [application.member_id],
            _NOTICE[application.status],
            {"team_id": team.id, "team": team.title.value},
            actor_id=decision.actor.member_id,
        )
        await self._uow.commit()
        applicant = await self._members.get(application.member_id)
        return ApplicationView(
            id=application.id,
            team_id=application.team_id,
            applicant=MemberSummary.of(applicant) if applicant else _gone(application.member_id),
            category=application.category.value,
            message=application.message.value,
            status=application.status.value,
            created_at=application.created_at,
            decided_at=application.decided_at,
        )


def _gone(member_id: int) -> MemberSummary:
    return MemberSummary(member_id, "", None, None)


class AcceptApplication(_Decide):
    """Atomic: the slot's ``filled`` rises only while below capacity, and the applicant joins
    in the same transaction. Any number of concurrent accepts never overfill a slot."""

    async def __call__(self, decision: Decision) -> ApplicationView:
        application, team = await self._load(decision)
        now = self._clock.now()
        team.ensure_takes_applications(now)
        application.accept(now)
        team.admit(application.category)  # the domain's rule: never more than capacity
        # Its backing in the database: the guarded UPDATE … WHERE filled < capacity. Under the
        # team's row lock it agrees with the rule; a refusal there is the same slot_full.
        if not await self._teams.take_place(
            decision.team_id, application.member_id, application.category, now
        ):
            raise SlotFull()
        return await self._finish(decision, application, team)


class RejectApplication(_Decide):
    async def __call__(self, decision: Decision) -> ApplicationView:
        application, team = await self._load(decision)
        application.reject(self._clock.now())
        return await self._finish(decision, application, team)


@dataclass(frozen=True, slots=True)
class Withdrawal:
    actor: Actor
    application_id: int


class WithdrawApplication:
    """Only the applicant withdraws, only while pending; to anyone else it does not exist."""

    def __init__(
        self,
        teams: TeamRepository,
        applications: ApplicationRepository,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._teams, self._applications, self._uow, self._clock = teams, applications, uow, clock

    async def __call__(self, command: Withdrawal) -> None:
        found = await self._applications.get(command.application_id)
        if found is None or found.member_id != command.actor.member_id:
            raise ApplicationNotFound()
        await self._teams.get_for_update(found.team_id)  # team, then application
        application = await self._applications.get_for_update(command.application_id)
        if application is None:
            raise ApplicationNotFound()
        application.withdraw(self._clock.now())
        await self._applications.save(application)
        await self._uow.commit()


@dataclass(frozen=True, slots=True)
class TeamApplicationsQuery:
    actor: Actor
    team_id: int
    status: ApplicationStatus | None = ApplicationStatus.PENDING


class ListTeamApplications:
    def __init__(self, teams: TeamRepository, reader: TeamReader) -> None:
        self._teams, self._reader = teams, reader

    async def __call__(self, query: TeamApplicationsQuery) -> list[ApplicationView]:
        team = await load_team(self._teams, query.team_id)
        team.ensure_leader(query.actor)
        return await self._reader.applications_to(query.team_id, query.status)


class ListMyApplications:
    def __init__(self, reader: TeamReader) -> None:
        self._reader = reader

    async def __call__(
        self, actor: Actor, status: ApplicationStatus | None = None
    ) -> list[MyApplicationView]:
        actor.ensure_approved()
        return await self._reader.applications_of(actor.member_id, status)
