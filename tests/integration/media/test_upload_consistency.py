"""The order an upload keeps with a bucket, checked on the use cases with a real S3 store:
objects first, then the database; a database that fails (or a check that refuses) takes
the new objects back, and the old ones go only after the commit."""

from __future__ import annotations

import pytest

from tests.builders import NOW, member, png, team
from tests.fakes import FakeUnitOfWork, InMemoryMemberRepository, InMemoryTeamRepository
from tests.integration.media.conftest import Bucket
from wap.adapters.media.images import PillowImageProcessor
from wap.adapters.system import FixedClock
from wap.application.media.upload import ImageLimits, Upload, UploadAvatar, UploadTeamImage
from wap.domain.errors import LeaderOnly
from wap.domain.members import Actor, MemberStatus, Role
from wap.domain.teams import Team


class DatabaseDown(Exception):
    pass


class FailingCommit(FakeUnitOfWork):
    async def commit(self) -> None:
        raise DatabaseDown("lost connection to the database at commit")


async def test_a_failed_commit_takes_the_new_objects_back(bucket: Bucket) -> None:
    members, teams = InMemoryMemberRepository(), InMemoryTeamRepository()
    leader = await members.add(member())
    club = await teams.add(team(leader.id))
    actor = Actor(leader.id, Role.MEMBER, MemberStatus.APPROVED)
    store, processor, limits = bucket.store(), PillowImageProcessor(), ImageLimits(1_000_000)
    working = UploadTeamImage(
        teams, members, processor, store, FakeUnitOfWork(), FixedClock(NOW), limits
    )
    first = await working(Upload(actor, png(), club.id))
    assert bucket.keys() == {
        bucket.key_of(first.image_url),
        bucket.key_of(first.image_thumbnail_url),
    }

    failing = UploadTeamImage(
        teams, members, processor, store, FailingCommit(), FixedClock(NOW), limits
    )
    with pytest.raises(DatabaseDown):
        await failing(Upload(actor, png(), club.id))
    # The image the database still names is there; the one it never got is gone.
    assert bucket.keys() == {
        bucket.key_of(first.image_url),
        bucket.key_of(first.image_thumbnail_url),
    }

    with pytest.raises(DatabaseDown):
        await UploadAvatar(members, processor, store, FailingCommit(), limits)(
            Upload(actor, png(300, 300))
        )
    assert len(bucket.keys()) == 2


async def test_a_refusal_after_storing_takes_the_objects_back(bucket: Bucket) -> None:
    """Leadership can pass to someone else while the image is being stored: the check under
    the lock refuses, and the stored objects do not stay behind."""
    members, teams = InMemoryMemberRepository(), InMemoryTeamRepository()
    leader, heir = await members.add(member()), await members.add(member())
    club = await teams.add(team(leader.id))
    actor = Actor(leader.id, Role.MEMBER, MemberStatus.APPROVED)

    upload = UploadTeamImage(
        teams,
        members,
        PillowImageProcessor(),
        bucket.store(),
        FakeUnitOfWork(),
        FixedClock(NOW),
        ImageLimits(1_000_000),
    )
    real_get = teams.get_for_update

    async def handed_over(team_id: int) -> Team | None:
        """The team as the locked read finds it: handed over since the first check."""
        found = await real_get(team_id)
        assert found is not None
        found.leader_id = heir.id
        return found

    teams.get_for_update = handed_over  # type: ignore[method-assign]
    with pytest.raises(LeaderOnly):
        await upload(Upload(actor, png(), club.id))
    assert bucket.keys() == set()
