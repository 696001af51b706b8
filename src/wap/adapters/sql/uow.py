from __future__ import annotations

import logging

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from wap.adapters.sql.tables import teams
from wap.adapters.sql.touched import Touched
from wap.application.live import LiveUpdates
from wap.application.mail.ports import MailQueue
from wap.application.notices.notifier import Outbox
from wap.application.ports import ReadCache, UnitOfWork
from wap.application.system.ports import DependencyProbe

log = logging.getLogger("wap.live")


class SqlUnitOfWork(UnitOfWork):
    """The request's ``AsyncSession`` is the unit of work; closing it uncommitted rolls back.

    After a commit, the cache entries of what the repositories touched go, so the next read
    sees the write. A member's change also drops the pages of the teams they lead (the
    leader's name and avatar are on them). Then the live updates of the teams whose slots
    changed and the inboxes that changed (``LiveUpdates``): never for a rolled-back change."""

    def __init__(
        self,
        session: AsyncSession,
        touched: Touched,
        cache: ReadCache,
        outbox: Outbox,
        mail: MailQueue,
        live: LiveUpdates | None = None,
    ) -> None:
        self._session = session
        self._touched = touched
        self._cache = cache
        self._outbox, self._mail = outbox, mail
        self._live = live

    async def commit(self) -> None:
        await self._session.commit()
        for mail in self._outbox.take():  # e-mail copies of what just became true
            await self._mail.enqueue(mail)
        if not self._touched:
            return
        teams_touched, members_touched = set(self._touched.teams), set(self._touched.members)
        slots, inboxes = set(self._touched.slots), set(self._touched.inboxes)
        self._touched.clear()
        if members_touched:
            led = await self._session.execute(
                select(teams.c.id).where(teams.c.leader_id.in_(members_touched))
            )
            teams_touched.update(led.scalars())
            await self._session.commit()  # end the read's transaction
        if teams_touched or members_touched:
            await self._cache.forget(teams_touched, members_touched)
        if self._live is not None and (slots or inboxes):
            await self._announce(self._live, slots, inboxes)

    async def _announce(self, live: LiveUpdates, slots: set[int], inboxes: set[int]) -> None:
        """Best effort: the change is committed whatever happens here (a page that missed
        the update shows it on its next load)."""
        try:
            await live.announce(slots, inboxes)
            await self._session.commit()  # end the read's transaction
        except Exception:
            log.warning("live update not sent", exc_info=True)
            await self._session.rollback()

    async def rollback(self) -> None:
        await self._session.rollback()
        # What was rolled back is not announced by a later commit of the same request.
        self._touched.slots.clear()
        self._touched.inboxes.clear()


class SqlProbe(DependencyProbe):
    name = "database"

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def ping(self) -> bool:
        try:
            async with self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True
