"""Officers deciding who belongs to the club."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import msgspec

from wap.application.admin.ports import AuditLog
from wap.application.members.ports import MemberQuery, MemberRepository, SearchField
from wap.application.members.read_models import OwnProfile
from wap.application.notices.notifier import Notifier
from wap.application.ports import Clock, UnitOfWork
from wap.application.teams.likes import LikeRepository
from wap.application.teams.ports import TeamRepository
from wap.domain.audit import AuditAction, AuditEntry, AuditTarget
from wap.domain.errors import InvalidValue, MemberNotApproved, MemberNotFound, WapError
from wap.domain.members import Actor, Member, MemberStatus, Role, ensure_not_last_officer
from wap.domain.notifications import NoticeKind
from wap.domain.teams import find_member, hand_over, successor

MAX_BATCH = 100
MAX_PAGE_SIZE = 100


class Skipped(msgspec.Struct, frozen=True):
    id: int
    code: str


class BatchResult(msgspec.Struct, frozen=True):
    done: list[int]
    skipped: list[Skipped]


@dataclass(frozen=True, slots=True)
class Batch:
    actor: Actor
    ids: tuple[int, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.ids) <= MAX_BATCH:
            raise InvalidValue(field="ids")


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


def _audit(
    actor: Actor, action: AuditAction, member: Member, now: datetime, **extra: object
) -> AuditEntry:
    assert member.id is not None
    return AuditEntry(
        actor_id=actor.member_id,
        action=action,
        target_type=AuditTarget.MEMBER,
        target_id=member.id,
        created_at=now,
        detail={
            "name": member.name.value if member.name else None,
            "github_login": member.github_login,
            **extra,
        },
    )


class _BatchOverMembers:
    """Runs one decision per id in one transaction; a refused id is skipped with its code,
    and nothing is half-done: either the whole batch commits or none of it."""

    def __init__(
        self,
        members: MemberRepository,
        audit: AuditLog,
        notifier: Notifier,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._members = members
        self._audit = audit
        self._notifier = notifier
        self._uow = uow
        self._clock = clock

    async def _before_locking(self, member_id: int) -> None:
        """Take whatever must be locked before the member's row (see ExpelMembers)."""

    async def _run(
        self, batch: Batch, decide: Callable[[Member, datetime], Awaitable[AuditAction]]
    ) -> BatchResult:
        batch.actor.ensure_officer()
        done: list[int] = []
        skipped: list[Skipped] = []
        now = self._clock.now()
        # One order for everyone (ascending ids): two officers' batches cannot deadlock.
        for member_id in sorted(set(batch.ids)):
            await self._before_locking(member_id)
            member = await self._members.get_for_update(member_id)
            try:
                if member is None:
                    raise MemberNotFound()
                action = await decide(member, now)
            except WapError as refused:
                skipped.append(Skipped(member_id, refused.code))
                continue
            await self._audit.add(_audit(batch.actor, action, member, now))
            done.append(member_id)
        await self._uow.commit()
        return BatchResult(done, skipped)


class ApproveMembers(_BatchOverMembers):
    async def __call__(self, batch: Batch) -> BatchResult:
        async def approve(member: Member, _now: datetime) -> AuditAction:
            member.approve()
            await self._members.save(member)
            await self._notifier.tell(
                [member.id or 0], NoticeKind.SIGNUP_APPROVED, {}, actor_id=batch.actor.member_id
            )
            return AuditAction.MEMBER_APPROVED

        return await self._run(batch, approve)


class RejectMembers(_BatchOverMembers):
    """A rejected sign-up is deleted; the person may sign in and register again."""

    async def __call__(self, batch: Batch) -> BatchResult:
        async def reject(member: Member, _now: datetime) -> AuditAction:
            member.ensure_pending()
            assert member.id is not None
            await self._members.delete(member.id)
            # The sign-up (and its inbox) is gone; an e-mail copy is all that can reach them.
            self._notifier.mail_only(member, NoticeKind.SIGNUP_REJECTED, {})
            return AuditAction.MEMBER_REJECTED

        return await self._run(batch, reject)


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
    ) -> None:
        super().__init__(members, audit, notifier, uow, clock)
        self._teams = teams
        self._likes = likes

    async def __call__(self, batch: Batch) -> BatchResult:
        officers = await self._members.count_officers()

        async def expel(member: Member, now: datetime) -> AuditAction:
            nonlocal officers
            if member.status is not MemberStatus.APPROVED:
                raise MemberNotApproved()  # pending sign-ups are rejected, not expelled
            ensure_not_last_officer(member, officers)
            assert member.id is not None
            await self._leave_teams(member.id, now)
            await self._likes.remove_all_by(member.id)
            await self._members.delete(member.id)
            if member.is_officer:
                officers -= 1
            return AuditAction.MEMBER_EXPELLED

        return await self._run(batch, expel)

    async def _before_locking(self, member_id: int) -> None:
        # Lock order everywhere is team, then application, then member rows: take the
        # member's teams (ascending) before the member, as accepting and handing over do.
        # Teams they applied to count too: the cascade deletes those applications.
        teams = {m.team_id for m in await self._teams.memberships_of(member_id)}
        teams.update(await self._teams.pending_applications_to(member_id))
        for team_id in sorted(teams):
            await self._teams.get_for_update(team_id)

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
        if member is None or member.status is not MemberStatus.APPROVED:
            raise MemberNotFound()
        before = member.role
        member.change_role(change.role, officers)
        if before is not change.role:
            await self._members.save(member)
            now = self._clock.now()
            await self._audit.add(
                _audit(
                    change.actor,
                    AuditAction.MEMBER_ROLE_CHANGED,
                    member,
                    now,
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


class AuditPage(msgspec.Struct, frozen=True):
    items: list[AuditItem]
    total: int
    page: int
    page_size: int


class ListAudit:
    def __init__(self, audit: AuditLog) -> None:
        self._audit = audit

    async def __call__(self, actor: Actor, page: int = 1, page_size: int = 50) -> AuditPage:
        actor.ensure_officer()
        if page < 1:
            raise InvalidValue(field="page")
        entries, total = await self._audit.page(page, page_size)
        return AuditPage(
            [
                AuditItem(
                    id=e.id or 0,
                    actor_id=e.actor_id,
                    action=e.action.value,
                    target_type=e.target_type.value,
                    target_id=e.target_id,
                    detail=dict(e.detail),
                    created_at=e.created_at,
                )
                for e in entries
            ],
            total,
            page,
            page_size,
        )


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
        if member is None or member.status is MemberStatus.REGISTERING:
            raise MemberNotFound()
        return OwnProfile.of(member)

    async def __call__(self, github_login: str, github_id: int) -> OwnProfile:
        member = await self._members.get_by_github_id(github_id)
        if (
            member is None
            or member.github_login.lower() != github_login.lower()
            or member.status is MemberStatus.REGISTERING
        ):
            raise MemberNotFound()
        if member.status is MemberStatus.PENDING:
            member.approve()
        member.role = Role.OFFICER
        await self._members.save(member)
        operator = Actor(0, Role.OFFICER, MemberStatus.APPROVED)
        await self._audit.add(
            _audit(operator, AuditAction.MEMBER_ROLE_CHANGED, member, self._clock.now(), via="cli")
        )
        await self._uow.commit()
        return OwnProfile.of(member)
