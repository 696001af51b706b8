"""Moving pending view counts into the database, exactly once."""

from __future__ import annotations

import logging
import secrets

import msgspec

from wap.application.ports import Clock, ReadCache
from wap.application.views.ports import ViewCounts, ViewLedger
from wap.domain.views import view_day

log = logging.getLogger("wap.views")


class FlushResult(msgspec.Struct, frozen=True):
    batches: int
    views: int


class FlushViews:
    """1. re-drive any batch a dead flush left behind; 2. claim what is pending under a new
    batch id; 3. apply it with the batch id in one transaction; 4. release the claim.

    A crash between 2 and 3 leaves a claim that the next flush applies; between 3 and 4, a
    claim the database already has, which the next flush only releases. Two flushes at once
    claim disjoint batches; re-driving the same leftover twice is stopped by the batch id's
    primary key."""

    def __init__(self, ledger: ViewLedger, counts: ViewCounts, cache: ReadCache) -> None:
        self._ledger = ledger
        self._counts = counts
        self._cache = cache

    async def _settle(self, batch_id: str, counts: dict[int, int]) -> int:
        applied = await self._counts.apply(batch_id, counts)
        # Cached pages hold the stored count: drop them before the claim stops counting.
        await self._cache.forget(teams=counts)
        await self._ledger.release(batch_id)
        return sum(counts.values()) if applied else 0

    async def __call__(self) -> FlushResult:
        batches = views = 0
        for batch_id, leftover in (await self._ledger.claims()).items():
            applied = await self._settle(batch_id, leftover)
            batches, views = batches + bool(applied), views + applied
        batch_id = secrets.token_hex(8)
        claimed = await self._ledger.claim(batch_id)
        if claimed:
            applied = await self._settle(batch_id, claimed)
            batches, views = batches + bool(applied), views + applied
        if views:
            log.info("flushed %d views in %d batches", views, batches)
        return FlushResult(batches, views)


class ResetViewWindows:
    """At 00:00 KST: drop the previous days' viewer sets (they also expire on their own)."""

    def __init__(self, ledger: ViewLedger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    async def __call__(self) -> int:
        return await self._ledger.forget_days_before(view_day(self._clock.now()))
