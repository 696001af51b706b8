"""The matching round's port: the round, its teams, the members' choices, the leaders'
rankings and, once published, its outcome."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from wap.domain.rounds import Entry, NewRound, Round
from wap.domain.terms import Term


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """One line of a published round: a placement, a skipped pair or an unplaced member.
    Names are kept as they were (the result outlives a later expulsion or deletion)."""

    member_id: int
    member_name: str
    result: str  # placed | skipped | unplaced
    team_id: int | None = None
    team_title: str = ""
    category: str | None = None
    rank: int | None = None
    reason: str | None = None


class RoundRepository(Protocol):
    @abstractmethod
    async def add(self, new: NewRound) -> Round:
        """Store a new round; raises ``RoundAlreadyOpen`` when its term already has an
        unpublished round (decided by the store, so two officers opening at once cannot
        both succeed)."""

    @abstractmethod
    async def get(self, round_id: int) -> Round | None: ...

    @abstractmethod
    async def get_for_update(self, round_id: int) -> Round | None:
        """Read the round and hold it until the unit of work ends (one publish at a time)."""

    @abstractmethod
    async def latest(self, term: Term) -> Round | None:
        """The term's newest round, if any."""

    @abstractmethod
    async def save(self, round_: Round) -> None:
        """Write back the state, its times, the pins and the removals."""

    @abstractmethod
    async def opt_in(self, round_id: int, team_id: int) -> None:
        """Idempotent."""

    @abstractmethod
    async def opt_out(self, round_id: int, team_id: int) -> None:
        """Idempotent; the team's leader ranking goes with it."""

    @abstractmethod
    async def teams_in(self, round_id: int) -> list[int]:
        """The teams that opted in, by id."""

    @abstractmethod
    async def save_entry(self, round_id: int, entry: Entry) -> None:
        """Replace the member's choices and message."""

    @abstractmethod
    async def entries(self, round_id: int, member_id: int | None = None) -> list[Entry]:
        """Every member's choices, by member id; or only ``member_id``'s (none or one)."""

    @abstractmethod
    async def save_ranking(self, round_id: int, team_id: int, member_ids: Sequence[int]) -> None:
        """Replace the leader's ranking of the members who chose the team."""

    @abstractmethod
    async def rankings(self, round_id: int) -> dict[int, tuple[int, ...]]:
        """Each team's leader ranking, best first."""

    @abstractmethod
    async def eligible(self, term: Term) -> list[int]:
        """Approved members in no team of the term (as leader or member), by id."""

    @abstractmethod
    async def save_outcome(self, round_id: int, rows: Sequence[OutcomeRow]) -> None: ...

    @abstractmethod
    async def outcome(self, round_id: int) -> list[OutcomeRow]:
        """The published result, in the order it was written."""
