"""The view ledger in process memory, for the embedded default (one process)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date

from wap.application.views.ports import ViewLedger
from wap.domain.views import Viewer


class InMemoryViewLedger(ViewLedger):
    def __init__(self) -> None:
        self._seen: dict[tuple[date, int], set[str]] = defaultdict(set)
        self._pending: Counter[int] = Counter()
        self._claims: dict[str, Counter[int]] = {}

    async def pending(self, team_ids: Sequence[int]) -> dict[int, int]:
        found = {}
        for team in team_ids:
            total = self._pending[team] + sum(c[team] for c in self._claims.values())
            if total:
                found[team] = total
        return found

    async def pending_total(self) -> int:
        """Every count not yet in the database, claimed ones included (the metrics scrape)."""
        return sum(self._pending.values()) + sum(sum(c.values()) for c in self._claims.values())

    async def record_and_count(self, team_id: int, viewer: Viewer, day: date) -> int:
        seen = self._seen[(day, team_id)]
        if viewer.key not in seen:
            seen.add(viewer.key)
            self._pending[team_id] += 1
        return (await self.pending([team_id])).get(team_id, 0)

    async def claim(self, batch_id: str) -> dict[int, int]:
        if not self._pending:
            return {}
        self._claims[batch_id], self._pending = self._pending, Counter()
        return dict(self._claims[batch_id])

    async def claims(self) -> dict[str, dict[int, int]]:
        return {batch: dict(counts) for batch, counts in sorted(self._claims.items())}

    async def release(self, batch_id: str) -> None:
        self._claims.pop(batch_id, None)

    async def forget_days_before(self, day: date) -> int:
        doomed = [key for key in self._seen if key[0] < day]
        for key in doomed:
            del self._seen[key]
        return len(doomed)
