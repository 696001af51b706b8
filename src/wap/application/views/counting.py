"""Counting the view a team page serves."""

from __future__ import annotations

from datetime import date

from wap.application.errors import Unavailable
from wap.application.views.ports import ViewLedger
from wap.domain.views import Viewer


async def count_view(ledger: ViewLedger, team_id: int, viewer: Viewer | None, day: date) -> int:
    """Record the viewer's view (none without a viewer) and give the team's pending count,
    this view included: 0 while the ledger is away (it logs that once), as views are then
    not counted."""
    try:
        if viewer is not None:
            return await ledger.record_and_count(team_id, viewer, day)
        return (await ledger.pending([team_id])).get(team_id, 0)
    except Unavailable:
        return 0
