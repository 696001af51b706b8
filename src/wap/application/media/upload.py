"""Uploaded images: checked, re-encoded with a thumbnail, stored, and put on a team or member."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from wap.application.media.ports import ImageKind, ImageProcessor, ImageStore
from wap.application.members.caller import load_caller
from wap.application.members.ports import MemberRepository
from wap.application.members.read_models import OwnProfile
from wap.application.ports import Clock, UnitOfWork
from wap.application.teams.lookups import load_team, team_detail
from wap.application.teams.ports import TeamRepository
from wap.application.teams.read_models import TeamDetail
from wap.domain.members import Actor

THUMBNAILS = {ImageKind.TEAM: (320, 180), ImageKind.AVATAR: (200, 200)}


@dataclass(frozen=True, slots=True)
class Upload:
    actor: Actor
    data: bytes
    target_id: int = 0


class UploadTeamImage:
    def __init__(
        self,
        teams: TeamRepository,
        members: MemberRepository,
        processor: ImageProcessor,
        store: ImageStore,
        uow: UnitOfWork,
        clock: Clock,
        limits: ImageLimits,
    ) -> None:
        self._teams, self._members = teams, members
        self._processor, self._store = processor, store
        self._uow, self._clock, self._limits = uow, clock, limits

    async def __call__(self, upload: Upload) -> TeamDetail:
        # Check who may, then decode the image with no lock held (decoding takes a while),
        # then lock the team to put the image on it.
        (await load_team(self._teams, upload.target_id)).ensure_leader(upload.actor)
        image = await self._processor.process(
            upload.data, max_bytes=self._limits.max_bytes, thumbnail=THUMBNAILS[ImageKind.TEAM]
        )
        team = await load_team(self._teams, upload.target_id, lock=True)
        team.ensure_leader(upload.actor)
        stored = await self._store.save(ImageKind.TEAM, f"{team.id}-{secrets.token_hex(8)}", image)
        old = (team.image_url, team.image_thumbnail_url)
        team.image_url, team.image_thumbnail_url = stored.url, stored.thumbnail_url
        team.updated_at = self._clock.now()
        await self._teams.save(team)
        await self._uow.commit()
        for url in old:
            await self._store.delete(url)
        return await team_detail(team, self._members)


class UploadAvatar:
    def __init__(
        self,
        members: MemberRepository,
        processor: ImageProcessor,
        store: ImageStore,
        uow: UnitOfWork,
        limits: ImageLimits,
    ) -> None:
        self._members, self._processor, self._store = members, processor, store
        self._uow, self._limits = uow, limits

    async def __call__(self, upload: Upload) -> OwnProfile:
        upload.actor.ensure_approved()
        image = await self._processor.process(
            upload.data, max_bytes=self._limits.max_bytes, thumbnail=THUMBNAILS[ImageKind.AVATAR]
        )
        member = await load_caller(self._members, upload.actor.member_id, lock=True)
        stored = await self._store.save(
            ImageKind.AVATAR, f"{member.id}-{secrets.token_hex(8)}", image
        )
        old = (member.avatar_url, member.avatar_thumbnail_url)
        member.avatar_url, member.avatar_thumbnail_url = stored.url, stored.thumbnail_url
        await self._members.save(member)
        await self._uow.commit()
        for url in old:
            await self._store.delete(url)
        return OwnProfile.of(member)


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int
