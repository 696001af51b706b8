"""`wap worker` and `wap scheduler` exit on SIGTERM even when their loop does not let go."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import pytest
from taskiq import AsyncBroker

from wap.entrypoints.config import Settings
from wap.entrypoints.worker.run import _until_stopped


async def test_a_loop_that_swallows_its_cancellation_does_not_keep_the_process_alive(
    caplog: pytest.LogCaptureFixture,
) -> None:
    entered = asyncio.Event()
    cancellations = 0

    async def stubborn(broker: AsyncBroker) -> None:
        """Finishes the work in hand when cancelled, and that work takes long (a flush
        waiting on a database); a second cancellation, as asyncio.run's, ends it."""
        nonlocal cancellations
        entered.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancellations += 1
            await asyncio.sleep(3600)

    async def terminate_when_running() -> None:
        await entered.wait()
        os.kill(os.getpid(), signal.SIGTERM)

    terminator = asyncio.create_task(terminate_when_running())
    with caplog.at_level(logging.INFO, logger="wap.worker"):
        # The guard is far above the grace: a return means the grace bounded the stop.
        await asyncio.wait_for(
            _until_stopped(Settings.from_env({}), "worker", stubborn, grace=0.2), 30
        )
    await terminator
    assert cancellations == 1
    messages = [r.getMessage() for r in caplog.records]
    assert "worker did not wind down within 0 s; stopping anyway" in messages
    assert messages[-1] == "worker stopped"
