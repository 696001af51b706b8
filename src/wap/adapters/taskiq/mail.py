from __future__ import annotations

import msgspec
from taskiq import AsyncBroker
from taskiq.kicker import AsyncKicker

from wap.application.mail.ports import Mail, MailQueue

SEND_EMAIL = "send_email"


class TaskiqMailQueue(MailQueue):
    """Sends the ``send_email`` task to the configured broker (in-process or Redis stream)."""

    def __init__(self, broker: AsyncBroker) -> None:
        self._broker = broker

    async def enqueue(self, mail: Mail) -> None:
        kicker: AsyncKicker[..., None] = AsyncKicker(SEND_EMAIL, self._broker, labels={})
        await kicker.kiq(msgspec.to_builtins(mail))
