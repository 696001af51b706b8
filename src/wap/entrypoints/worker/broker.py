"""The taskiq broker of the configuration, and the tasks it runs."""

from __future__ import annotations

from typing import Any

import msgspec
from dishka import AsyncContainer, FromDishka
from dishka.integrations.taskiq import inject
from dishka.integrations.taskiq import setup_dishka as setup_taskiq_dishka
from taskiq import AsyncBroker, InMemoryBroker, SimpleRetryMiddleware
from taskiq_redis import RedisStreamBroker

from wap.adapters.taskiq.mail import SEND_EMAIL
from wap.application.mail.ports import Mail, Mailer
from wap.entrypoints.config import Settings


@inject(patch_module=True)
async def send_email(mail: dict[str, Any], mailer: FromDishka[Mailer]) -> None:
    await mailer.send(msgspec.convert(mail, Mail))


def make_broker(settings: Settings) -> AsyncBroker:
    """Redis stream broker (acknowledged delivery) when Redis is configured, else in-process."""
    broker: AsyncBroker
    if settings.redis_url:
        broker = RedisStreamBroker(settings.redis_url, queue_name="wap:tasks")
    else:
        broker = InMemoryBroker(propagate_exceptions=False)
    broker.add_middlewares(SimpleRetryMiddleware(default_retry_count=3))
    broker.register_task(send_email, task_name=SEND_EMAIL, retry_on_error=True)
    return broker


def attach_container(broker: AsyncBroker, container: AsyncContainer) -> None:
    setup_taskiq_dishka(container, broker)
