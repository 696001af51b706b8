"""/notifications: a member's inbox."""

from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from litestar import get, post
from litestar.params import JSONBody, QueryParameter
from msgspec import Meta

from wap.application.notices.inbox import (
    MAX_IDS,
    Inbox,
    InboxQuery,
    MarkNoticesRead,
    MarkRead,
    ReadInbox,
    Unread,
)
from wap.entrypoints.http.identity import Identity
from wap.entrypoints.http.params import MAX_ID
from wap.entrypoints.http.responses import SIGNED_IN, errors


class ReadBody(msgspec.Struct, forbid_unknown_fields=True):
    ids: Annotated[list[Annotated[int, Meta(ge=1, le=MAX_ID)]], Meta(max_length=MAX_IDS)] | None = (
        None
    )


@get(
    "/notifications",
    tags=["notifications"],
    summary="One's inbox, newest first, with the unread count",
    responses=errors(*SIGNED_IN),
)
async def inbox(
    identity: FromDishka[Identity],
    read_inbox: FromDishka[ReadInbox],
    unread: Annotated[bool, QueryParameter()] = False,
    cursor: Annotated[str | None, QueryParameter(max_length=40)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=50)] = 20,
) -> Inbox:
    return await read_inbox(InboxQuery(identity.signed_in(), unread, cursor, limit))


@post(
    "/notifications/read",
    tags=["notifications"],
    summary="Mark some notices read (`ids`), or all of them (no `ids`)",
    status_code=200,
    responses=errors(*SIGNED_IN),
)
async def mark_read(
    identity: FromDishka[Identity],
    mark: FromDishka[MarkNoticesRead],
    data: JSONBody[ReadBody | None] = None,
) -> Unread:
    ids = tuple(data.ids) if data is not None and data.ids is not None else None
    return await mark(MarkRead(identity.signed_in(), ids))
