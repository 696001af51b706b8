"""The composition root: the only place that chooses adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from dishka import (
    AsyncContainer,
    Provider,
    Scope,
    from_context,
    make_async_container,
    provide,
    provide_all,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from wap.adapters.sql.engine import create_engine, create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.teams import SqlTeamRepository
from wap.adapters.sql.uow import SqlProbe, SqlUnitOfWork
from wap.adapters.system import SystemClock
from wap.application.catalog.get_catalog import GetCatalog
from wap.application.members.get_profile import GetPublicProfile
from wap.application.members.ports import MemberRepository
from wap.application.ports import Clock, UnitOfWork
from wap.application.system.readiness import CheckReadiness, DependencyProbe
from wap.application.teams.get_team import GetTeamDetail
from wap.application.teams.ports import TeamRepository
from wap.entrypoints.config import Settings


class InfrastructureProvider(Provider):
    """Process-wide resources: one engine, one pool, one clock."""

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
    def clock(self) -> Clock:
        return SystemClock()

    @provide
    def probes(self, engine: AsyncEngine) -> Sequence[DependencyProbe]:
        return (SqlProbe(engine),)


class PersistenceProvider(Provider):
    """The request's session is its unit of work; repositories share it."""

    scope = Scope.REQUEST

    @provide
    async def session(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[AsyncSession]:
        # Closing rolls back whatever was not committed: a use case commits explicitly.
        async with sessionmaker() as session:
            yield session

    uow = provide(SqlUnitOfWork, provides=UnitOfWork)
    members = provide(SqlMemberRepository, provides=MemberRepository)
    teams = provide(SqlTeamRepository, provides=TeamRepository)


class UseCaseProvider(Provider):
    scope = Scope.REQUEST

    use_cases = provide_all(GetCatalog, GetPublicProfile, GetTeamDetail)
    readiness = provide(CheckReadiness, scope=Scope.APP)


def make_container(settings: Settings, *extra: Provider) -> AsyncContainer:
    return make_async_container(
        InfrastructureProvider(),
        PersistenceProvider(),
        UseCaseProvider(),
        *extra,
        context={Settings: settings},
    )
