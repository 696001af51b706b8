"""``wap worker``: runs the broker's tasks (mail now; the scheduled jobs with Step 4)."""

from __future__ import annotations

import asyncio
import logging
import signal

from taskiq import AsyncBroker
from taskiq.api import run_receiver_task

from wap.entrypoints.config import Settings
from wap.entrypoints.ioc import make_container
from wap.entrypoints.worker.broker import attach_container

log = logging.getLogger("wap.worker")


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    container = make_container(settings)
    try:
        broker = await container.get(AsyncBroker)
        broker.is_worker_process = True
        attach_container(broker, container)
        await broker.startup()
        log.info("worker started; waiting for tasks")
        receiver = asyncio.create_task(
            run_receiver_task(broker, run_startup=False, max_async_tasks=50)
        )
        await stop.wait()
        receiver.cancel()
        await asyncio.gather(receiver, return_exceptions=True)
    finally:
        await container.close()
        log.info("worker stopped")
