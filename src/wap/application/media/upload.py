"""Uploaded images: checked, re-encoded with a thumbnail, stored, and put on a team or member."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from wap.application.media.ports import ImageKind, ImageProcessor, ImageStore, StoredImage
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
        # Stored before the team is locked (object storage may take a while); taken back if
        # anything after it fails, so no object outlives a refused or failed request.
        name = f"{upload.target_id}-{secrets.token_hex(8)}"
        stored = await self._store.save(ImageKind.TEAM, name, image)
        async with _taken_back_on_failure(self._store, stored):
            team = await load_team(self._teams, upload.target_id, lock=True)
            team.ensure_leader(upload.actor)
            old = (team.image_url, team.image_thumbnail_url)
            team.image_url, team.image_thumbnail_url = stored.url, stored.thumbnail_url
            team.updated_at = self._clock.now()
            await self._teams.save(team)
            await self._uow.commit()
        await _delete_all(self._store, old)  # only once nothing refers to them
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
        name = f"{upload.actor.member_id}-{secrets.token_hex(8)}"
        stored = await self._store.save(ImageKind.AVATAR, name, image)
        async with _taken_back_on_failure(self._store, stored):
            member = await load_caller(self._members, upload.actor.member_id, lock=True)
            old = (member.avatar_url, member.avatar_thumbnail_url)
            member.avatar_url, member.avatar_thumbnail_url = stored.url, stored.thumbnail_url
            await self._members.save(member)
            await self._uow.commit()
        await _delete_all(self._store, old)
        return OwnProfile.of(member)


@asynccontextmanager
async def _taken_back_on_failure(store: ImageStore, stored: StoredImage) -> AsyncIterator[None]:
    try:
        yield
    except BaseException:
        await _delete_all(store, (stored.url, stored.thumbnail_url))
        raise


async def _delete_all(store: ImageStore, urls: Iterable[str | None]) -> None:
    for url in urls:
        await store.delete(url)


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int
