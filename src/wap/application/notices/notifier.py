"""Writing notices in the cause's transaction, and their e-mail copies after it commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wap.application.mail.ports import Mail
from wap.application.members.ports import MemberRepository
from wap.application.notices.ports import NoticeRepository
from wap.application.notices.texts import render, subject
from wap.application.ports import Clock
from wap.domain.members import Member
from wap.domain.notifications import NewNotice, NoticeKind


class Outbox:
    """Mail to send once the unit of work has committed (never for a rolled-back cause)."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []

    def add(self, mail: Mail) -> None:
        self.mails.append(mail)

    def take(self) -> list[Mail]:
        taken, self.mails = self.mails, []
        return taken


def copy_for(member: Member, kind: NoticeKind, payload: dict[str, Any]) -> Mail | None:
    if not member.notify_email or not member.email:
        return None
    return Mail(
        to=member.email,
        subject=subject(kind, payload, member.language),
        body=render(kind, payload, member.language),
    )


class Notifier:
    def __init__(
        self, notices: NoticeRepository, members: MemberRepository, outbox: Outbox, clock: Clock
    ) -> None:
        self._notices, self._members, self._outbox, self._clock = notices, members, outbox, clock

    async def tell(
        self,
        member_ids: Iterable[int],
        kind: NoticeKind,
        payload: dict[str, Any],
        *,
        actor_id: int | None = None,
    ) -> None:
        """One notice for each recipient; none for the one who caused it."""
        recipients = [i for i in dict.fromkeys(member_ids) if i != actor_id]
        if not recipients:
            return
        now = self._clock.now()
        await self._notices.add_many([NewNotice(i, kind, now, dict(payload)) for i in recipients])
        for member_id in recipients:
            member = await self._members.get(member_id)
            mail = copy_for(member, kind, payload) if member else None
            if mail is not None:
                self._outbox.add(mail)

    async def tell_once(
        self,
        member_id: int,
        kind: NoticeKind,
        payload: dict[str, Any],
        *,
        same: tuple[str, ...],
        actor_id: int | None = None,
    ) -> None:
        """Like ``tell``, unless the member still has an unread notice of this kind whose
        payload agrees on the ``same`` keys: it says the same thing, so no second one (and no
        second e-mail) is written."""
        for unread in await self._notices.unread_of_kind(member_id, kind):
            if all(unread.payload.get(key) == payload.get(key) for key in same):
                return
        await self.tell([member_id], kind, payload, actor_id=actor_id)

    async def tell_officers(
        self, kind: NoticeKind, payload: dict[str, Any], *, actor_id: int | None = None
    ) -> None:
        await self.tell(await self._members.officer_ids(), kind, payload, actor_id=actor_id)

    def mail_only(self, member: Member, kind: NoticeKind, payload: dict[str, Any]) -> None:
        """An e-mail copy for someone who has no inbox any more (a rejected sign-up)."""
        mail = copy_for(member, kind, payload)
        if mail is not None:
            self._outbox.add(mail)
