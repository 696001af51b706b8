"""In-memory twins of the persistence ports, for use-case tests.

The contract suite in ``tests/integration/sql/test_repository_contract.py`` runs the same
checks over these and over the SQL adapters (SQLite and MariaDB), so they cannot drift.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from datetime import date, datetime

from wap.adapters.memory.views import InMemoryViewLedger
from wap.application.admin.ports import AuditLog
from wap.application.auth.ports import IdentityProvider
from wap.application.errors import OAuthFailed, Unavailable
from wap.application.mail.ports import Mail, MailQueue
from wap.application.media.ports import ImageKind, ImageStore, ProcessedImage, StoredImage
from wap.application.members.ports import MemberQuery, MemberRepository, SearchField
from wap.application.notices.notifier import Outbox
from wap.application.notices.ports import NoticeRepository
from wap.application.ports import UnitOfWork
from wap.application.system.ports import DependencyProbe
from wap.application.teams.lookups import team_detail
from wap.application.teams.ports import (
    ApplicationRepository,
    LikeRepository,
    TeamDetailReader,
    TeamRepository,
)
from wap.application.teams.read_models import TeamDetail
from wap.domain.applications import Application, NewApplication
from wap.domain.audit import AuditEntry, NewAuditEntry
from wap.domain.catalog import Category
from wap.domain.errors import DuplicateApplication, StudentNumberTaken, TitleTaken
from wap.domain.members import GitHubIdentity, Member, MemberStatus, NewMember, Role
from wap.domain.notifications import NewNotice, Notice, NoticeKind
from wap.domain.teams import NewTeam, Team, TeamMember, TeamRole, TeamStatus
from wap.domain.views import Viewer


class FakeUnitOfWork(UnitOfWork):
    """Counts commits and, like the SQL one, hands the outbox's mail over after each."""

    def __init__(self, outbox: Outbox | None = None, mail: MailQueue | None = None) -> None:
        self.commits = 0
        self.rollbacks = 0
        self.outbox, self.mail = outbox, mail

    async def commit(self) -> None:
        self.commits += 1
        if self.outbox is not None and self.mail is not None:
            for mail in self.outbox.take():
                await self.mail.enqueue(mail)

    async def rollback(self) -> None:
        self.rollbacks += 1


class InMemoryMemberRepository(MemberRepository):
    def __init__(self) -> None:
        self._rows: dict[int, Member] = {}
        self._ids = itertools.count(1)

    async def add(self, member: NewMember) -> Member:
        if any(m.github_id == member.github_id for m in self._rows.values()):
            raise ValueError("github_id is unique")
        stored = copy.deepcopy(member).stored(next(self._ids))
        self._rows[stored.id] = copy.deepcopy(stored)
        return stored

    async def get_or_add(self, member: NewMember) -> tuple[Member, bool]:
        existing = await self.get_by_github_id(member.github_id)
        if existing is not None:
            return existing, False
        return await self.add(member), True

    async def get(self, member_id: int) -> Member | None:
        found = self._rows.get(member_id)
        return copy.deepcopy(found) if found else None

    async def get_for_update(self, member_id: int) -> Member | None:
        return await self.get(member_id)

    async def get_by_login(self, github_login: str) -> Member | None:
        matches = [m for m in self._rows.values() if m.github_login.lower() == github_login.lower()]
        return copy.deepcopy(max(matches, key=lambda m: m.id)) if matches else None

    async def get_by_github_id(self, github_id: int) -> Member | None:
        for member in self._rows.values():
            if member.github_id == github_id:
                return copy.deepcopy(member)
        return None

    async def save(self, member: Member) -> None:
        assert member.id in self._rows
        if member.student_number is not None:
            owner = await self.student_number_owner(member.student_number.value)
            if owner is not None and owner != member.id:
                raise StudentNumberTaken(field="student_number")
        self._rows[member.id] = copy.deepcopy(member)

    async def delete(self, member_id: int) -> None:
        self._rows.pop(member_id, None)

    async def student_number_owner(self, student_number: str) -> int | None:
        for member in self._rows.values():
            if member.student_number and member.student_number.value == student_number:
                return member.id
        return None

    async def search(self, query: MemberQuery) -> tuple[list[Member], int]:
        def text_of(member: Member) -> str:
            value = {
                SearchField.NAME: member.name,
                SearchField.STUDENT_NUMBER: member.student_number,
                SearchField.POSITION: member.position,
            }[query.field]
            return "" if value is None else str(getattr(value, "value", value))

        found = [
            m
            for m in sorted(self._rows.values(), key=lambda m: (m.created_at, m.id))
            if (query.status is None or m.status is query.status)
            and (not query.text or query.text in text_of(m))
        ]
        start = (query.page - 1) * query.page_size
        return copy.deepcopy(found[start : start + query.page_size]), len(found)

    async def officer_ids(self) -> list[int]:
        return sorted(
            m.id
            for m in self._rows.values()
            if m.role is Role.OFFICER and m.status is MemberStatus.APPROVED
        )

    async def count_officers(self) -> int:
        return sum(
            1
            for m in self._rows.values()
            if m.role is Role.OFFICER and m.status is MemberStatus.APPROVED
        )


class InMemoryTeamRepository(TeamRepository):
    applications: InMemoryApplicationRepository  # set by tests of the deadline job

    def __init__(self) -> None:
        self._rows: dict[int, Team] = {}
        self._members: dict[int, list[TeamMember]] = {}
        self._ids = itertools.count(1)

    async def add(self, new: NewTeam) -> Team:
        if await self.title_owner(new.title.key) is not None:
            raise TitleTaken(field="title")
        team = copy.deepcopy(new).stored(next(self._ids))
        self._rows[team.id] = copy.deepcopy(team)
        self._members[team.id] = [
            TeamMember(team.id, team.leader_id, TeamRole.LEADER, None, team.created_at)
        ]
        return team

    async def get(self, team_id: int) -> Team | None:
        found = self._rows.get(team_id)
        return copy.deepcopy(found) if found else None

    async def get_for_update(self, team_id: int) -> Team | None:
        return await self.get(team_id)

    async def save(self, team: Team) -> None:
        assert team.id in self._rows
        owner = await self.title_owner(team.title.key)
        if owner is not None and owner != team.id:
            raise TitleTaken(field="title")
        stored = self._rows[team.id]
        saved = copy.deepcopy(team)
        # Like the SQL adapter: the filled counts are the store's, not the caller's.
        for category, slot in saved.slots.items():
            if category in stored.slots:
                slot.filled = stored.slots[category].filled
            else:
                slot.filled = 0
        saved.like_count, saved.view_count = stored.like_count, stored.view_count
        self._rows[team.id] = saved

    async def delete(self, team_id: int) -> None:
        self._rows.pop(team_id, None)
        self._members.pop(team_id, None)

    async def past_deadline_with_pending(self, now: datetime) -> list[int]:
        pending = {a.team_id for a in self.applications.rows.values() if a.is_pending}
        return sorted(
            team.id
            for team in self._rows.values()
            if team.id in pending
            and team.status is TeamStatus.RECRUITING
            and team.recruit_until is not None
            and team.recruit_until <= now
        )

    async def title_owner(self, title_key: str) -> int | None:
        for team in self._rows.values():
            if team.title.key == title_key:
                return team.id
        return None

    async def members(self, team_id: int) -> list[TeamMember]:
        found = self._members.get(team_id, [])
        ordered = sorted(found, key=lambda m: (not m.is_leader, m.joined_at, m.member_id))
        return copy.deepcopy(ordered)

    async def memberships_of(self, member_id: int) -> list[TeamMember]:
        return copy.deepcopy(
            [
                m
                for team in sorted(self._members)
                for m in self._members[team]
                if m.member_id == member_id
            ]
        )

    async def pending_applications_to(self, member_id: int) -> list[int]:
        applications = getattr(self, "applications", None)
        if applications is None:
            return []
        return sorted(
            {
                a.team_id
                for a in applications.rows.values()
                if a.member_id == member_id and a.is_pending
            }
        )

    async def save_members(self, members: list[TeamMember]) -> None:
        for changed in members:
            for stored in self._members.get(changed.team_id, []):
                if stored.member_id == changed.member_id:
                    stored.role, stored.category = changed.role, changed.category

    async def take_place(
        self, team_id: int, member_id: int, category: Category, joined_at: datetime
    ) -> bool:
        team = self._rows.get(team_id)
        if team is None or category not in team.slots or not team.slots[category].has_room:
            return False
        team.slots[category].filled += 1
        self._members[team_id].append(
            TeamMember(team_id, member_id, TeamRole.MEMBER, category, joined_at)
        )
        return True

    async def free_place(self, team_id: int, member_id: int) -> bool:
        members = self._members.get(team_id, [])
        for index, member in enumerate(members):
            if member.member_id == member_id and not member.is_leader:
                del members[index]
                assert member.category is not None
                self._rows[team_id].slots[member.category].release()
                return True
        return False


class InMemoryLikeRepository(LikeRepository):
    def __init__(self, teams: InMemoryTeamRepository) -> None:
        self._teams = teams
        self.likes: set[tuple[int, int]] = set()

    async def like(self, team_id: int, member_id: int, now: datetime) -> bool:
        if (team_id, member_id) in self.likes:
            return False
        self.likes.add((team_id, member_id))
        self._teams._rows[team_id].like_count += 1
        return True

    async def unlike(self, team_id: int, member_id: int) -> bool:
        if (team_id, member_id) not in self.likes:
            return False
        self.likes.discard((team_id, member_id))
        self._teams._rows[team_id].like_count -= 1
        return True

    async def has_liked(self, team_id: int, member_id: int) -> bool:
        return (team_id, member_id) in self.likes

    async def count(self, team_id: int) -> int:
        return self._teams._rows[team_id].like_count

    async def remove_all_by(self, member_id: int) -> None:
        for team_id, liker in sorted(self.likes):
            if liker == member_id:
                await self.unlike(team_id, member_id)


class InMemoryAuditLog(AuditLog):
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def add(self, entry: NewAuditEntry) -> None:
        self.entries.append(entry.stored(len(self.entries) + 1))

    async def page(self, page: int, page_size: int) -> tuple[list[AuditEntry], int]:
        newest = list(reversed(self.entries))
        start = (page - 1) * page_size
        return newest[start : start + page_size], len(newest)


class RecordingMailQueue(MailQueue):
    def __init__(self) -> None:
        self.sent: list[Mail] = []

    async def enqueue(self, mail: Mail) -> None:
        self.sent.append(mail)


class FakeIdentityProvider(IdentityProvider):
    """Knows a fixed set of codes, each naming a GitHub identity."""

    def __init__(self, codes: dict[str, GitHubIdentity] | None = None) -> None:
        self.codes = dict(codes or {})

    def authorization_url(self, *, state: str, code_verifier: str, redirect_uri: str) -> str:
        return f"https://github.test/authorize?state={state}"

    async def identify(
        self, *, code: str, redirect_uri: str | None, code_verifier: str | None
    ) -> GitHubIdentity:
        if code not in self.codes:
            raise OAuthFailed()
        return self.codes[code]


class InMemoryApplicationRepository(ApplicationRepository):
    def __init__(self) -> None:
        self.rows: dict[int, Application] = {}
        self._ids = itertools.count(1)

    async def add(self, new: NewApplication) -> Application:
        if await self.has_pending(new.team_id, new.member_id):
            raise DuplicateApplication()
        application = copy.deepcopy(new).stored(next(self._ids))
        self.rows[application.id] = copy.deepcopy(application)
        return application

    async def get(self, application_id: int) -> Application | None:
        found = self.rows.get(application_id)
        return copy.deepcopy(found) if found else None

    async def get_for_update(self, application_id: int) -> Application | None:
        found = self.rows.get(application_id)
        return copy.deepcopy(found) if found else None

    async def save(self, application: Application) -> None:
        assert application.id in self.rows
        self.rows[application.id] = copy.deepcopy(application)

    async def pending_for_team(self, team_id: int) -> list[Application]:
        return [
            copy.deepcopy(a) for a in self.rows.values() if a.team_id == team_id and a.is_pending
        ]

    async def has_pending(self, team_id: int, member_id: int) -> bool:
        return any(
            a.team_id == team_id and a.member_id == member_id and a.is_pending
            for a in self.rows.values()
        )


class InMemoryNoticeRepository(NoticeRepository):
    def __init__(self) -> None:
        self.rows: list[Notice] = []

    async def add_many(self, notices: Sequence[NewNotice]) -> None:
        for notice in notices:
            self.rows.append(copy.deepcopy(notice).stored(len(self.rows) + 1))

    async def page(
        self, member_id: int, *, unread_only: bool, before_id: int | None, limit: int
    ) -> list[Notice]:
        found = [
            n
            for n in reversed(self.rows)
            if n.member_id == member_id
            and (not unread_only or n.read_at is None)
            and (before_id is None or n.id < before_id)
        ]
        return copy.deepcopy(found[:limit])

    async def unread_of_kind(self, member_id: int, kind: NoticeKind) -> list[Notice]:
        found = [
            n
            for n in reversed(self.rows)
            if n.member_id == member_id and n.kind is kind and n.read_at is None
        ]
        return copy.deepcopy(found)

    async def get(self, member_id: int, notice_id: int) -> Notice | None:
        found = [n for n in self.rows if n.member_id == member_id and n.id == notice_id]
        return copy.deepcopy(found[0]) if found else None

    async def unread_count(self, member_id: int) -> int:
        return sum(1 for n in self.rows if n.member_id == member_id and n.read_at is None)

    async def mark_read(self, member_id: int, ids: Sequence[int] | None, now: datetime) -> None:
        for notice in self.rows:
            if notice.member_id == member_id and (ids is None or notice.id in ids):
                notice.read_at = notice.read_at or now


class RepositoryTeamPages(TeamDetailReader):
    """The in-memory twin of the SQL detail reader: the page built from the repositories."""

    def __init__(self, teams: TeamRepository, members: MemberRepository) -> None:
        self._teams, self._members = teams, members

    async def detail(self, team_id: int) -> TeamDetail | None:
        team = await self._teams.get(team_id)
        return None if team is None else await team_detail(team, self._members)


class NoImageStore(ImageStore):
    """For a club that stores no images: a test that uploads gives the club a folder."""

    async def save(self, kind: ImageKind, name: str, image: ProcessedImage) -> StoredImage:
        raise AssertionError("this club has no media folder: Club(media=tmp_path)")

    async def delete(self, url: str | None) -> None:
        """Nothing to do: this store wrote nothing (a deleted team or member had no upload)."""


class StubProbe(DependencyProbe):
    def __init__(self, name: str, up: bool) -> None:
        self.name, self.up = name, up

    async def ping(self) -> bool:
        return self.up


class AwayLedger(InMemoryViewLedger):
    """A view ledger whose store cannot be reached."""

    async def record_and_count(self, team_id: int, viewer: Viewer, day: date) -> int:
        raise Unavailable()


class FailingLikes(InMemoryLikeRepository):
    """Likes whose store goes away when a caller's like is read."""

    async def has_liked(self, team_id: int, member_id: int) -> bool:
        raise Unavailable()
