"""Our database, as the import writes it: every entity with the old service's id kept, in
the one transaction of the session it is given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from wap.adapters.sql.members import member_values
from wap.adapters.sql.tables import applications, likes, members, team_members, team_slots, teams
from wap.adapters.sql.teams import team_values
from wap.application.legacy.plan import ImportPlan
from wap.application.legacy.ports import LegacyTarget, Present
from wap.domain.applications import ApplicationStatus
from wap.domain.members import MemberStatus, Role

BATCH = 500


class TargetNotMigrated(Exception):
    """Our database has no schema yet."""


class SqlLegacyTarget(LegacyTarget):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._migrated = True

    async def present(self) -> Present:
        found = Present()
        connection = await self._session.connection()
        self._migrated = await connection.run_sync(
            lambda sync: inspect(sync).has_table(members.name)
        )
        if not self._migrated:
            return found  # a dry run may still plan against nothing; ``write`` refuses
        for id_, github_id, number, role, status in await self._session.execute(
            select(
                members.c.id,
                members.c.github_id,
                members.c.student_number,
                members.c.role,
                members.c.status,
            )
        ):
            found.members[id_] = github_id
            found.github_ids[github_id] = id_
            if number is not None:
                found.student_numbers[number] = id_
            if role == Role.OFFICER.value and status == MemberStatus.APPROVED.value:
                found.officers.add(id_)
        for id_, key in await self._session.execute(select(teams.c.id, teams.c.title_key)):
            found.teams[id_] = key
            found.title_keys[key] = id_
        found.applications = set((await self._session.execute(select(applications.c.id))).scalars())
        return found

    async def _insert(self, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(rows), BATCH):
            await self._session.execute(insert(table), list(rows[start : start + BATCH]))

    async def write(self, plan: ImportPlan) -> None:
        if not self._migrated:
            raise TargetNotMigrated("our database has no schema: run `wap migrate` first")
        await self._insert(members, [member_values(m) | {"id": m.id} for m in plan.members])
        await self._insert(
            teams,
            [
                team_values(t)
                | {"id": t.id, "like_count": t.like_count, "view_count": t.view_count}
                for t in plan.teams
            ],
        )
        await self._insert(
            team_slots,
            [
                {
                    "team_id": t.id,
                    "category": s.category.value,
                    "capacity": s.capacity,
                    "filled": s.filled,
                }
                for t in plan.teams
                for s in t.slots.values()
            ],
        )
        await self._insert(
            team_members,
            [
                {
                    "team_id": m.team_id,
                    "member_id": m.member_id,
                    "role": m.role.value,
                    "category": m.category.value if m.category else None,
                    "joined_at": m.joined_at,
                }
                for m in plan.team_members
            ],
        )
        await self._insert(
            applications,
            [
                {
                    "id": a.id,
                    "team_id": a.team_id,
                    "member_id": a.member_id,
                    "category": a.category.value,
                    "message": a.message.value,
                    "status": a.status.value,
                    "pending_key": 1 if a.status is ApplicationStatus.PENDING else None,
                    "created_at": a.created_at,
                    "decided_at": a.decided_at,
                }
                for a in plan.applications
            ],
        )
        await self._insert(
            likes,
            [
                {
                    "team_id": like.team_id,
                    "member_id": like.member_id,
                    "created_at": like.created_at,
                }
                for like in plan.likes
            ],
        )

    async def commit(self) -> None:
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()
