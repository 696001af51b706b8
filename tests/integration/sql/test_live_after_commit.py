"""The SQL unit of work announces live updates only for what it committed: the slots of the
teams whose places changed and the unread counts of the inboxes that changed, read after the
commit; nothing for what was rolled back (SQLite and MariaDB)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.builders import NOW, member, team
from tests.fakes import RecordingMailQueue
from wap.adapters.cache import NoReadCache
from wap.adapters.sql.engine import create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.notices import SqlNoticeRepository
from wap.adapters.sql.reader import SqlTeamDetailReader
from wap.adapters.sql.teams import SqlTeamRepository
from wap.adapters.sql.touched import Touched
from wap.adapters.sql.uow import SqlUnitOfWork
from wap.application.live import LiveUpdates
from wap.application.notices.notifier import Outbox
from wap.application.ports import LiveEvent, LiveEvents
from wap.domain.catalog import Category
from wap.domain.notifications import NewNotice, NoticeKind


class RecordingLiveEvents(LiveEvents):
    def __init__(self) -> None:
        self.sent: list[tuple[str, LiveEvent]] = []

    async def publish(self, channel: str, event: LiveEvent) -> None:
        self.sent.append((channel, event))


async def test_only_committed_changes_are_announced_after_the_commit(engine: AsyncEngine) -> None:
    sessions, events = create_sessionmaker(engine), RecordingLiveEvents()
    async with sessions() as session:
        touched = Touched()
        members, teams = SqlMemberRepository(session, touched), SqlTeamRepository(session, touched)
        notices = SqlNoticeRepository(session, touched)
        live = LiveUpdates(SqlTeamDetailReader(session), notices, events)
        uow = SqlUnitOfWork(session, touched, NoReadCache(), Outbox(), RecordingMailQueue(), live)
        leader, first, second = [await members.add(member()) for _ in range(3)]
        board = await teams.add(team(leader.id, slots={Category.WEB: 2}))
        await uow.commit()
        events.sent.clear()

        # Rolled back: a place taken and a notice written, then the transaction undone.
        assert await teams.take_place(board.id, first.id, Category.WEB, NOW)
        await notices.add_many([NewNotice(first.id, NoticeKind.APPLICATION_ACCEPTED, NOW, {})])
        await uow.rollback()
        assert events.sent == []

        # A later commit in the same unit of work announces only its own change.
        assert await teams.take_place(board.id, second.id, Category.WEB, NOW)
        await notices.add_many([NewNotice(second.id, NoticeKind.APPLICATION_ACCEPTED, NOW, {})])
        assert events.sent == []  # nothing before the commit
        await uow.commit()
        slots = {"category": "웹", "filled": 1, "capacity": 2}
        assert events.sent == [
            (
                f"team:{board.id}",
                {"type": "slots", "team_id": board.id, "status": "recruiting", "slots": [slots]},
            ),
            (f"member:{second.id}", {"type": "inbox", "unread": 1}),
        ]
        # A commit that touched no slots and no inbox announces nothing.
        events.sent.clear()
        await uow.commit()
        assert events.sent == []
        assert not session.in_transaction()  # the announcement's read ended its transaction
