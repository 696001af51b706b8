"""In-memory twins of the session and e-mail code stores, for the embedded default.

They keep the Redis adapters' semantics (TTLs, single use, atomic steps); one contract suite
runs against both. State lives in the process, so the embedded default runs one worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from wap.application.auth.ports import (
    CodeCheck,
    EmailCodeStore,
    RefreshOutcome,
    RefreshUse,
    SessionStore,
)

V = TypeVar("V")
Now = Callable[[], float]


class ExpiringDict(Generic[V]):
    """A dict whose entries vanish after their TTL, measured on a monotonic clock."""

    def __init__(self, now: Now = time.monotonic) -> None:
        self._now = now
        self._items: dict[str, tuple[float, V]] = {}

    def set(self, key: str, value: V, ttl_seconds: float) -> None:
        self._items[key] = (self._now() + ttl_seconds, value)
        if len(self._items) % 1024 == 0:
            self.purge()

    def get(self, key: str) -> V | None:
        found = self._items.get(key)
        if found is None:
            return None
        if found[0] <= self._now():
            del self._items[key]
            return None
        return found[1]

    def ttl(self, key: str) -> float:
        found = self._items.get(key)
        return max(0.0, found[0] - self._now()) if found else 0.0

    def pop(self, key: str) -> V | None:
        value = self.get(key)
        self._items.pop(key, None)
        return value

    def purge(self) -> None:
        now = self._now()
        for key in [k for k, (deadline, _) in self._items.items() if deadline <= now]:
            del self._items[key]


@dataclass(slots=True)
class _Refresh:
    session_id: str
    used: bool = False


class InMemorySessionStore(SessionStore):
    def __init__(self, now: Now = time.monotonic) -> None:
        self._sessions: ExpiringDict[int] = ExpiringDict(now)
        self._refresh: ExpiringDict[_Refresh] = ExpiringDict(now)

    async def open(self, session_id: str, member_id: int, ttl_seconds: int) -> None:
        self._sessions.set(session_id, member_id, ttl_seconds)

    async def member_of(self, session_id: str) -> int | None:
        return self._sessions.get(session_id)

    async def close(self, session_id: str) -> None:
        self._sessions.pop(session_id)

    async def add_refresh(self, digest: str, session_id: str, ttl_seconds: int) -> None:
        self._refresh.set(digest, _Refresh(session_id), ttl_seconds)

    async def session_of_refresh(self, digest: str) -> str | None:
        record = self._refresh.get(digest)
        return record.session_id if record is not None else None

    async def use_refresh(self, digest: str) -> RefreshUse:
        # No await between reading and marking: atomic on the event loop.
        record = self._refresh.get(digest)
        if record is None:
            return RefreshUse(RefreshOutcome.UNKNOWN)
        if record.used:
            return RefreshUse(RefreshOutcome.REUSED, record.session_id)
        record.used = True
        member_id = self._sessions.get(record.session_id)
        if member_id is None:
            return RefreshUse(RefreshOutcome.UNKNOWN)
        return RefreshUse(RefreshOutcome.FRESH, record.session_id, member_id)


@dataclass(slots=True)
class _Code:
    email: str
    digest: str
    wrong: int = field(default=0)


class InMemoryEmailCodeStore(EmailCodeStore):
    def __init__(self, now: Now = time.monotonic) -> None:
        self._cooldowns: ExpiringDict[bool] = ExpiringDict(now)
        self._codes: ExpiringDict[_Code] = ExpiringDict(now)

    async def start_cooldown(self, member_id: int, seconds: int) -> bool:
        key = str(member_id)
        if self._cooldowns.get(key):
            return False
        self._cooldowns.set(key, True, seconds)
        return True

    async def put(self, member_id: int, email: str, digest: str, ttl_seconds: int) -> None:
        self._codes.set(str(member_id), _Code(email, digest), ttl_seconds)

    async def check(self, member_id: int, email: str, digest: str, max_tries: int) -> CodeCheck:
        key = str(member_id)
        code = self._codes.get(key)
        if code is None:
            return CodeCheck.EXPIRED
        if code.email == email and code.digest == digest:
            self._codes.pop(key)
            return CodeCheck.OK
        code.wrong += 1
        if code.wrong >= max_tries:
            self._codes.pop(key)
        return CodeCheck.MISMATCH
