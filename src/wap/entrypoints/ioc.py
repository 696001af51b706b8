"""The composition root: the only place that chooses adapters."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

from dishka import (
    AsyncContainer,
    Provider,
    Scope,
    from_context,
    make_async_container,
    provide,
    provide_all,
)
from redis.asyncio import Redis
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from taskiq import AsyncBroker

from wap.adapters.cache import MemoryBytesStore, NoReadCache, RedisBytesStore, StoreReadCache
from wap.adapters.github.oauth import GitHubIdentityProvider
from wap.adapters.limits import InMemoryRateLimiter, RedisRateLimiter
from wap.adapters.mail.senders import LogMailer, SmtpMailer
from wap.adapters.media.images import FileImageStore, PillowImageProcessor
from wap.adapters.memory.sessions import InMemoryEmailCodeStore, InMemorySessionStore
from wap.adapters.memory.views import InMemoryViewLedger
from wap.adapters.metrics import (
    CountingReadCache,
    CountingViewedPages,
    FlushJournal,
    MemoryFlushJournal,
    MemoryOperationsReader,
    OperationsReader,
    RedisFlushJournal,
    RedisOperationsReader,
)
from wap.adapters.redis.client import redis_client
from wap.adapters.redis.probe import RedisProbe
from wap.adapters.redis.sessions import RedisEmailCodeStore, RedisSessionStore
from wap.adapters.redis.views import RedisViewedPages, RedisViewLedger, ResilientViewLedger
from wap.adapters.security.jwt import JwtAccessTokenCodec
from wap.adapters.sql.applications import SqlApplicationRepository
from wap.adapters.sql.audit import SqlAuditLog
from wap.adapters.sql.engine import create_engine, create_sessionmaker
from wap.adapters.sql.exports import SqlExportReader
from wap.adapters.sql.likes import SqlLikeRepository
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.notices import SqlNoticeRepository
from wap.adapters.sql.reader import SqlTeamDetailReader, SqlTeamReader
from wap.adapters.sql.teams import SqlTeamRepository
from wap.adapters.sql.uow import SqlProbe, SqlUnitOfWork
from wap.adapters.sql.views import SqlViewCounts
from wap.adapters.system import SystemClock
from wap.adapters.taskiq.mail import TaskiqMailQueue
from wap.application.admin.exports import ExportCsv, ExportReader
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
from wap.application.admin.teams import ApproveTeams, ListAdminTeams, RejectTeams
from wap.application.auth.ports import (
    AccessTokenCodec,
    EmailCodeStore,
    IdentityProvider,
    SessionStore,
)
from wap.application.auth.sessions import Authenticate, Logout, RefreshSession, SessionIssuer
from wap.application.auth.sign_in import SignInWithGitHub
from wap.application.auth.sign_up import GetOwnProfile, Register, RequestEmailCode, SignUpPolicy
from wap.application.cache import LedgerViewedPages, ReadCache, Touched, ViewedPageCache
from wap.application.catalog.get_catalog import GetCatalog
from wap.application.demo import DemoSignIn, ListDemoAccounts, SeedDemo
from wap.application.limits import AuthLimits, Rate, RateLimiter
from wap.application.mail.ports import Mailer, MailQueue
from wap.application.media import (
    ImageLimits,
    ImageProcessor,
    ImageStore,
    UploadAvatar,
    UploadTeamImage,
)
from wap.application.members.get_profile import GetPublicProfile
from wap.application.members.ports import MemberRepository
from wap.application.members.update_profile import UpdateProfile
from wap.application.notices.inbox import CountUnread, MarkNoticesRead, ReadInbox
from wap.application.notices.notifier import Notifier, Outbox
from wap.application.notices.ports import NoticeRepository
from wap.application.ports import Clock, UnitOfWork
from wap.application.system.readiness import CheckReadiness, DependencyProbe
from wap.application.teams.applications_port import ApplicationRepository
from wap.application.teams.applying import (
    AcceptApplication,
    Apply,
    ListMyApplications,
    ListTeamApplications,
    RejectApplication,
    WithdrawApplication,
)
from wap.application.teams.deadlines import CloseRecruitment
from wap.application.teams.likes import LikeRepository
from wap.application.teams.manage import (
    CompleteTeam,
    CreateTeam,
    DeleteTeam,
    EditTeam,
    HandOverLeadership,
    LeaveTeam,
)
from wap.application.teams.ports import TeamRepository
from wap.application.teams.queries import (
    GetTeamDetail,
    ListLikedTeams,
    ListMemberTeams,
    ListTeamMembers,
    ListTeams,
    SetLike,
)
from wap.application.teams.reader import TeamDetailReader, TeamReader
from wap.application.views.flush import FlushViews, ResetViewWindows
from wap.application.views.ports import ViewCounts, ViewLedger
from wap.entrypoints.config import Settings
from wap.entrypoints.worker.broker import TASK_STREAM, make_broker

log = logging.getLogger("wap.db")


async def close_session(session: AsyncSession) -> None:
    """Roll back and return the connection; if the rollback fails (the database went away
    mid-request, which has answered 503), drop the connection instead of pooling it again.

    It runs in the request's own task. A shield (a task per request) was measured to let
    connections come back a turn late, and under saturation the pool's waiters then starved
    for seconds (bench: uncached profiles' p99 3.1 s against 0.2 s). It is not needed: a
    close cancelled half way (the server stopping) has SQLAlchemy drop the connection, whose
    protocol state is then unknown (tests/integration/sql/test_session_close.py)."""
    try:
        await session.rollback()
    except DBAPIError as error:
        log.warning("dropping a database connection that failed to roll back: %s", error)
        with contextlib.suppress(Exception):
            await session.invalidate()
    await session.close()


class LazySession:
    """Stands in for the request's ``AsyncSession`` and makes it on first use. Making one
    costs about 20 µs, a tenth of a page read from the cache, which needs no database."""

    __slots__ = ("_make", "made")

    def __init__(self, make: async_sessionmaker[AsyncSession]) -> None:
        self._make = make
        self.made: AsyncSession | None = None

    def __getattr__(self, name: str) -> Any:
        if self.made is None:
            self.made = self._make()
        return getattr(self.made, name)


class InfrastructureProvider(Provider):
    """Process-wide resources: one engine, one Redis pool, one broker, the stateful stores."""

    scope = Scope.APP
    settings = from_context(provides=Settings, scope=Scope.APP)

    @provide
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(settings.database_url)
        yield engine
        await engine.dispose()

    @provide
    def sessionmaker(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return create_sessionmaker(engine)

    @provide
    async def redis(self, settings: Settings) -> AsyncIterator[Redis | None]:
        if settings.redis_url is None:
            yield None
            return
        async with redis_client(settings.redis_url) as client:
            yield client

    @provide
    def clock(self) -> Clock:
        return SystemClock()

    @provide
    def probes(self, engine: AsyncEngine, redis: Redis | None) -> Sequence[DependencyProbe]:
        found: list[DependencyProbe] = [SqlProbe(engine)]
        if redis is not None:
            found.append(RedisProbe(redis))
        return tuple(found)

    @provide
    def sessions(self, redis: Redis | None) -> SessionStore:
        return RedisSessionStore(redis) if redis is not None else InMemorySessionStore()

    @provide
    def email_codes(self, redis: Redis | None) -> EmailCodeStore:
        return RedisEmailCodeStore(redis) if redis is not None else InMemoryEmailCodeStore()

    @provide
    def access_tokens(self, settings: Settings) -> AccessTokenCodec:
        return JwtAccessTokenCodec(settings.signing_key())

    @provide
    def identity_provider(self, settings: Settings) -> IdentityProvider:
        return GitHubIdentityProvider(
            client_id=settings.github_client_id or "",
            client_secret=settings.github_client_secret or "",
            authorize_url=settings.github_authorize_url,
            token_url=settings.github_token_url,
            api_url=settings.github_api_url,
        )

    @provide
    def mailer(self, settings: Settings) -> Mailer:
        if settings.smtp_host is None:
            return LogMailer()
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            username=settings.smtp_user,
            password=settings.smtp_password,
        )

    @provide
    async def broker(self, settings: Settings) -> AsyncIterator[AsyncBroker]:
        broker = make_broker(settings)
        yield broker
        await broker.shutdown()

    @provide
    def mail_queue(self, broker: AsyncBroker) -> MailQueue:
        return TaskiqMailQueue(broker)

    @provide
    def sign_up_policy(self, settings: Settings) -> SignUpPolicy:
        return SignUpPolicy(settings.officer_github_logins, settings.allowed_email_domains)

    @provide
    def rate_limiter(self, redis: Redis | None) -> RateLimiter:
        return RedisRateLimiter(redis) if redis is not None else InMemoryRateLimiter()

    @provide
    def auth_limits(self, limiter: RateLimiter, settings: Settings) -> AuthLimits:
        address, session = settings.auth_rate_limit, settings.refresh_rate_limit
        return AuthLimits(
            limiter,
            per_address=Rate(address.count, address.per_seconds),
            per_session=Rate(session.count, session.per_seconds),
        )

    @provide
    def read_cache(self, redis: Redis | None, settings: Settings) -> ReadCache:
        if not settings.read_cache:
            # WAP_READ_CACHE=off: every read goes to the database
            return CountingReadCache(NoReadCache())
        return CountingReadCache(
            StoreReadCache(RedisBytesStore(redis) if redis is not None else MemoryBytesStore())
        )

    @provide
    def view_ledger(self, redis: Redis | None) -> ViewLedger:
        if redis is None:
            return InMemoryViewLedger()
        return ResilientViewLedger(RedisViewLedger(redis))

    @provide
    def viewed_pages(
        self, redis: Redis | None, settings: Settings, cache: ReadCache, ledger: ViewLedger
    ) -> ViewedPageCache:
        if redis is None or not settings.read_cache:
            return CountingViewedPages(LedgerViewedPages(cache, ledger))
        # The same keys as read_cache's store and view_ledger's ledger (default prefixes).
        return CountingViewedPages(
            RedisViewedPages(redis, RedisBytesStore(redis), RedisViewLedger(redis))
        )

    @provide
    def flush_journal(self, redis: Redis | None) -> FlushJournal:
        return RedisFlushJournal(redis) if redis is not None else MemoryFlushJournal()

    @provide
    def operations_reader(
        self, redis: Redis | None, journal: FlushJournal, ledger: ViewLedger
    ) -> OperationsReader:
        if isinstance(journal, RedisFlushJournal) and redis is not None:
            return RedisOperationsReader(redis, journal, stream=TASK_STREAM)
        assert isinstance(ledger, InMemoryViewLedger)
        assert isinstance(journal, MemoryFlushJournal)
        return MemoryOperationsReader(ledger, journal)

    @provide
    def view_counts(self, sessionmaker: async_sessionmaker[AsyncSession]) -> ViewCounts:
        return SqlViewCounts(sessionmaker)

    flush_views = provide(FlushViews)
    reset_view_windows = provide(ResetViewWindows)

    @provide
    def image_processor(self) -> ImageProcessor:
        return PillowImageProcessor()

    @provide
    def image_store(self, settings: Settings) -> ImageStore:
        return FileImageStore(settings.media_dir)

    @provide
    def image_limits(self, settings: Settings) -> ImageLimits:
        return ImageLimits(settings.max_image_bytes)

    issuer = provide(SessionIssuer)


class PersistenceProvider(Provider):
    """The request's session is its unit of work; repositories share it."""

    scope = Scope.REQUEST

    @provide
    async def session(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[AsyncSession]:
        # Closing rolls back whatever was not committed: a use case commits explicitly.
        # The session is made on first use: a request answered from the cache needs none.
        lazy = LazySession(sessionmaker)
        try:
            yield cast(AsyncSession, lazy)
        finally:
            if lazy.made is not None:
                await close_session(lazy.made)

    @provide
    def touched(self) -> Touched:
        return Touched()

    @provide
    def outbox(self) -> Outbox:
        return Outbox()

    @provide
    def uow(
        self,
        session: AsyncSession,
        touched: Touched,
        cache: ReadCache,
        outbox: Outbox,
        mail: MailQueue,
    ) -> UnitOfWork:
        return SqlUnitOfWork(session, touched, cache, outbox, mail)

    notices = provide(SqlNoticeRepository, provides=NoticeRepository)
    exports = provide(SqlExportReader, provides=ExportReader)
    notifier = provide(Notifier)

    @provide
    def members(self, session: AsyncSession, touched: Touched) -> MemberRepository:
        return SqlMemberRepository(session, touched)

    @provide
    def teams(self, session: AsyncSession, touched: Touched) -> TeamRepository:
        return SqlTeamRepository(session, touched)

    @provide
    def likes(self, session: AsyncSession, touched: Touched) -> LikeRepository:
        return SqlLikeRepository(session, touched)

    audit = provide(SqlAuditLog, provides=AuditLog)
    applications = provide(SqlApplicationRepository, provides=ApplicationRepository)
    reader = provide(SqlTeamReader, provides=TeamReader)
    detail_reader = provide(SqlTeamDetailReader, provides=TeamDetailReader)


class UseCaseProvider(Provider):
    scope = Scope.REQUEST

    use_cases = provide_all(
        GetCatalog,
        GetPublicProfile,
        GetTeamDetail,
        Authenticate,
        SignInWithGitHub,
        RefreshSession,
        Logout,
        RequestEmailCode,
        Register,
        GetOwnProfile,
        ListMembers,
        ApproveMembers,
        RejectMembers,
        ExpelMembers,
        ChangeRole,
        ListAudit,
        PromoteByLogin,
        CreateTeam,
        EditTeam,
        CompleteTeam,
        DeleteTeam,
        HandOverLeadership,
        LeaveTeam,
        ListTeams,
        ListTeamMembers,
        ListMemberTeams,
        ListLikedTeams,
        SetLike,
        Apply,
        AcceptApplication,
        RejectApplication,
        WithdrawApplication,
        ListTeamApplications,
        ListMyApplications,
        UpdateProfile,
        UploadTeamImage,
        UploadAvatar,
        ListAdminTeams,
        ApproveTeams,
        RejectTeams,
        ReadInbox,
        CountUnread,
        MarkNoticesRead,
        CloseRecruitment,
        ExportCsv,
        SeedDemo,
        ListDemoAccounts,
        DemoSignIn,
    )
    readiness = provide(CheckReadiness, scope=Scope.APP)


def make_container(settings: Settings, *extra: Provider) -> AsyncContainer:
    return make_async_container(
        InfrastructureProvider(),
        PersistenceProvider(),
        UseCaseProvider(),
        *extra,
        context={Settings: settings},
    )
