"""The composition root: the only place that chooses adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from dishka import (
    STRICT_VALIDATION,
    AnyOf,
    AsyncContainer,
    Provider,
    Scope,
    decorate,
    from_context,
    make_async_container,
    provide,
    provide_all,
)
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from taskiq import AsyncBroker

from wap.adapters.cache import (
    BytesStore,
    LedgerViewedPages,
    MemoryBytesStore,
    NoReadCache,
    RedisBytesStore,
    StoreReadCache,
)
from wap.adapters.github.oauth import GitHubIdentityProvider
from wap.adapters.limits import InMemoryRateLimiter, RedisRateLimiter
from wap.adapters.mail.senders import LogMailer, SmtpMailer
from wap.adapters.media.images import FileImageStore, PillowImageProcessor
from wap.adapters.media.s3 import S3ImageStore, S3Location, s3_store
from wap.adapters.memory.live import InMemoryLiveEvents
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
from wap.adapters.redis.batch import CommandBatch
from wap.adapters.redis.client import redis_client
from wap.adapters.redis.live import RedisLiveEvents
from wap.adapters.redis.probe import RedisProbe
from wap.adapters.redis.sessions import RedisEmailCodeStore, RedisSessionStore
from wap.adapters.redis.views import RedisViewedPages, RedisViewLedger, ResilientViewLedger
from wap.adapters.security.jwt import JwtAccessTokenCodec
from wap.adapters.sql.applications import SqlApplicationRepository
from wap.adapters.sql.audit import SqlAuditLog
from wap.adapters.sql.engine import create_engine, create_read_engine, create_sessionmaker
from wap.adapters.sql.exports import SqlExportReader
from wap.adapters.sql.likes import SqlLikeRepository
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.notices import SqlNoticeRepository
from wap.adapters.sql.reader import SqlTeamDetailReader, SqlTeamReader
from wap.adapters.sql.reads import SqlReads
from wap.adapters.sql.rounds import SqlRoundRepository
from wap.adapters.sql.session import request_session
from wap.adapters.sql.statistics import SqlClubStatistics
from wap.adapters.sql.teams import SqlTeamRepository
from wap.adapters.sql.touched import Touched
from wap.adapters.sql.uow import SqlProbe, SqlUnitOfWork
from wap.adapters.sql.views import SqlViewCounts
from wap.adapters.system import SystemClock
from wap.adapters.taskiq.mail import TaskiqMailQueue
from wap.application.admin.dashboard import GetDashboard
from wap.application.admin.exports import ExportCsv
from wap.application.admin.members import (
    ApproveMembers,
    ChangeRole,
    ExpelMembers,
    ListAudit,
    ListMembers,
    PromoteByLogin,
    RejectMembers,
)
from wap.application.admin.ports import AuditLog, ClubStatistics, ExportReader
from wap.application.admin.teams import ApproveTeams, ListAdminTeams, RejectTeams
from wap.application.auth.limits import AuthLimits, Rate
from wap.application.auth.ports import (
    AccessTokenCodec,
    EmailCodeStore,
    IdentityProvider,
    RateLimiter,
    SessionStore,
)
from wap.application.auth.sessions import Authenticate, Logout, RefreshSession, SessionIssuer
from wap.application.auth.sign_in import SignInWithGitHub
from wap.application.auth.sign_up import GetOwnProfile, Register, RequestEmailCode, SignUpPolicy
from wap.application.catalog.get_catalog import GetCatalog
from wap.application.demo import DemoSignIn, ListDemoAccounts, SeedDemo
from wap.application.live import LiveUpdates, WatchInbox, WatchTeam
from wap.application.mail.ports import Mailer, MailQueue
from wap.application.media.ports import ImageProcessor, ImageStore
from wap.application.media.upload import ImageLimits, UploadAvatar, UploadTeamImage
from wap.application.members.get_profile import GetPublicProfile
from wap.application.members.ports import MemberRepository
from wap.application.members.update_profile import UpdateProfile
from wap.application.notices.inbox import CountUnread, MarkNoticesRead, OpenNotice, ReadInbox
from wap.application.notices.notifier import Notifier, Outbox
from wap.application.notices.ports import NoticeRepository
from wap.application.ports import Clock, LiveEvents, LiveFeed, ReadCache, UnitOfWork
from wap.application.rounds.ports import RoundRepository
from wap.application.rounds.use_cases import (
    AdjustRound,
    ExportRound,
    GetMyChoices,
    GetRound,
    ListRoundApplicants,
    OpenRound,
    PreviewRound,
    PublishRound,
    RankApplicants,
    RunRound,
    SaveChoices,
    SetOptIn,
)
from wap.application.system.ports import DependencyProbe
from wap.application.system.readiness import CheckReadiness
from wap.application.teams.applying import (
    AcceptApplication,
    Apply,
    ListMyApplications,
    ListTeamApplications,
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
    TeamReader,
    TeamRepository,
)
from wap.application.teams.queries import (
    GetTeamDetail,
    ListLikedTeams,
    ListMemberTeams,
    ListOwnTeams,
    ListTeamMembers,
    ListTeams,
    SetLike,
)
from wap.application.views.flush import FlushViews, ResetViewWindows
from wap.application.views.ports import ViewCounts, ViewedPageCache, ViewLedger
from wap.entrypoints.config import Settings
from wap.entrypoints.worker.broker import TASK_STREAM, make_broker


class CoreProvider(Provider):
    """Process-wide resources whatever the stores: the engine, the broker, the codecs, the
    clients of other services, and what is built from the stores' ports."""

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

    sql_probe = provide(SqlProbe)

    @provide
    def clock(self) -> Clock:
        return SystemClock()

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
    def auth_limits(self, limiter: RateLimiter, settings: Settings) -> AuthLimits:
        address, session = settings.auth_rate_limit, settings.refresh_rate_limit
        return AuthLimits(
            limiter,
            per_address=Rate(address.count, address.per_seconds),
            per_session=Rate(session.count, session.per_seconds),
        )

    @provide
    def read_cache(self, store: BytesStore) -> ReadCache:
        return StoreReadCache(store)

    @provide
    def view_counts(self, sessionmaker: async_sessionmaker[AsyncSession]) -> ViewCounts:
        return SqlViewCounts(sessionmaker)

    flush_views = provide(FlushViews)
    reset_view_windows = provide(ResetViewWindows)

    @provide
    def image_processor(self) -> ImageProcessor:
        return PillowImageProcessor()

    @provide
    def image_limits(self, settings: Settings) -> ImageLimits:
        return ImageLimits(settings.max_image_bytes)

    issuer = provide(SessionIssuer)


class RedisProvider(Provider):
    """``WAP_REDIS_URL`` set: the stores every process shares live in Redis (sessions, codes,
    limits, the read cache, the view ledger, the flush journal). One instance of each."""

    scope = Scope.APP

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url

    @provide
    async def redis(self) -> AsyncIterator[Redis]:
        async with redis_client(self._url) as client:
            yield client

    @provide
    def probes(self, sql: SqlProbe, redis: Redis) -> Sequence[DependencyProbe]:
        return (sql, RedisProbe(redis))

    @provide(provides=AnyOf[LiveEvents, LiveFeed])
    async def live_events(self, redis: Redis) -> AsyncIterator[RedisLiveEvents]:
        live = RedisLiveEvents(redis)  # one pub/sub connection for the process's pages
        yield live
        await live.close()

    @provide
    def sessions(self, redis: Redis) -> SessionStore:
        return RedisSessionStore(redis)

    @provide
    def email_codes(self, redis: Redis) -> EmailCodeStore:
        return RedisEmailCodeStore(redis)

    @provide
    def rate_limiter(self, redis: Redis) -> RateLimiter:
        return RedisRateLimiter(redis)

    @provide
    def command_batch(self, redis: Redis) -> CommandBatch:
        # One for the process: the cache's GETs and the team pages' scripts of the same
        # loop turn share a pipeline.
        return CommandBatch(redis)

    @provide(provides=AnyOf[RedisBytesStore, BytesStore])
    def bytes_store(self, redis: Redis, batch: CommandBatch) -> RedisBytesStore:
        return RedisBytesStore(redis, batch=batch)

    @provide
    def ledger(self, redis: Redis, batch: CommandBatch) -> RedisViewLedger:
        return RedisViewLedger(redis, batch=batch)

    @provide
    def view_ledger(self, ledger: RedisViewLedger) -> ViewLedger:
        return ResilientViewLedger(ledger)

    @provide
    def viewed_pages(
        self, redis: Redis, store: RedisBytesStore, ledger: RedisViewLedger, batch: CommandBatch
    ) -> ViewedPageCache:
        return RedisViewedPages(redis, store, ledger, batch)

    @provide(provides=AnyOf[RedisFlushJournal, FlushJournal])
    def flush_journal(self, redis: Redis) -> RedisFlushJournal:
        return RedisFlushJournal(redis)

    @provide
    def operations_reader(
        self, redis: Redis, journal: RedisFlushJournal, ledger: RedisViewLedger
    ) -> OperationsReader:
        return RedisOperationsReader(redis, journal, ledger, stream=TASK_STREAM)


class MemoryProvider(Provider):
    """The embedded default (no ``WAP_REDIS_URL``): one process keeps the same stores in its
    memory, at APP scope (at request scope they would be empty each time)."""

    scope = Scope.APP

    @provide
    def probes(self, sql: SqlProbe) -> Sequence[DependencyProbe]:
        return (sql,)

    @provide(provides=AnyOf[LiveEvents, LiveFeed])
    def live_events(self) -> InMemoryLiveEvents:
        return InMemoryLiveEvents()

    @provide
    def sessions(self) -> SessionStore:
        return InMemorySessionStore()

    @provide
    def email_codes(self) -> EmailCodeStore:
        return InMemoryEmailCodeStore()

    @provide
    def rate_limiter(self) -> RateLimiter:
        return InMemoryRateLimiter()

    @provide
    def bytes_store(self) -> BytesStore:
        return MemoryBytesStore()

    ledger = provide(InMemoryViewLedger, provides=AnyOf[InMemoryViewLedger, ViewLedger])

    viewed_pages = provide(LedgerViewedPages, provides=ViewedPageCache)
    journal = provide(MemoryFlushJournal, provides=AnyOf[MemoryFlushJournal, FlushJournal])

    @provide
    def operations_reader(
        self, ledger: InMemoryViewLedger, journal: MemoryFlushJournal
    ) -> OperationsReader:
        return MemoryOperationsReader(ledger, journal)


class UncachedProvider(Provider):
    """``WAP_READ_CACHE=off``: every read goes to the database (to measure it, or to rule the
    cache out while looking for a fault). Overrides the read cache of either store set."""

    scope = Scope.APP
    read_cache = provide(NoReadCache, provides=ReadCache, override=True)
    # Over a cache that always misses: every team page is read from the database.
    viewed_pages = provide(LedgerViewedPages, provides=ViewedPageCache, override=True)


class MetricsProvider(Provider):
    """Counts the caches' hits and misses around whichever caches were chosen."""

    scope = Scope.APP

    @decorate
    def counted_cache(self, cache: ReadCache) -> ReadCache:
        return CountingReadCache(cache)

    @decorate
    def counted_pages(self, pages: ViewedPageCache) -> ViewedPageCache:
        return CountingViewedPages(pages)


class PersistenceProvider(Provider):
    """The request's session is its unit of work; repositories share it, and a ``Touched``
    that the unit of work reads when it commits."""

    scope = Scope.REQUEST

    session = provide(staticmethod(request_session))

    @provide
    def touched(self) -> Touched:
        return Touched()

    outbox = provide(Outbox)
    live_updates = provide(LiveUpdates)

    @provide
    def uow(
        self,
        session: AsyncSession,
        touched: Touched,
        cache: ReadCache,
        outbox: Outbox,
        mail: MailQueue,
        live: LiveUpdates,
    ) -> UnitOfWork:
        return SqlUnitOfWork(session, touched, cache, outbox, mail, live)

    @provide
    def notices(self, session: AsyncSession, touched: Touched) -> NoticeRepository:
        return SqlNoticeRepository(session, touched)

    exports = provide(SqlExportReader, provides=ExportReader)
    notifier = provide(Notifier)
    members = provide(SqlMemberRepository, provides=MemberRepository)
    teams = provide(SqlTeamRepository, provides=TeamRepository)
    likes = provide(SqlLikeRepository, provides=LikeRepository)
    audit = provide(SqlAuditLog, provides=AuditLog)
    statistics = provide(SqlClubStatistics, provides=ClubStatistics)
    applications = provide(SqlApplicationRepository, provides=ApplicationRepository)
    reader = provide(SqlTeamReader, provides=TeamReader)
    detail_reader = provide(SqlTeamDetailReader, provides=TeamDetailReader)
    rounds = provide(SqlRoundRepository, provides=RoundRepository)


class HotReadProvider(Provider):
    """The two hottest reads, a team's page and a public profile, made once per process.

    At request scope each request built its own graph for them (a session, a reader, a
    repository, the use case): about 140 µs of dishka per page, more than the page's own
    work when it comes from the cache. They read nothing they write, so they need no unit of
    work: their repositories run on ``SqlReads`` (autocommit connections, no closing
    ``ROLLBACK``), and the same use cases and ports are built once on it."""

    scope = Scope.APP

    @provide
    async def sql_reads(self, settings: Settings) -> AsyncIterator[SqlReads]:
        reads = SqlReads(create_read_engine(settings.database_url))
        yield reads
        await reads.dispose()

    @provide
    def team_detail(
        self,
        reads: SqlReads,
        cache: ReadCache,
        viewed: ViewedPageCache,
        ledger: ViewLedger,
        clock: Clock,
    ) -> GetTeamDetail:
        session = reads.as_session()
        likes = SqlLikeRepository(session, Touched())  # has_liked only: it touches nothing
        return GetTeamDetail(SqlTeamDetailReader(session), likes, cache, viewed, ledger, clock)

    @provide
    def public_profile(self, reads: SqlReads, cache: ReadCache) -> GetPublicProfile:
        return GetPublicProfile(SqlMemberRepository(reads.as_session(), Touched()), cache)


class UseCaseProvider(Provider):
    scope = Scope.REQUEST

    use_cases = provide_all(
        GetCatalog,
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
        GetDashboard,
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
        ListOwnTeams,
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
        OpenNotice,
        CloseRecruitment,
        ExportCsv,
        SeedDemo,
        ListDemoAccounts,
        DemoSignIn,
        WatchTeam,
        WatchInbox,
    )
    readiness = provide(CheckReadiness, scope=Scope.APP)
    # The matching round (issue 18).
    round_use_cases = provide_all(
        OpenRound,
        GetRound,
        RunRound,
        SetOptIn,
        SaveChoices,
        GetMyChoices,
        ListRoundApplicants,
        RankApplicants,
        PreviewRound,
        AdjustRound,
        PublishRound,
        ExportRound,
    )


class FileMediaProvider(Provider):
    """Images in a folder (``WAP_MEDIA_DIR``, the default): one machine, or a shared volume."""

    scope = Scope.APP

    @provide
    def image_store(self, settings: Settings) -> ImageStore:
        return FileImageStore(settings.media_dir)


class S3MediaProvider(Provider):
    """Images in S3-compatible object storage (``WAP_MEDIA_URL=s3://bucket/prefix``), which
    every app machine reaches; ``/media`` reads them through the store (http/media.py)."""

    scope = Scope.APP

    def __init__(self, location: S3Location) -> None:
        super().__init__()
        self._location = location

    @provide(provides=AnyOf[S3ImageStore, ImageStore])
    def image_store(self) -> S3ImageStore:
        return S3ImageStore(s3_store(self._location))


def media_provider(settings: Settings) -> Provider:
    """The one choice of image store: a folder, or a bucket."""
    bucket = settings.media_bucket
    if bucket is None:
        return FileMediaProvider()
    return S3MediaProvider(
        S3Location(
            bucket=bucket[0],
            prefix=bucket[1],
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
    )


def store_providers(settings: Settings) -> list[Provider]:
    """The one choice of stores: Redis or process memory, then the read cache on or off."""
    url = settings.redis_url
    stores: list[Provider] = [RedisProvider(url) if url is not None else MemoryProvider()]
    if not settings.read_cache:
        stores.append(UncachedProvider())
    return stores


def make_container(settings: Settings, *extra: Provider) -> AsyncContainer:
    """``extra`` providers come last: the entrypoints' own, and tests' overrides (which
    must say ``override=True``: the graph is validated strictly when the container is made)."""
    return make_async_container(
        CoreProvider(),
        *store_providers(settings),
        media_provider(settings),
        PersistenceProvider(),
        HotReadProvider(),
        UseCaseProvider(),
        MetricsProvider(),
        *extra,
        context={Settings: settings},
        validation_settings=STRICT_VALIDATION,
    )
