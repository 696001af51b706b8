"""Officers deciding who belongs to the club."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec

from wap.application.admin.batch import Decided, OfficerBatch
from wap.application.admin.ports import AuditLog
from wap.application.media.ports import ImageStore
from wap.application.members.ports import MemberQuery, MemberRepository, SearchField
from wap.application.members.read_models import OwnProfile
from wap.application.notices.notifier import Notifier
from wap.application.ports import Clock, UnitOfWork
from wap.application.teams.ports import LikeRepository, TeamRepository
from wap.domain.audit import AuditAction, officer_action
from wap.domain.errors import InvalidValue, MemberNotFound
from wap.domain.members import Actor, Member, MemberStatus, Role
from wap.domain.notifications import NoticeKind
from wap.domain.teams import find_member, hand_over, successor

MAX_PAGE_SIZE = 100
OPERATOR = 0  # the audit log's actor for what `wap` on the command line does


class MemberPage(msgspec.Struct, frozen=True):
    items: list[OwnProfile]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True)
class MemberListQuery:
    actor: Actor
    status: MemberStatus | None = MemberStatus.PENDING
    q: str | None = None
    field: SearchField = SearchField.NAME
    page: int = 1
    page_size: int = 20


class ListMembers:
    def __init__(self, members: MemberRepository) -> None:
        self._members = members

    async def __call__(self, query: MemberListQuery) -> MemberPage:
        query.actor.ensure_officer()
        if query.page < 1:
            raise InvalidValue(field="page")
        if not 1 <= query.page_size <= MAX_PAGE_SIZE:
            raise InvalidValue(field="page_size")
        found, total = await self._members.search(
            MemberQuery(
                status=query.status,
                text=(query.q or "").strip() or None,
                field=query.field,
                page=query.page,
                page_size=query.page_size,
            )
        )
        return MemberPage([OwnProfile.of(m) for m in found], total, query.page, query.page_size)


class _BatchOverMembers(OfficerBatch[Member]):
    missing = MemberNotFound

    def __init__(
        self,
        members: MemberRepository,
        audit: AuditLog,
        notifier: Notifier,
        uow: UnitOfWork,
        clock: Clock,
        images: ImageStore,
    ) -> None:
        self._members = members
        self._audit = audit
        self._notifier = notifier
        self._uow = uow
        self._clock = clock
        self._images = images
        # The images of the rows this batch deletes, removed once the batch is committed.
        self._unreferenced: list[str | None] = []

    async def _after_commit(self) -> None:
        for url in self._unreferenced:
            await self._images.delete(url)
        self._unreferenced.clear()

    async def _lock(self, target_id: int) -> Member | None:
        return await self._members.get_for_update(target_id)


class ApproveMembers(_BatchOverMembers):
    async def _decide(self, member_id: int, member: Member, actor: Actor, now: datetime) -> Decided:
        member.approve()

        async def write() -> None:
            await self._members.save(member)
            await self._notifier.tell(
                [member_id], NoticeKind.SIGNUP_APPROVED, {}, actor_id=actor.member_id
            )

        return Decided(AuditAction.MEMBER_APPROVED, write)


class RejectMembers(_BatchOverMembers):
    """A rejected sign-up is deleted; the person may sign in and register again."""

    async def _decide(self, member_id: int, member: Member, actor: Actor, now: datetime) -> Decided:
        member.ensure_pending()

        async def write() -> None:
            await self._members.delete(member_id)
            self._unreferenced += [member.avatar_url, member.avatar_thumbnail_url]
            # The sign-up (and its inbox) is gone; an e-mail copy is all that can reach them.
            self._notifier.mail_only(member, NoticeKind.SIGNUP_REJECTED, {})

        return Decided(AuditAction.MEMBER_REJECTED, write)


class ExpelMembers(_BatchOverMembers):
    """Expelling deletes the member: applications go, places free up, likes are taken back,
    and a team they lead passes to its longest-standing member (or is deleted)."""

    def __init__(
        self,
        members: MemberRepository,
        teams: TeamRepository,
        likes: LikeRepository,
        audit: AuditLog,
        notifier: Notifier,
        uow: UnitOfWork,
        clock: Clock,
        images: ImageStore,
    ) -> None:
        super().__init__(members, audit, notifier, uow, clock, images)
        self._teams = teams
        self._likes = likes
        self._officers = 0

    async def _begin(self) -> None:
        # The officers' rows first (ascending ids, as count_officers locks them).
        self._officers = await self._members.count_officers()

    async def _before_locking(self, target_id: int) -> None:
        # Lock order everywhere is team, then application, then member rows: take the
        # member's teams (ascending) before the member, as accepting and handing over do.
        # Teams they applied to count too: the cascade deletes those applications.
        teams = {m.team_id for m in await self._teams.memberships_of(target_id)}
        teams.update(await self._teams.pending_applications_to(target_id))
        for team_id in sorted(teams):
            await self._teams.get_for_update(team_id)

    async def _decide(self, member_id: int, member: Member, actor: Actor, now: datetime) -> Decided:
        member.ensure_expellable(self._officers)
        if member.is_officer:
            self._officers -= 1  # the last officer stays, even within one batch

        async def write() -> None:
            await self._leave_teams(member_id, now)
            await self._likes.remove_all_by(member_id)
            await self._members.delete(member_id)
            self._unreferenced += [member.avatar_url, member.avatar_thumbnail_url]

        return Decided(AuditAction.MEMBER_EXPELLED, write)

    async def _leave_teams(self, member_id: int, now: datetime) -> None:
        for membership in await self._teams.memberships_of(member_id):
            team = await self._teams.get_for_update(membership.team_id)
            if team is None:
                continue
            if membership.is_leader:
                people = await self._teams.members(membership.team_id)
                heir = successor(people)
                if heir is None:
                    await self._teams.delete(membership.team_id)
                    self._unreferenced += [team.image_url, team.image_thumbnail_url]
                    continue
                leader = find_member(people, member_id)
                hand_over(team, leader, heir)
                team.updated_at = now
                await self._teams.save(team)
                await self._teams.save_members([heir, leader])
                await self._notifier.tell(
                    [heir.member_id],
                    NoticeKind.LEADERSHIP_RECEIVED,
                    {"team_id": team.id, "team": team.title.value},
                )
            await self._teams.free_place(membership.team_id, member_id)


@dataclass(frozen=True, slots=True)
class RoleChange:
    actor: Actor
    member_id: int
    role: Role


class ChangeRole:
    def __init__(
        self, members: MemberRepository, audit: AuditLog, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._members = members
        self._audit = audit
        self._uow = uow
        self._clock = clock

    async def __call__(self, change: RoleChange) -> OwnProfile:
        change.actor.ensure_officer()
        # The officers' rows first (ascending ids, as count_officers locks them), then the target.
        officers = await self._members.count_officers()
        member = await self._members.get_for_update(change.member_id)
        if member is None or not member.is_approved:
            raise MemberNotFound()  # the route names approved members only
        before = member.role
        member.change_role(change.role, officers)
        if before is not change.role:
            await self._members.save(member)
            await self._audit.add(
                officer_action(
                    change.actor.member_id,
                    AuditAction.MEMBER_ROLE_CHANGED,
                    member,
                    self._clock.now(),
                    before=before.value,
                    after=change.role.value,
                )
            )
            await self._uow.commit()
        return OwnProfile.of(member)


class AuditItem(msgspec.Struct, frozen=True):
    id: int
    actor_id: int
    action: str
    target_type: str
    target_id: int
    detail: dict[str, object]
    created_at: datetime
    # The officer's name now (None: the operator's command line, or a member since deleted).
    actor_name: str | None = None


class AuditPage(msgspec.Struct, frozen=True):
    items: list[AuditItem]
    total: int
    page: int
    page_size: int


class ListAudit:
    def __init__(self, audit: AuditLog, members: MemberRepository) -> None:
        self._audit = audit
        self._members = members

    async def __call__(self, actor: Actor, page: int = 1, page_size: int = 50) -> AuditPage:
        actor.ensure_officer()
        if page < 1:
            raise InvalidValue(field="page")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidValue(field="page_size")
        entries, total = await self._audit.page(page, page_size)
        names = await self._names({e.actor_id for e in entries} - {OPERATOR})
        return AuditPage(
            [
                AuditItem(
                    id=e.id,
                    actor_id=e.actor_id,
                    action=e.action.value,
                    target_type=e.target_type.value,
                    target_id=e.target_id,
                    detail=dict(e.detail),
                    created_at=e.created_at,
                    actor_name=names.get(e.actor_id),
                )
                for e in entries
            ],
            total,
            page,
            page_size,
        )

    async def _names(self, actor_ids: set[int]) -> dict[int, str]:
        """The officers of a page by name: a few people act on the log, so one read each."""
        names: dict[int, str] = {}
        for actor_id in sorted(actor_ids):
            found = await self._members.get(actor_id)
            if found is not None and found.name is not None:
                names[actor_id] = found.name.value
        return names


class PromoteByLogin:
    """``wap member promote <login>:<id>``: the operator's way to make the first officers.

    The GitHub login names the person, the numeric GitHub id confirms the account (a login
    can pass to another account after a rename): both must match a member who has finished
    sign-up; a pending one is approved at the same time. ``candidate`` shows the operator the
    member a bare login would name, so they can confirm the id."""

    def __init__(
        self, members: MemberRepository, audit: AuditLog, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._members = members
        self._audit = audit
        self._uow = uow
        self._clock = clock

    async def candidate(self, github_login: str) -> OwnProfile:
        member = await self._members.get_by_login(github_login)
        if member is None or not member.has_signed_up:
            raise MemberNotFound()
        return OwnProfile.of(member)

    async def __call__(self, github_login: str, github_id: int) -> OwnProfile:
        member = await self._members.get_by_github_id(github_id)
        if (
            member is None
            or member.github_login.lower() != github_login.lower()
            or not member.has_signed_up
        ):
            raise MemberNotFound()
        member.make_officer()
        await self._members.save(member)
        await self._audit.add(
            officer_action(
                OPERATOR, AuditAction.MEMBER_ROLE_CHANGED, member, self._clock.now(), via="cli"
            )
        )
        await self._uow.commit()
        return OwnProfile.of(member)
