from __future__ import annotations

from dataclasses import dataclass

from wap.application.members.ports import MemberRepository
from wap.application.members.read_models import PublicProfile
from wap.application.ports import ReadCache
from wap.domain.errors import MemberNotFound
from wap.domain.members import Actor


@dataclass(frozen=True, slots=True)
class GetProfileQuery:
    member_id: int
    actor: Actor | None = None


class GetPublicProfile:
    """An approved member's public profile. Anyone else is ``member.not_found``, except to
    themself and to officers, so that a pending sign-up does not leak."""

    def __init__(self, members: MemberRepository, cache: ReadCache) -> None:
        self._members = members
        self._cache = cache

    async def __call__(self, query: GetProfileQuery) -> PublicProfile:
        cached = await self._cache.profile(query.member_id)
        if cached is not None:
            return cached  # only approved members' profiles are kept
        member = await self._members.get(query.member_id)
        if member is None:
            raise MemberNotFound()
        member.ensure_visible_to(query.actor)
        profile = PublicProfile.of(member)
        if member.is_approved:
            await self._cache.keep_profile(profile)
        return profile
