"""Sessions, refresh tokens and e-mail codes in Redis, with TTLs and atomic steps."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from wap.application.auth.ports import (
    CodeCheck,
    EmailCodeStore,
    RefreshOutcome,
    RefreshUse,
    SessionStore,
)

# KEYS[1] = refresh token key. Marks it used and answers "fresh" only the first time; the
# record stays (used) until it expires so that a second use can be recognised as theft.
_USE_REFRESH = """
local session = redis.call('HGET', KEYS[1], 'session')
if not session then return {'unknown', ''} end
if redis.call('HSETNX', KEYS[1], 'used', '1') == 0 then return {'reused', session} end
local member = redis.call('GET', ARGV[1] .. session)
if not member then return {'unknown', session} end
return {'fresh', session, member}
"""

# KEYS[1] = code key. ARGV: email, digest, max wrong tries.
_CHECK_CODE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'expired' end
local email = redis.call('HGET', KEYS[1], 'email')
local digest = redis.call('HGET', KEYS[1], 'digest')
if email == ARGV[1] and digest == ARGV[2] then
  redis.call('DEL', KEYS[1])
  return 'ok'
end
if redis.call('HINCRBY', KEYS[1], 'wrong', 1) >= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
end
return 'mismatch'
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisSessionStore(SessionStore):
    def __init__(self, redis: Redis, prefix: str = "wap:") -> None:
        self._redis = redis
        self._session = f"{prefix}session:"
        self._refresh = f"{prefix}refresh:"
        self._use = redis.register_script(_USE_REFRESH)

    async def open(self, session_id: str, member_id: int, ttl_seconds: int) -> None:
        await self._redis.set(self._session + session_id, member_id, ex=ttl_seconds)

    async def member_of(self, session_id: str) -> int | None:
        found = await self._redis.get(self._session + session_id)
        return int(found) if found is not None else None

    async def close(self, session_id: str) -> None:
        await self._redis.delete(self._session + session_id)

    async def add_refresh(self, digest: str, session_id: str, ttl_seconds: int) -> None:
        key = self._refresh + digest
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, "session", session_id)
            pipe.expire(key, ttl_seconds)
            await pipe.execute()

    async def session_of_refresh(self, digest: str) -> str | None:
        found = await self._redis.hget(self._refresh + digest, "session")
        return _text(found) if found is not None else None

    async def use_refresh(self, digest: str) -> RefreshUse:
        answer = await self._use(keys=[self._refresh + digest], args=[self._session])
        outcome = RefreshOutcome(_text(answer[0]))
        session = _text(answer[1]) or None
        member = int(_text(answer[2])) if len(answer) > 2 else None
        return RefreshUse(outcome, session, member)


class RedisEmailCodeStore(EmailCodeStore):
    def __init__(self, redis: Redis, prefix: str = "wap:") -> None:
        self._redis = redis
        self._code = f"{prefix}email-code:"
        self._cooldown = f"{prefix}email-cooldown:"
        self._check = redis.register_script(_CHECK_CODE)

    async def start_cooldown(self, member_id: int, seconds: int) -> bool:
        return bool(await self._redis.set(f"{self._cooldown}{member_id}", 1, ex=seconds, nx=True))

    async def put(self, member_id: int, email: str, digest: str, ttl_seconds: int) -> None:
        key = f"{self._code}{member_id}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping={"email": email, "digest": digest, "wrong": 0})
            pipe.expire(key, ttl_seconds)
            await pipe.execute()

    async def check(self, member_id: int, email: str, digest: str, max_tries: int) -> CodeCheck:
        answer = await self._check(
            keys=[f"{self._code}{member_id}"], args=[email, digest, max_tries]
        )
        return CodeCheck(_text(answer))
