from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from wap.adapters.sql.results import inserted_id
from wap.adapters.sql.tables import applications, teams
from wap.application.teams.ports import ApplicationRepository
from wap.domain.applications import Application, ApplicationStatus, Message, NewApplication
from wap.domain.catalog import Category
from wap.domain.errors import DuplicateApplication, TeamNotFound
from wap.domain.values import restored


def application_from_row(row: RowMapping) -> Application:
    return Application(
        id=row["id"],
        team_id=row["team_id"],
        member_id=row["member_id"],
        category=Category(row["category"]),
        message=restored(Message, row["message"]),
        status=ApplicationStatus(row["status"]),
        created_at=row["created_at"],
        decided_at=row["decided_at"],
    )


def _state(application: NewApplication) -> dict[str, Any]:
    return {
        "status": application.status.value,
        # 1 while pending, NULL after: the unique index allows one pending per member and team.
        "pending_key": 1 if application.is_pending else None,
        "decided_at": application.decided_at,
    }


class SqlApplicationRepository(ApplicationRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, application: NewApplication) -> Application:
        values = {
            "team_id": application.team_id,
            "member_id": application.member_id,
            "category": application.category.value,
            "message": application.message.value,
            "created_at": application.created_at,
            **_state(application),
        }
        # The team and member exist (the use case read them), so the one key a new pending
        # application can clash on is "one pending per member and team".
        try:
            async with self._session.begin_nested():
                result = await self._session.execute(insert(applications).values(values))
        except IntegrityError:
            gone = (
                await self._session.execute(
                    select(teams.c.id).where(teams.c.id == application.team_id)
                )
            ).first() is None
            raise (TeamNotFound() if gone else DuplicateApplication()) from None
        return application.stored(inserted_id(result))

    async def _one(self, application_id: int, lock: bool) -> Application | None:
        query = select(applications).where(applications.c.id == application_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().first()
        return application_from_row(row) if row else None

    async def get(self, application_id: int) -> Application | None:
        return await self._one(application_id, lock=False)

    async def get_for_update(self, application_id: int) -> Application | None:
        return await self._one(application_id, lock=True)

    async def save(self, application: Application) -> None:
        await self._session.execute(
            update(applications)
            .where(applications.c.id == application.id)
            .values(_state(application))
        )

    async def pending_for_team(self, team_id: int) -> list[Application]:
        query = (
            select(applications)
            .where(applications.c.team_id == team_id, applications.c.pending_key == 1)
            .order_by(applications.c.id)
            .with_for_update()
        )
        return [application_from_row(r) for r in (await self._session.execute(query)).mappings()]

    async def has_pending(self, team_id: int, member_id: int) -> bool:
        query = select(applications.c.id).where(
            applications.c.team_id == team_id,
            applications.c.member_id == member_id,
            applications.c.pending_key == 1,
        )
        return (await self._session.execute(query)).first() is not None
