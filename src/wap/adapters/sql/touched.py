"""What a unit of work changed, noted by the SQL repositories for the read cache."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Touched:
    """What a unit of work changed; its cache entries go when it commits (``SqlUnitOfWork``).

    One per request, shared by the request's repositories and its unit of work: each of them
    requires it, so none can be built that silently skips the cache invalidation."""

    teams: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    # Live updates (application/live.py): teams whose slots or status changed, and members
    # whose inbox changed; announced after the commit.
    slots: set[int] = field(default_factory=set)
    inboxes: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.teams or self.members or self.slots or self.inboxes)

    def clear(self) -> None:
        self.teams.clear()
        self.members.clear()
        self.slots.clear()
        self.inboxes.clear()
