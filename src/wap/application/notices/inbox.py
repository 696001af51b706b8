"""A member's inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from wap.application.cursors import decode_cursor, encode_cursor
from wap.application.members.caller import load_caller
from wap.application.members.ports import MemberRepository
from wap.application.notices.ports import NoticeRepository
from wap.application.notices.texts import render
from wap.application.ports import Clock, UnitOfWork
from wap.domain.errors import InvalidValue
from wap.domain.members import Actor, Language
from wap.domain.notifications import Notice

PAGE = 20
MAX_IDS = 200


class NoticeView(msgspec.Struct, frozen=True):
    id: int
    kind: str
    text: str
    payload: dict[str, Any]
    read: bool
    created_at: datetime


class Inbox(msgspec.Struct, frozen=True):
    items: list[NoticeView]
    next_cursor: str | None
    unread_count: int


class Unread(msgspec.Struct, frozen=True):
    unread_count: int


@dataclass(frozen=True, slots=True)
class InboxQuery:
    actor: Actor
    unread_only: bool = False
    cursor: str | None = None
    limit: int = PAGE


class ReadInbox:
    """Newest first, in the member's language."""

    def __init__(self, notices: NoticeRepository, members: MemberRepository) -> None:
        self._notices, self._members = notices, members

    async def __call__(self, query: InboxQuery) -> Inbox:
        member = await load_caller(self._members, query.actor.member_id)
        before = decode_cursor(query.cursor) if query.cursor else None
        found = await self._notices.page(
            member.id,
            unread_only=query.unread_only,
            before_id=before,
            limit=query.limit + 1,
        )
        more = len(found) > query.limit
        found = found[: query.limit]
        items = [_view(n, member.language) for n in found]
        cursor = encode_cursor(found[-1].id) if more and found else None
        return Inbox(items, cursor, await self._notices.unread_count(member.id))


def _view(notice: Notice, language: Language) -> NoticeView:
    return NoticeView(
        id=notice.id,
        kind=notice.kind.value,
        text=render(notice.kind, notice.payload, language),
        payload=notice.payload,
        read=notice.is_read,
        created_at=notice.created_at,
    )


@dataclass(frozen=True, slots=True)
class OpenQuery:
    actor: Actor
    notice_id: int


class OpenNotice:
    """Opening one of the member's own notices marks it read (again: no change) and gives it
    back, for its subject; another member's notice is ``None``, as if it did not exist."""

    def __init__(
        self,
        notices: NoticeRepository,
        members: MemberRepository,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._notices, self._members, self._uow, self._clock = notices, members, uow, clock

    async def __call__(self, query: OpenQuery) -> NoticeView | None:
        member = await load_caller(self._members, query.actor.member_id)
        notice = await self._notices.get(member.id, query.notice_id)
        if notice is None:
            return None
        if not notice.is_read:
            await self._notices.mark_read(member.id, (notice.id,), self._clock.now())
            await self._uow.commit()
        return _view(notice, member.language)


class CountUnread:
    """The badge on every page: one count, nothing rendered."""

    def __init__(self, notices: NoticeRepository) -> None:
        self._notices = notices

    async def __call__(self, actor: Actor) -> int:
        return await self._notices.unread_count(actor.member_id)


@dataclass(frozen=True, slots=True)
class MarkRead:
    actor: Actor
    ids: tuple[int, ...] | None = None  # None: all


class MarkNoticesRead:
    def __init__(self, notices: NoticeRepository, uow: UnitOfWork, clock: Clock) -> None:
        self._notices, self._uow, self._clock = notices, uow, clock

    async def __call__(self, command: MarkRead) -> Unread:
        if command.ids is not None and len(command.ids) > MAX_IDS:
            raise InvalidValue(field="ids")
        await self._notices.mark_read(command.actor.member_id, command.ids, self._clock.now())
        await self._uow.commit()
        return Unread(await self._notices.unread_count(command.actor.member_id))
