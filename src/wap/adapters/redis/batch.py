"""The hot reads' Redis commands of concurrent requests, sent in one pipeline per loop turn."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError


class CommandBatch:
    """Auto-pipelining for redis-py, which has none: every command given to ``execute`` in
    the same turn of the event loop goes to Redis in one pipeline (one connection checkout,
    one write, the replies read in order), sent by a task of its own on the next turn.

    Each caller still awaits its own reply, or its own error: a command that fails (a
    script Redis does not know yet) fails only its caller; a batch that fails as a whole (a
    connection lost) fails each of its callers, who then see what a single command would
    have raised. Every command is sent exactly once (redis-py's own retries of a lost
    connection aside, which a single command has as well); a caller cancelled while waiting
    does not take the others' replies with it. Not a transaction: the commands of a batch
    are those of unrelated requests, and Redis runs each as it would alone.

    Under saturation a turn carries several requests' commands, and the pool, the packing
    and the socket write are paid once per turn instead of once per request; a lone request
    waits one loop turn (microseconds) for its own batch of one."""

    __slots__ = ("_pending", "_redis", "_sending")

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._pending: list[tuple[tuple[Any, ...], asyncio.Future[Any]]] = []
        self._sending: set[asyncio.Task[None]] = set()  # kept referenced until done

    async def execute(self, *command: Any) -> Any:
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[Any] = loop.create_future()
        if not self._pending:  # the turn's first command: its batch leaves on the next turn
            task = loop.create_task(self._send())
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        self._pending.append((command, reply))
        return await reply

    async def evalsha(self, sha: str, script: str, keys: list[Any], args: list[Any]) -> Any:
        """A script by its digest, loaded once when Redis does not know it (a restart, a
        ``SCRIPT FLUSH``), as redis-py's ``Script`` does for a single call."""
        command = ("EVALSHA", sha, len(keys), *keys, *args)
        try:
            return await self.execute(*command)
        except NoScriptError:
            await self._redis.script_load(script)
            return await self.execute(*command)

    async def _send(self) -> None:
        batch, self._pending = self._pending, []
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for command, _ in batch:
                    pipe.execute_command(*command)
                replies = await pipe.execute(raise_on_error=False)
        except Exception as error:
            for _, reply in batch:
                if not reply.done():
                    reply.set_exception(error)
            return
        except BaseException:  # cancelled (the loop closing): so are its callers
            for _, reply in batch:
                reply.cancel()
            raise
        for (_, reply), value in zip(batch, replies, strict=True):
            if reply.done():  # its caller was cancelled
                continue
            if isinstance(value, Exception):
                reply.set_exception(value)
            else:
                reply.set_result(value)
