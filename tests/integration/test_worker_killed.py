"""A ``wap worker`` killed in the middle of a task: the task is run again by another worker.

Tasks go through a Redis stream and are acknowledged only once they have run, so a task
whose worker dies stays pending in the stream; a live worker claims it once it has been idle
for ``WAP_TASK_CLAIM_SECONDS``. (The flush of views is also idempotent by itself: see
``integration/redis/test_flush_views.py``.)"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from tests.integration.conftest import REDIS_URL
from tests.integration.http.conftest import SECRET, free_port
from tests.integration.http.fakes import MailSink
from tests.integration.test_worker_and_promote import WAP, env_of
from wap.adapters.sql.migrate import upgrade
from wap.adapters.taskiq.mail import TaskiqMailQueue
from wap.application.mail.ports import Mail
from wap.entrypoints.config import Settings
from wap.entrypoints.worker.broker import make_broker

STREAM = "wap:tasks"


class StallingSink(MailSink):
    """The SMTP sink, but holding the first message it is given (its worker is then in the
    middle of sending it) and taking every later one."""

    def __init__(self) -> None:
        super().__init__(free_port())
        self.stalled = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(30)  # its worker is killed meanwhile
            return "451 too late"
        return await super().handle_DATA(server, session, envelope)

    def subjects(self) -> list[str]:
        return sorted(str(m["Subject"]) for m in self.messages)


@pytest.fixture
def sink() -> Iterator[StallingSink]:
    server = StallingSink()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def start_worker(values: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*WAP, "worker"],
        env=env_of(**values),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


async def test_a_task_whose_worker_is_killed_is_run_by_the_next_worker(
    tmp_path: Path, redis_client: Redis, sink: StallingSink
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path}/wap.db"
    await upgrade(database)
    values = {
        "WAP_DATABASE_URL": database,
        "WAP_REDIS_URL": REDIS_URL,
        "WAP_SECRET_KEY": SECRET,
        "WAP_SMTP_HOST": "127.0.0.1",
        "WAP_SMTP_PORT": str(sink.port),
        "WAP_TASK_CLAIM_SECONDS": "1",
    }
    broker = make_broker(Settings.from_env(values))
    await broker.startup()  # the stream's consumer group exists before anything is sent
    queue = TaskiqMailQueue(broker)
    workers: list[subprocess.Popen[str]] = []
    try:
        workers.append(start_worker(values))
        await queue.enqueue(Mail("dora@pukyong.ac.kr", "first", "held when the worker dies"))
        for _ in range(400):
            if sink.stalled.is_set():
                break
            assert workers[0].poll() is None, workers[0].communicate()[0]
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the worker never started sending the first mail")

        workers[0].send_signal(signal.SIGKILL)  # no goodbye: no acknowledgement either
        workers[0].wait(timeout=10)
        pending = await redis_client.xpending(STREAM, "taskiq")
        assert pending["pending"] == 1, pending  # taken, not done, not lost

        await asyncio.sleep(1.5)  # idle for longer than WAP_TASK_CLAIM_SECONDS
        workers.append(start_worker(values))
        # The next task wakes the new worker, which also claims the orphan (in production
        # the scheduler's close_recruitment task does this every minute).
        await queue.enqueue(Mail("dora@pukyong.ac.kr", "second", "sent after the crash"))
        for _ in range(400):
            if len(sink.messages) >= 2:
                break
            assert workers[1].poll() is None, workers[1].communicate()[0]
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # time for a wrong third delivery to show
        assert sink.subjects() == ["first", "second"]
        assert (await redis_client.xpending(STREAM, "taskiq"))["pending"] == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=15)
        await broker.shutdown()
