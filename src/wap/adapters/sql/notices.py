from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from wap.adapters.sql.tables import notifications
from wap.adapters.sql.touched import Touched
from wap.application.notices.ports import NoticeRepository
from wap.domain.notifications import NewNotice, Notice, NoticeKind


class SqlNoticeRepository(NoticeRepository):
    def __init__(self, session: AsyncSession, touched: Touched | None = None) -> None:
        self._session = session
        # The inboxes this unit of work changed: their badges update after it commits.
        self._touched = touched if touched is not None else Touched()

    async def add_many(self, notices: Sequence[NewNotice]) -> None:
        self._touched.inboxes.update(n.member_id for n in notices)
        if notices:
            await self._session.execute(
                insert(notifications),
                [
                    {
                        "member_id": n.member_id,
                        "kind": n.kind.value,
                        "payload": n.payload,
                        "read_at": n.read_at,
                        "created_at": n.created_at,
                    }
                    for n in notices
                ],
            )

    async def page(
        self, member_id: int, *, unread_only: bool, before_id: int | None, limit: int
    ) -> list[Notice]:
        query = select(notifications).where(notifications.c.member_id == member_id)
        if unread_only:
            query = query.where(notifications.c.read_at.is_(None))
        if before_id is not None:
            query = query.where(notifications.c.id < before_id)
        rows = await self._session.execute(query.order_by(notifications.c.id.desc()).limit(limit))
        return [_notice(r) for r in rows.mappings()]

    async def unread_of_kind(self, member_id: int, kind: NoticeKind) -> list[Notice]:
        query = select(notifications).where(
            notifications.c.member_id == member_id,
            notifications.c.kind == kind.value,
            notifications.c.read_at.is_(None),
        )
        rows = await self._session.execute(query.order_by(notifications.c.id.desc()))
        return [_notice(r) for r in rows.mappings()]

    async def get(self, member_id: int, notice_id: int) -> Notice | None:
        query = select(notifications).where(
            notifications.c.member_id == member_id, notifications.c.id == notice_id
        )
        row = (await self._session.execute(query)).mappings().first()
        return None if row is None else _notice(row)

    async def unread_count(self, member_id: int) -> int:
        query = (
            select(func.count())
            .select_from(notifications)
            .where(notifications.c.member_id == member_id, notifications.c.read_at.is_(None))
        )
        return int((await self._session.execute(query)).scalar_one())

    async def mark_read(self, member_id: int, ids: Sequence[int] | None, now: datetime) -> None:
        self._touched.inboxes.add(member_id)
        statement = update(notifications).where(
            notifications.c.member_id == member_id, notifications.c.read_at.is_(None)
        )
        if ids is not None:
            statement = statement.where(notifications.c.id.in_(list(ids)))
        await self._session.execute(statement.values(read_at=now))


def _notice(r: RowMapping) -> Notice:
    return Notice(
        id=r["id"],
        member_id=r["member_id"],
        kind=NoticeKind(r["kind"]),
        payload=dict(r["payload"]),
        read_at=r["read_at"],
        created_at=r["created_at"],
    )
