"""The in-memory twin of the round repository, for the round's use-case tests."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence

from tests.fakes import InMemoryMemberRepository, InMemoryTeamRepository
from wap.application.rounds.ports import OutcomeRow, RoundRepository
from wap.domain.errors import RoundAlreadyOpen
from wap.domain.members import MemberStatus
from wap.domain.rounds import Entry, NewRound, Round, RoundState
from wap.domain.terms import Term


class InMemoryRoundRepository(RoundRepository):
    def __init__(self, members: InMemoryMemberRepository, teams: InMemoryTeamRepository) -> None:
        self._members, self._teams = members, teams
        self._rows: dict[int, Round] = {}
        self._teams_in: dict[int, set[int]] = {}
        self._entries: dict[int, dict[int, Entry]] = {}
        self._rankings: dict[int, dict[int, tuple[int, ...]]] = {}
        self._outcome: dict[int, list[OutcomeRow]] = {}
        self._ids = itertools.count(1)

    async def add(self, new: NewRound) -> Round:
        if any(
            r.term == new.term and r.state is not RoundState.PUBLISHED for r in self._rows.values()
        ):
            raise RoundAlreadyOpen()
        round_ = copy.deepcopy(new).stored(next(self._ids))
        self._rows[round_.id] = copy.deepcopy(round_)
        return round_

    async def get(self, round_id: int) -> Round | None:
        found = self._rows.get(round_id)
        return copy.deepcopy(found) if found else None

    async def get_for_update(self, round_id: int) -> Round | None:
        return await self.get(round_id)

    async def latest(self, term: Term) -> Round | None:
        found = [r for r in self._rows.values() if r.term == term]
        return copy.deepcopy(max(found, key=lambda r: r.id)) if found else None

    async def save(self, round_: Round) -> None:
        self._rows[round_.id] = copy.deepcopy(round_)

    async def opt_in(self, round_id: int, team_id: int) -> None:
        self._teams_in.setdefault(round_id, set()).add(team_id)

    async def opt_out(self, round_id: int, team_id: int) -> None:
        self._teams_in.setdefault(round_id, set()).discard(team_id)
        self._rankings.setdefault(round_id, {}).pop(team_id, None)

    async def teams_in(self, round_id: int) -> list[int]:
        return sorted(self._teams_in.get(round_id, set()))

    async def save_entry(self, round_id: int, entry: Entry) -> None:
        self._entries.setdefault(round_id, {})[entry.member_id] = entry

    async def entries(self, round_id: int, member_id: int | None = None) -> list[Entry]:
        found = sorted(self._entries.get(round_id, {}).items())
        return [e for m, e in found if member_id is None or m == member_id]

    async def save_ranking(self, round_id: int, team_id: int, member_ids: Sequence[int]) -> None:
        self._rankings.setdefault(round_id, {})[team_id] = tuple(member_ids)

    async def rankings(self, round_id: int) -> dict[int, tuple[int, ...]]:
        return dict(self._rankings.get(round_id, {}))

    async def eligible(self, term: Term) -> list[int]:
        in_team = {
            m.member_id
            for team_id, people in self._teams._members.items()
            if team_id in self._teams._rows and self._teams._rows[team_id].term == term
            for m in people
        }
        return sorted(
            m.id
            for m in self._members._rows.values()
            if m.status is MemberStatus.APPROVED and m.id not in in_team
        )

    async def save_outcome(self, round_id: int, rows: Sequence[OutcomeRow]) -> None:
        self._outcome[round_id] = list(rows)

    async def outcome(self, round_id: int) -> list[OutcomeRow]:
        return list(self._outcome.get(round_id, []))
