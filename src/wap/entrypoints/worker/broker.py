"""The taskiq broker of the configuration, and the tasks it runs."""

from __future__ import annotations

from typing import Any

import msgspec
from dishka import AsyncContainer, FromDishka
from dishka.integrations.taskiq import inject
from dishka.integrations.taskiq import setup_dishka as setup_taskiq_dishka
from taskiq import AsyncBroker, InMemoryBroker, SimpleRetryMiddleware, TaskiqScheduler
from taskiq.schedule_sources import LabelScheduleSource
from taskiq_redis import RedisStreamBroker

from wap.adapters.metrics import FlushJournal
from wap.adapters.taskiq.mail import SEND_EMAIL
from wap.application.mail.ports import Mail, Mailer
from wap.application.ports import Clock
from wap.application.teams.deadlines import CloseRecruitment
from wap.application.views.flush import FlushResult, FlushViews, ResetViewWindows
from wap.entrypoints.config import Settings

MAX_TASKS_AT_ONCE = 50  # per worker process
TASK_STREAM = "wap:tasks"
FLUSH_VIEWS = "flush_views"
RESET_VIEW_WINDOWS = "reset_view_windows"
CLOSE_RECRUITMENT = "close_recruitment"
SCHEDULES: dict[str, list[dict[str, str]]] = {
    FLUSH_VIEWS: [{"cron": "*/3 * * * *"}],
    CLOSE_RECRUITMENT: [{"cron": "* * * * *"}],
    RESET_VIEW_WINDOWS: [{"cron": "0 0 * * *", "cron_offset": "Asia/Seoul"}],
}


@inject(patch_module=True)
async def send_email(mail: dict[str, Any], mailer: FromDishka[Mailer]) -> None:
    await mailer.send(msgspec.convert(mail, Mail))


async def flush_and_record(flush: FlushViews, journal: FlushJournal, clock: Clock) -> FlushResult:
    """Run a flush and keep its outcome for the metrics scrape (any process reads it)."""
    try:
        result = await flush()
    except Exception:
        await journal.failed(clock.now())
        raise
    await journal.succeeded(result.views, clock.now())
    return result


@inject(patch_module=True)
async def flush_views(
    flush: FromDishka[FlushViews], journal: FromDishka[FlushJournal], clock: FromDishka[Clock]
) -> None:
    await flush_and_record(flush, journal, clock)


@inject(patch_module=True)
async def close_recruitment(close: FromDishka[CloseRecruitment]) -> None:
    await close()


@inject(patch_module=True)
async def reset_view_windows(reset: FromDishka[ResetViewWindows]) -> None:
    await reset()


def make_broker(settings: Settings) -> AsyncBroker:
    """Redis stream broker (acknowledged delivery) when Redis is configured, else in-process."""
    broker: AsyncBroker
    if settings.redis_url:
        # A task stays unacknowledged until it has run; if its worker dies, another worker
        # claims it once it has been pending for WAP_TASK_CLAIM_SECONDS (at-least-once).
        # A worker asks for one task at a time, and only when it has room to run it, so a
        # delivered task starts at once and never waits inside a live worker long enough to
        # be claimed by another: each of ours finishes in seconds.
        broker = RedisStreamBroker(
            settings.redis_url,
            queue_name=TASK_STREAM,
            idle_timeout=settings.task_claim_seconds * 1000,
            xread_count=1,
            unacknowledged_batch_size=MAX_TASKS_AT_ONCE,
        )
    else:
        broker = InMemoryBroker(propagate_exceptions=False)
    broker.add_middlewares(SimpleRetryMiddleware(default_retry_count=3))
    broker.register_task(send_email, task_name=SEND_EMAIL, retry_on_error=True)
    broker.register_task(flush_views, task_name=FLUSH_VIEWS, schedule=SCHEDULES[FLUSH_VIEWS])
    broker.register_task(
        close_recruitment, task_name=CLOSE_RECRUITMENT, schedule=SCHEDULES[CLOSE_RECRUITMENT]
    )
    broker.register_task(
        reset_view_windows,
        task_name=RESET_VIEW_WINDOWS,
        schedule=SCHEDULES[RESET_VIEW_WINDOWS],
    )
    return broker


def make_scheduler(broker: AsyncBroker) -> TaskiqScheduler:
    """One scheduler for the whole deployment: it sends the cron jobs to the broker."""
    return TaskiqScheduler(broker, sources=[LabelScheduleSource(broker)])


def attach_container(broker: AsyncBroker, container: AsyncContainer) -> None:
    setup_taskiq_dishka(container, broker)
