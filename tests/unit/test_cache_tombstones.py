"""A reader that loaded a row before a write committed cannot put its old copy back."""

from __future__ import annotations

from datetime import UTC, datetime

from wap.adapters.cache import MemoryBytesStore, StoreReadCache
from wap.application.members.read_models import PublicProfile

THEN = datetime(2026, 1, 1, tzinfo=UTC)


def profile(bio: str) -> PublicProfile:
    return PublicProfile(1, "login", None, None, "Name", "AI", bio, [], [], "member", THEN)


async def test_a_late_write_back_after_an_invalidation_is_refused() -> None:
    cache = StoreReadCache(MemoryBytesStore())
    assert await cache.profile(1) is None  # the reader misses, reads the old row…
    await cache.forget(members=[1])  # …the writer commits and invalidates…
    await cache.keep_profile(profile("old"))  # …the reader writes its old copy back
    assert await cache.profile(1) is None  # refused: the next read goes to the database


async def test_an_entry_is_kept_when_nothing_changed() -> None:
    cache = StoreReadCache(MemoryBytesStore())
    await cache.keep_profile(profile("fresh"))
    found = await cache.profile(1)
    assert found is not None and found.bio == "fresh"
    await cache.keep_profile(profile("other"))  # the first copy stays until it is forgotten
    assert (await cache.profile(1)).bio == "fresh"  # type: ignore[union-attr]
