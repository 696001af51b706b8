"""The club on fakes: one wiring of every use case for the unit tests.

Every port is an in-memory twin (``tests/fakes.py`` and the in-memory adapters) and every use
case is built by dishka from its constructor's types, as the real container builds it, so a
use case that gains or reorders a dependency needs no change here or in a test. A test
replaces a fake by passing it (``Club(sessions=InMemorySessionStore(now=...))``) and takes
a use case by its class (``club.use(CreateTeam)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from dishka import Container, Provider, Scope, from_context, make_container, provide, provide_all

from tests.builders import NOW, OCTOCAT, member, team
from tests.fakes import (
    FakeIdentityProvider,
    FakeUnitOfWork,
    InMemoryApplicationRepository,
    InMemoryAuditLog,
    InMemoryLikeRepository,
    InMemoryMemberRepository,
    InMemoryNoticeRepository,
    InMemoryTeamRepository,
    NoImageStore,
    RecordingMailQueue,
    RepositoryTeamPages,
)
from wap.adapters.cache import LedgerViewedPages, MemoryBytesStore, StoreReadCache
from wap.adapters.limits import InMemoryRateLimiter
from wap.adapters.media.images import FileImageStore, PillowImageProcessor
from wap.adapters.memory.sessions import InMemoryEmailCodeStore, InMemorySessionStore
from wap.adapters.memory.views import InMemoryViewLedger
from wap.adapters.security.jwt import JwtAccessTokenCodec
from wap.adapters.system import FixedClock
from wap.application.admin.members import (
    ApproveMembers,
    ChangeRole,
    ExpelMembers,
    ListAudit,
    ListMembers,
    PromoteByLogin,
    RejectMembers,
)
from wap.application.admin.ports import AuditLog
from wap.application.auth.limits import AuthLimits, Rate
from wap.application.auth.ports import (
    AccessTokenCodec,
    EmailCodeStore,
    IdentityProvider,
    RateLimiter,
    SessionStore,
)
from wap.application.auth.sessions import Authenticate, Logout, RefreshSession, SessionIssuer
from wap.application.auth.sign_in import SignInCommand, SignInWithGitHub
from wap.application.auth.sign_up import Register, RequestEmailCode, SignUpPolicy
from wap.application.catalog.get_catalog import GetCatalog
from wap.application.mail.ports import MailQueue
from wap.application.media.ports import ImageProcessor, ImageStore
from wap.application.media.upload import ImageLimits, UploadAvatar, UploadTeamImage
from wap.application.members.get_profile import GetPublicProfile
from wap.application.members.ports import MemberRepository
from wap.application.members.update_profile import UpdateProfile
from wap.application.notices.inbox import MarkNoticesRead, OpenNotice, ReadInbox
from wap.application.notices.notifier import Notifier, Outbox
from wap.application.notices.ports import NoticeRepository
from wap.application.ports import Clock, ReadCache, UnitOfWork
from wap.application.system.ports import DependencyProbe
from wap.application.system.readiness import CheckReadiness
from wap.application.teams.applying import (
    AcceptApplication,
    Apply,
    RejectApplication,
    WithdrawApplication,
)
from wap.application.teams.deadlines import CloseRecruitment
from wap.application.teams.manage import (
    CompleteTeam,
    CreateTeam,
    DeleteTeam,
    EditTeam,
    HandOverLeadership,
    LeaveTeam,
)
from wap.application.teams.ports import (
    ApplicationRepository,
    LikeRepository,
    TeamDetailReader,
    TeamRepository,
)
from wap.application.teams.queries import GetTeamDetail, SetLike
from wap.application.views.ports import ViewedPageCache, ViewLedger
from wap.domain.members import Actor, Member, NewMember
from wap.domain.teams import Team

U = TypeVar("U")


class FakeClubProvider(Provider):
    """The fakes come from the club (the container's context); dishka builds the rest."""

    scope = Scope.APP

    members = from_context(provides=MemberRepository)
    teams = from_context(provides=TeamRepository)
    applications = from_context(provides=ApplicationRepository)
    likes = from_context(provides=LikeRepository)
    audit = from_context(provides=AuditLog)
    notices = from_context(provides=NoticeRepository)
    mail = from_context(provides=MailQueue)
    clock = from_context(provides=Clock)
    outbox = from_context(provides=Outbox)
    uow = from_context(provides=UnitOfWork)
    sessions = from_context(provides=SessionStore)
    codes = from_context(provides=EmailCodeStore)
    github = from_context(provides=IdentityProvider)
    tokens = from_context(provides=AccessTokenCodec)
    policy = from_context(provides=SignUpPolicy)
    limiter = from_context(provides=RateLimiter)
    limits = from_context(provides=AuthLimits)
    cache = from_context(provides=ReadCache)
    ledger = from_context(provides=ViewLedger)
    pages = from_context(provides=TeamDetailReader)
    processor = from_context(provides=ImageProcessor)
    images = from_context(provides=ImageStore)
    image_limits = from_context(provides=ImageLimits)
    probes = from_context(provides=Sequence[DependencyProbe])

    viewed = provide(LedgerViewedPages, provides=ViewedPageCache)
    services = provide_all(Notifier, SessionIssuer)
    use_cases = provide_all(
        GetCatalog,
        GetPublicProfile,
        GetTeamDetail,
        CheckReadiness,
        UpdateProfile,
        UploadAvatar,
        UploadTeamImage,
        SignInWithGitHub,
        Authenticate,
        RefreshSession,
        Logout,
        RequestEmailCode,
        Register,
        CreateTeam,
        EditTeam,
        HandOverLeadership,
        CompleteTeam,
        DeleteTeam,
        LeaveTeam,
        Apply,
        AcceptApplication,
        RejectApplication,
        WithdrawApplication,
        SetLike,
        CloseRecruitment,
        ReadInbox,
        MarkNoticesRead,
        OpenNotice,
        ApproveMembers,
        RejectMembers,
        ExpelMembers,
        ChangeRole,
        ListMembers,
        ListAudit,
        PromoteByLogin,
    )


@dataclass
class Club:
    members: InMemoryMemberRepository = field(default_factory=InMemoryMemberRepository)
    teams: InMemoryTeamRepository = field(default_factory=InMemoryTeamRepository)
    applications: InMemoryApplicationRepository = field(
        default_factory=InMemoryApplicationRepository
    )
    audit: InMemoryAuditLog = field(default_factory=InMemoryAuditLog)
    notices: InMemoryNoticeRepository = field(default_factory=InMemoryNoticeRepository)
    mail: RecordingMailQueue = field(default_factory=RecordingMailQueue)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    sessions: InMemorySessionStore = field(default_factory=InMemorySessionStore)
    codes: InMemoryEmailCodeStore = field(default_factory=InMemoryEmailCodeStore)
    github: FakeIdentityProvider = field(
        default_factory=lambda: FakeIdentityProvider({"good": OCTOCAT})
    )
    policy: SignUpPolicy = field(default_factory=SignUpPolicy)
    limiter: RateLimiter = field(default_factory=InMemoryRateLimiter)
    per_address: Rate = field(default_factory=lambda: Rate(60, 60))
    per_session: Rate = field(default_factory=lambda: Rate(10, 60))
    ledger: ViewLedger = field(default_factory=InMemoryViewLedger)
    likes: LikeRepository | None = None  # None: the in-memory likes of ``teams``
    media: Path | None = None  # where uploaded images go; a test that uploads names one
    image_limits: ImageLimits = field(default_factory=lambda: ImageLimits(1_000_000))
    probes: Sequence[DependencyProbe] = ()

    def __post_init__(self) -> None:
        self.outbox = Outbox()
        self.uow = FakeUnitOfWork(self.outbox, self.mail)
        self.teams.applications = self.applications
        if self.likes is None:
            self.likes = InMemoryLikeRepository(self.teams)
        self.tokens = JwtAccessTokenCodec("s" * 48)
        self.cache = StoreReadCache(MemoryBytesStore())
        context: dict[Any, Any] = {
            MemberRepository: self.members,
            TeamRepository: self.teams,
            ApplicationRepository: self.applications,
            LikeRepository: self.likes,
            AuditLog: self.audit,
            NoticeRepository: self.notices,
            MailQueue: self.mail,
            Clock: self.clock,
            Outbox: self.outbox,
            UnitOfWork: self.uow,
            SessionStore: self.sessions,
            EmailCodeStore: self.codes,
            IdentityProvider: self.github,
            AccessTokenCodec: self.tokens,
            SignUpPolicy: self.policy,
            RateLimiter: self.limiter,
            AuthLimits: AuthLimits(self.limiter, self.per_address, self.per_session),
            ReadCache: self.cache,
            ViewLedger: self.ledger,
            TeamDetailReader: RepositoryTeamPages(self.teams, self.members),
            ImageProcessor: PillowImageProcessor(),
            ImageStore: FileImageStore(self.media) if self.media else NoImageStore(),
            ImageLimits: self.image_limits,
            Sequence[DependencyProbe]: self.probes,
        }
        self.container: Container = make_container(FakeClubProvider(), context=context)

    def use(self, use_case: type[U]) -> U:
        """The use case, wired to this club's fakes."""
        return self.container.get(use_case)

    async def person(self, **kwargs: Any) -> Member:
        """A member of the club (approved unless ``status`` says otherwise)."""
        return await self.members.add(member(**kwargs))

    async def recruiting(self, leader: Member, **kwargs: Any) -> Team:
        """A team that ``leader`` leads (recruiting unless ``status`` says otherwise)."""
        return await self.teams.add(team(leader.id, **kwargs))

    async def add(self, *people: NewMember) -> list[Member]:
        """Store ``people`` in this order and give them back as stored (with their ids)."""
        return [await self.members.add(person) for person in people]

    async def registering(self) -> tuple[int, Actor]:
        """Sign in with the code ``good``: a member who has not signed up yet."""
        signed = await self.use(SignInWithGitHub)(SignInCommand("good"))
        actor, _ = await self.use(Authenticate)(signed.access_token)
        return signed.member.id, actor

    def mailed_code(self) -> str:
        """The sign-up code of the last mail (the subject ends with it)."""
        return self.mail.sent[-1].subject.rsplit(" ", 1)[-1]
