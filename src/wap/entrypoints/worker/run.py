"""``wap worker`` runs the broker's tasks; ``wap scheduler`` sends the cron jobs; both exit
cleanly on SIGINT/SIGTERM. The embedded default runs the scheduler inside ``wap serve``."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

from taskiq import AsyncBroker
from taskiq.api import run_receiver_task
from taskiq.cli.scheduler.run import SchedulerLoop

from wap.entrypoints.config import Settings
from wap.entrypoints.ioc import make_container
from wap.entrypoints.worker.broker import MAX_TASKS_AT_ONCE, attach_container, make_scheduler

log = logging.getLogger("wap.worker")

# How long a stop waits for the loop and then the container to wind down: a task that
# swallows its cancellation, or a broker connection that does not close, must not keep the
# process from exiting (an orchestrator would have to kill it).
STOP_GRACE_SECONDS = 10.0


async def _until_stopped(
    settings: Settings,
    name: str,
    loop_for: Callable[[AsyncBroker], Coroutine[Any, Any, None]],
    grace: float = STOP_GRACE_SECONDS,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    container = make_container(settings)
    try:
        broker = await container.get(AsyncBroker)
        attach_container(broker, container)
        runner = asyncio.create_task(loop_for(broker))
        log.info("%s started", name)
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({runner, stopped}, return_when=asyncio.FIRST_COMPLETED)
        runner.cancel()
        stopped.cancel()
        _, late = await asyncio.wait({runner, stopped}, timeout=grace)
        if late:
            log.warning("%s did not wind down within %.0f s; stopping anyway", name, grace)
    finally:
        try:
            await asyncio.wait_for(container.close(), grace)
        except TimeoutError:
            log.warning("%s: closing its connections took over %.0f s", name, grace)
        log.info("%s stopped", name)


async def run_worker(settings: Settings) -> None:
    async def receive(broker: AsyncBroker) -> None:
        broker.is_worker_process = True
        await broker.startup()
        await run_receiver_task(broker, run_startup=False, max_async_tasks=MAX_TASKS_AT_ONCE)

    await _until_stopped(settings, "worker", receive)


async def scheduler_loop(broker: AsyncBroker) -> None:
    """Send each cron job when its minute comes; the first check waits for a whole minute."""
    scheduler = make_scheduler(broker)
    for source in scheduler.sources:
        await source.startup()
    await SchedulerLoop(scheduler).run(skip_first_run=True)


async def run_scheduler(settings: Settings) -> None:
    async def schedule(broker: AsyncBroker) -> None:
        await broker.startup()
        await scheduler_loop(broker)

    await _until_stopped(settings, "scheduler", schedule)
