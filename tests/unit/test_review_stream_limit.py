"""The live streams' per-caller cap (``StreamLimit``): a place is held exactly as long as its
stream (or the stream's unstarted generator) exists."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import pytest

from wap.application.errors import RateLimited
from wap.application.ports import LiveEvent, LiveFeed, LiveSubscription
from wap.domain.members import Actor, MemberStatus, Role
from wap.entrypoints.http.identity import Identity
from wap.entrypoints.web import live
from wap.entrypoints.web.live import StreamLimit

ALICE = Identity(Actor(1, Role.MEMBER, MemberStatus.APPROVED), "s1", "10.0.0.1")
BOB = Identity(Actor(2, Role.MEMBER, MemberStatus.APPROVED), "s2", "10.0.0.1")
VISITOR = Identity(client_ip="10.0.0.1")


class Quiet(LiveFeed):
    @asynccontextmanager
    async def subscribe(self, channels: Sequence[str]) -> AsyncIterator[LiveSubscription]:
        raise AssertionError("not opened in these tests")
        yield  # pragma: no cover


async def state() -> LiveEvent:
    return {"type": "inbox", "unread": 0}


def test_a_member_and_an_address_each_have_their_own_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live, "MEMBER_STREAMS", 2)
    monkeypatch.setattr(live, "ADDRESS_STREAMS", 1)
    limit = StreamLimit()
    held = [limit.take(ALICE), limit.take(ALICE)]
    with pytest.raises(RateLimited) as refused:
        limit.take(ALICE)
    assert refused.value.retry_after is not None and refused.value.retry_after >= 1
    held += [limit.take(BOB), limit.take(VISITOR)]  # others, even at the same address
    with pytest.raises(RateLimited):
        limit.take(VISITOR)
    assert limit.holding("member:1") == 2 and limit.holding("address:10.0.0.1") == 1
    del held
    gc.collect()
    assert limit.holding("member:1") == 0
    limit.take(ALICE)  # free again
    assert limit._held.keys() <= {"member:1"}  # no empty entries left behind


async def test_a_stream_that_never_starts_gives_its_place_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live, "MEMBER_STREAMS", 1)
    limit = StreamLimit()
    stream = live._stream(Quiet(), "member:1", state, limit.take(ALICE))
    assert limit.holding("member:1") == 1
    del stream  # the client went before the response began
    gc.collect()
    assert limit.holding("member:1") == 0


async def test_a_stream_that_ends_gives_its_place_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "MEMBER_STREAMS", 1)
    limit = StreamLimit()
    stream = live._stream(Quiet(), "member:1", state, limit.take(ALICE))
    with pytest.raises(AssertionError):
        await anext(stream)
    assert limit.holding("member:1") == 0  # even while the generator object is still around
    await stream.aclose()


def test_an_event_is_one_data_line_whatever_its_strings_hold() -> None:
    """Event text cannot end the SSE message early or add a field of its own."""
    sent = live._message({"type": "slots", "category": '웹\n\ndata: {"type":"x"}\r\nid: 9'})
    lines = sent.encode().decode().split("\r\n")
    # One data line, then the blank line that ends the message: nothing else.
    assert len(lines) == 3 and lines[0].startswith("data: {") and lines[1:] == ["", ""]
