"""The caller's own row: read once per use case that needs more than the ``Actor``."""

from __future__ import annotations

from wap.application.errors import TokenInvalid
from wap.application.members.ports import MemberRepository
from wap.domain.members import Member


async def load_caller(members: MemberRepository, member_id: int, *, lock: bool = False) -> Member:
    """The signed-in caller as stored now (``lock``: held until the unit of work ends).

    A caller whose row has vanished (expelled, or a rejected sign-up, since their token was
    checked) is ``auth.token_invalid``: the token names no one any more."""
    member = await (members.get_for_update(member_id) if lock else members.get(member_id))
    if member is None:
        raise TokenInvalid()
    return member
