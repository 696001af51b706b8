"""Mail delivery: SMTP when configured, else the log (the embedded default)."""

from __future__ import annotations

import logging
from email.message import EmailMessage

import aiosmtplib

from wap.application.mail.ports import Mail, Mailer
from wap.domain.values import one_line

log = logging.getLogger("wap.mail")


class LogMailer(Mailer):
    async def send(self, mail: Mail) -> None:
        log.info("mail to %s: %s\n%s", one_line(mail.to), one_line(mail.subject), mail.body)


class SmtpMailer(Mailer):
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._username, self._password = username, password
        self._timeout = timeout

    async def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = one_line(mail.subject)  # a header is one line, always
        message.set_content(mail.body)
        await aiosmtplib.send(
            message,
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            # Port 465 speaks TLS from the start; others upgrade with STARTTLS when offered.
            use_tls=self._port == 465,
            start_tls=None if self._port != 465 else False,
            timeout=self._timeout,
        )
