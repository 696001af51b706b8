"""Applying to a team, and the leader's decision."""

from __future__ import annotations

from dataclasses import dataclass

from wap.application.mail.ports import Mail, MailQueue
from wap.application.members.ports import MemberRepository
from wap.application.members.read_models import MemberSummary
from wap.application.ports import Clock, UnitOfWork
from wap.application.teams.applications_port import ApplicationRepository
from wap.application.teams.manage import load_team
from wap.application.teams.ports import TeamRepository
from wap.application.teams.read_models import ApplicationView, MyApplicationView, TeamBrief
from wap.application.teams.reader import TeamReader
from wap.domain.applications import Application, ApplicationStatus, Message, check_can_apply
from wap.domain.errors import ApplicationNotFound, SlotFull
from wap.domain.members import Actor, Language, Member
from wap.domain.teams import Team, parse_category


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
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._teams, self._applications = teams, applications
        self._uow, self._clock = uow, clock

    async def __call__(self, command: ApplyCommand) -> MyApplicationView:
        actor = command.actor
        actor.ensure_approved()
        team = await load_team(self._teams, command.team_id)
        team.ensure_visible_to(actor)
        category = parse_category(command.category)
        message = Message.of(command.message)
        people = await self._teams.members(command.team_id)
        check_can_apply(
            team,
            actor,
            category,
            is_member=any(p.member_id == actor.member_id for p in people),
            has_pending=await self._applications.has_pending(command.team_id, actor.member_id),
            now=self._clock.now(),
        )
        application = await self._applications.add(
            Application.submit(
                team_id=command.team_id,
                member_id=actor.member_id,
                category=category,
                message=message,
                now=self._clock.now(),
            )
        )
        await self._uow.commit()
        return _mine(application, team)


def _mine(application: Application, team: Team) -> MyApplicationView:
    assert application.id is not None and team.id is not None
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


_DECIDED = {
    ApplicationStatus.ACCEPTED: (
        "[WAP] {team} 팀 지원이 수락되었습니다",
        "{team} 팀에 합류하셨습니다. 환영합니다!",
        "[WAP] Your application to {team} was accepted",
        "You have joined {team}. Welcome!",
    ),
    ApplicationStatus.REJECTED: (
        "[WAP] {team} 팀 지원 결과 안내",
        "아쉽게도 {team} 팀 지원이 거절되었습니다.",
        "[WAP] About your application to {team}",
        "Your application to {team} was not accepted this time.",
    ),
}


def decision_mail(member: Member, team: Team, status: ApplicationStatus) -> Mail | None:
    """The applicant's e-mail copy, in their language, if they asked for copies."""
    if not member.notify_email or not member.email or status not in _DECIDED:
        return None
    ko_subject, ko_body, en_subject, en_body = _DECIDED[status]
    english = member.language is Language.EN
    subject, body = (en_subject, en_body) if english else (ko_subject, ko_body)
    return Mail(
        to=member.email,
        subject=subject.format(team=team.title.value),
        body=body.format(team=team.title.value),
    )


class _Decide:
    def __init__(
        self,
        teams: TeamRepository,
        applications: ApplicationRepository,
        members: MemberRepository,
        mail: MailQueue,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._teams, self._applications, self._members = teams, applications, members
        self._mail, self._uow, self._clock = mail, uow, clock

    async def _load(self, decision: Decision) -> tuple[Application, Team]:
        # Lock order, everywhere: team, then application, then slot. Deleting a team takes
        # the team and then (by cascade) its applications, so the same order cannot deadlock.
        team = await load_team(self._teams, decision.team_id, lock=True)
        team.ensure_leader(decision.actor)
        application = await self._applications.get_for_update(decision.application_id)
        if application is None or application.team_id != decision.team_id:
            raise ApplicationNotFound()
        return application, team

    async def _finish(self, application: Application, team: Team) -> ApplicationView:
        await self._applications.save(application)
        await self._uow.commit()
        applicant = await self._members.get(application.member_id)
        if applicant is not None:
            mail = decision_mail(applicant, team, application.status)
            if mail is not None:
                await self._mail.enqueue(mail)
        assert application.id is not None
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
        joined = await self._teams.take_place(
            team.id or 0, application.member_id, application.category, now
        )
        if not joined:
            raise SlotFull()
        return await self._finish(application, team)


class RejectApplication(_Decide):
    async def __call__(self, decision: Decision) -> ApplicationView:
        application, team = await self._load(decision)
        application.reject(self._clock.now())
        return await self._finish(application, team)


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
