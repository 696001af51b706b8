from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

import msgspec


class Mail(msgspec.Struct, frozen=True):
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    """Delivers a mail now (SMTP, or the log when no SMTP server is configured)."""

    @abstractmethod
    async def send(self, mail: Mail) -> None: ...


class MailQueue(Protocol):
    """Hands a mail to the background worker (the ``send_email`` task)."""

    @abstractmethod
    async def enqueue(self, mail: Mail) -> None: ...
