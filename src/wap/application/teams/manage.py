"""A team's life: open, edit, hand over, complete, delete; people leaving or being removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wap.application.admin.ports import AuditLog
from wap.application.media.ports import ImageStore
from wap.application.members.ports import MemberRepository
from wap.application.notices.notifier import Notifier
from wap.application.patch import UNSET, Unset, given
from wap.application.ports import Clock, UnitOfWork
from wap.application.teams.lookups import load_team, team_detail
from wap.application.teams.ports import TeamRepository
from wap.application.teams.read_models import TeamDetail
from wap.domain.audit import AuditAction, officer_action
from wap.domain.errors import NotTeamMember, OwnerOnly, check_fields
from wap.domain.members import Actor
from wap.domain.notifications import NoticeKind
from wap.domain.teams import (
    Description,
    NewTeam,
    Title,
    ensure_can_leave,
    find_member,
    hand_over,
    parse_genre,
    slot_specs,
)
from wap.domain.values import Links


@dataclass(frozen=True, slots=True)
class SlotRequest:
    category: str
    capacity: int


@dataclass(frozen=True, slots=True)
class TeamDraft:
    actor: Actor
    title: str
    genre: str
    description: str
    slots: tuple[SlotRequest, ...]
    links: tuple[str, ...] = ()
    recruit_until: datetime | None = None


class CreateTeam:
    """An approved member opens a team; it waits for an officer's approval."""

    def __init__(
        self,
        teams: TeamRepository,
        members: MemberRepository,
        notifier: Notifier,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._teams, self._members, self._uow, self._clock = teams, members, uow, clock
        self._notifier = notifier

    async def __call__(self, command: TeamDraft) -> TeamDetail:
        command.actor.ensure_approved()
        title, genre, description, slots, links = check_fields(
            ("title", lambda: Title.of(command.title)),
            ("genre", lambda: parse_genre(command.genre)),
            ("description", lambda: Description(command.description)),
            ("slots", lambda: slot_specs((s.category, s.capacity) for s in command.slots)),
            ("links", lambda: Links.of(command.links)),
        )
        new = NewTeam.open(
            leader_id=command.actor.member_id,
            title=title,
            genre=genre,
            description=description,
            slots=slots,
            links=links,
            now=self._clock.now(),
            recruit_until=command.recruit_until,
        )
        team = await self._teams.add(new)  # team.title_taken: the title's unique key decides
        await self._notifier.tell_officers(
            NoticeKind.TEAM_WAITING,
            {"team_id": team.id, "team": team.title.value},
            actor_id=command.actor.member_id,
        )
        await self._uow.commit()
        return await team_detail(team, self._members)


@dataclass(frozen=True, slots=True)
class TeamEdit:
    actor: Actor
    team_id: int
    title: str | Unset = UNSET
    genre: str | Unset = UNSET
    description: str | Unset = UNSET
    links: tuple[str, ...] | Unset = UNSET
    slots: tuple[SlotRequest, ...] | Unset = UNSET
    recruit_until: datetime | Unset | None = UNSET


class EditTeam:
    """The leader edits fields and slots; slots are matched by category and keep members."""

    def __init__(
        self, teams: TeamRepository, members: MemberRepository, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._teams, self._members, self._uow, self._clock = teams, members, uow, clock

    async def __call__(self, edit: TeamEdit) -> TeamDetail:
        team = await load_team(self._teams, edit.team_id, lock=True)
        team.ensure_leader(edit.actor)
        now = self._clock.now()
        # Each check gives None for a field the PATCH leaves alone.
        title, genre, description, links, slots = check_fields(
            ("title", lambda: given(edit.title, Title.of)),
            ("genre", lambda: given(edit.genre, parse_genre)),
            ("description", lambda: given(edit.description, Description)),
            ("links", lambda: given(edit.links, Links.of)),
            (
                "slots",
                lambda: given(
                    edit.slots, lambda raw: slot_specs((s.category, s.capacity) for s in raw)
                ),
            ),
        )
        if slots is not None:
            team.replace_slots(slots, now)
        team.edit(
            now=now,
            title=title,
            genre=genre,
            description=description,
            links=links,
            recruit_until=None if isinstance(edit.recruit_until, Unset) else edit.recruit_until,
            clear_recruit_until=edit.recruit_until is None,
        )
        await self._teams.save(team)  # team.title_taken: the title's unique key decides
        await self._uow.commit()
        return await team_detail(team, self._members)


@dataclass(frozen=True, slots=True)
class TeamAction:
    actor: Actor
    team_id: int


class CompleteTeam:
    def __init__(
        self,
        teams: TeamRepository,
        members: MemberRepository,
        audit: AuditLog,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._teams, self._members, self._audit = teams, members, audit
        self._uow, self._clock = uow, clock

    async def __call__(self, action: TeamAction) -> TeamDetail:
        team = await load_team(self._teams, action.team_id, lock=True)
        team.ensure_leader_or_officer(action.actor)
        now = self._clock.now()
        team.complete(now)
        await self._teams.save(team)
        if action.actor.member_id != team.leader_id:
            await self._audit.add(
                officer_action(action.actor.member_id, AuditAction.TEAM_COMPLETED, team, now)
            )
        await self._uow.commit()
        return await team_detail(team, self._members)


class DeleteTeam:
    def __init__(
        self,
        teams: TeamRepository,
        audit: AuditLog,
        uow: UnitOfWork,
        clock: Clock,
        images: ImageStore,
    ) -> None:
        self._teams, self._audit, self._uow, self._clock = teams, audit, uow, clock
        self._images = images

    async def __call__(self, action: TeamAction) -> None:
        team = await load_team(self._teams, action.team_id, lock=True)
        team.ensure_leader_or_officer(action.actor)
        await self._teams.delete(action.team_id)
        if action.actor.member_id != team.leader_id:
            now = self._clock.now()
            await self._audit.add(
                officer_action(action.actor.member_id, AuditAction.TEAM_DELETED, team, now)
            )
        await self._uow.commit()
        for url in (team.image_url, team.image_thumbnail_url):  # once nothing refers to them
            await self._images.delete(url)


@dataclass(frozen=True, slots=True)
class HandOver:
    actor: Actor
    team_id: int
    heir_id: int


class HandOverLeadership:
    """The leader and a member swap places: the old leader takes the heir's slot."""

    def __init__(
        self,
        teams: TeamRepository,
        members: MemberRepository,
        notifier: Notifier,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._teams, self._members, self._uow, self._clock = teams, members, uow, clock
        self._notifier = notifier

    async def __call__(self, command: HandOver) -> TeamDetail:
        team = await load_team(self._teams, command.team_id, lock=True)
        team.ensure_leader(command.actor)
        people = await self._teams.members(command.team_id)
        leader = find_member(people, command.actor.member_id)
        heir = find_member(people, command.heir_id)
        hand_over(team, leader, heir)
        team.updated_at = self._clock.now()
        await self._teams.save(team)
        await self._teams.save_members([heir, leader])
        await self._notifier.tell(
            [heir.member_id],
            NoticeKind.LEADERSHIP_RECEIVED,
            {"team_id": team.id, "team": team.title.value},
            actor_id=command.actor.member_id,
        )
        await self._uow.commit()
        return await team_detail(team, self._members)


@dataclass(frozen=True, slots=True)
class Departure:
    actor: Actor
    team_id: int
    member_id: int


class LeaveTeam:
    """A member leaves, or the leader removes a member; the place frees up."""

    def __init__(self, teams: TeamRepository, uow: UnitOfWork, clock: Clock) -> None:
        self._teams, self._uow, self._clock = teams, uow, clock

    async def __call__(self, command: Departure) -> None:
        team = await load_team(self._teams, command.team_id, lock=True)
        team.ensure_visible_to(command.actor)
        leaving_self = command.actor.member_id == command.member_id
        if not leaving_self and command.actor.member_id != team.leader_id:
            raise OwnerOnly()
        people = await self._teams.members(command.team_id)
        ensure_can_leave(find_member(people, command.member_id))
        if not await self._teams.free_place(command.team_id, command.member_id):
            raise NotTeamMember()
        team.updated_at = self._clock.now()
        await self._teams.save(team)
        await self._uow.commit()
