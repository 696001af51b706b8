from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from wap.adapters.sql.tables import audit_log
from wap.application.admin.ports import AuditLog
from wap.domain.audit import AuditAction, AuditEntry, AuditTarget, NewAuditEntry


class SqlAuditLog(AuditLog):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: NewAuditEntry) -> None:
        await self._session.execute(
            insert(audit_log).values(
                actor_id=entry.actor_id,
                action=entry.action.value,
                target_type=entry.target_type.value,
                target_id=entry.target_id,
                detail=entry.detail,
                created_at=entry.created_at,
            )
        )

    async def page(self, page: int, page_size: int) -> tuple[list[AuditEntry], int]:
        total = (
            await self._session.execute(select(func.count()).select_from(audit_log))
        ).scalar_one()
        rows = (
            await self._session.execute(
                select(audit_log)
                .order_by(audit_log.c.id.desc())
                .limit(page_size)
                .offset((page - 1) * page_size)
            )
        ).mappings()
        return [
            AuditEntry(
                id=row["id"],
                actor_id=row["actor_id"],
                action=AuditAction(row["action"]),
                target_type=AuditTarget(row["target_type"]),
                target_id=row["target_id"],
                detail=dict(row["detail"]),
                created_at=row["created_at"],
            )
            for row in rows
        ], int(total)
