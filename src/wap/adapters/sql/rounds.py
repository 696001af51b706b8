from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from wap.adapters.sql.results import inserted_id
from wap.adapters.sql.tables import (
    members,
    round_choices,
    round_entries,
    round_outcomes,
    round_rankings,
    round_teams,
    rounds,
    team_members,
    teams,
)
from wap.application.rounds.ports import OutcomeRow, RoundRepository
from wap.domain.catalog import Category
from wap.domain.errors import RoundAlreadyOpen
from wap.domain.members import MemberStatus
from wap.domain.rounds import Entry, NewRound, Pair, Round, RoundState, SlotKey
from wap.domain.terms import Term


def _pairs(raw: Any) -> tuple[Pair, ...]:
    return tuple(Pair(int(m), SlotKey(int(t), Category(c))) for m, t, c in raw or ())


def _raw(pairs: Sequence[Pair]) -> list[list[Any]]:
    return [[p.member_id, p.slot.team_id, p.slot.category.value] for p in pairs]


def _round(row: Mapping[Any, Any]) -> Round:
    return Round(
        id=row["id"],
        term=Term.parse(row["term"]),
        deadline=row["deadline"],
        max_choices=row["max_choices"],
        state=RoundState(row["state"]),
        opened_by=row["opened_by"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
        published_at=row["published_at"],
        pins=_pairs(row["pins"]),
        removals=_pairs(row["removals"]),
    )


def _values(round_: NewRound) -> dict[str, Any]:
    return {
        "term": str(round_.term),
        "deadline": round_.deadline,
        "max_choices": round_.max_choices,
        "state": round_.state.value,
        "opened_by": round_.opened_by,
        "created_at": round_.created_at,
        "closed_at": round_.closed_at,
        "published_at": round_.published_at,
        "pins": _raw(round_.pins),
        "removals": _raw(round_.removals),
        # One unpublished round per term (the unique key): NULL once published.
        "open_term": None if round_.state is RoundState.PUBLISHED else str(round_.term),
    }


class SqlRoundRepository(RoundRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, new: NewRound) -> Round:
        # The only unique key a new round can clash on is ``open_term``: the id is generated
        # and nothing else is unique. So an IntegrityError here is another unpublished round
        # of the term (two officers opening at once), decided without reading the driver's
        # message, which differs by database.
        try:
            async with self._session.begin_nested():
                result = await self._session.execute(insert(rounds).values(_values(new)))
        except IntegrityError:
            raise RoundAlreadyOpen() from None
        return new.stored(inserted_id(result))

    async def _load(self, round_id: int, lock: bool) -> Round | None:
        query = select(rounds).where(rounds.c.id == round_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().first()
        return _round(row) if row else None

    async def get(self, round_id: int) -> Round | None:
        return await self._load(round_id, lock=False)

    async def get_for_update(self, round_id: int) -> Round | None:
        return await self._load(round_id, lock=True)

    async def latest(self, term: Term) -> Round | None:
        query = select(rounds).where(rounds.c.term == str(term)).order_by(rounds.c.id.desc())
        row = (await self._session.execute(query.limit(1))).mappings().first()
        return _round(row) if row else None

    async def save(self, round_: Round) -> None:
        values = _values(round_)
        del values["created_at"], values["opened_by"], values["term"]
        await self._session.execute(update(rounds).where(rounds.c.id == round_.id).values(values))

    async def opt_in(self, round_id: int, team_id: int) -> None:
        present = await self._session.execute(
            select(round_teams.c.team_id).where(
                round_teams.c.round_id == round_id, round_teams.c.team_id == team_id
            )
        )
        if present.first() is None:
            await self._session.execute(
                insert(round_teams).values(round_id=round_id, team_id=team_id)
            )

    async def opt_out(self, round_id: int, team_id: int) -> None:
        for table in (round_teams, round_rankings):
            await self._session.execute(
                delete(table).where(table.c.round_id == round_id, table.c.team_id == team_id)
            )

    async def teams_in(self, round_id: int) -> list[int]:
        query = (
            select(round_teams.c.team_id)
            .where(round_teams.c.round_id == round_id)
            .order_by(round_teams.c.team_id)
        )
        return list((await self._session.execute(query)).scalars())

    async def save_entry(self, round_id: int, entry: Entry) -> None:
        where = (round_choices.c.round_id == round_id, round_choices.c.member_id == entry.member_id)
        await self._session.execute(delete(round_choices).where(*where))
        await self._session.execute(
            delete(round_entries).where(
                round_entries.c.round_id == round_id,
                round_entries.c.member_id == entry.member_id,
            )
        )
        await self._session.execute(
            insert(round_entries).values(
                round_id=round_id,
                member_id=entry.member_id,
                message=entry.message,
                submitted_at=entry.submitted_at,
            )
        )
        if entry.choices:
            await self._session.execute(
                insert(round_choices),
                [
                    {
                        "round_id": round_id,
                        "member_id": entry.member_id,
                        "rank": rank,
                        "team_id": choice.team_id,
                        "category": choice.category.value,
                    }
                    for rank, choice in enumerate(entry.choices, start=1)
                ],
            )

    async def entries(self, round_id: int, member_id: int | None = None) -> list[Entry]:
        choices: dict[int, list[SlotKey]] = {}
        query = (
            select(round_choices)
            .where(round_choices.c.round_id == round_id)
            .order_by(round_choices.c.member_id, round_choices.c.rank)
        )
        entries_query = (
            select(round_entries)
            .where(round_entries.c.round_id == round_id)
            .order_by(round_entries.c.member_id)
        )
        if member_id is not None:
            query = query.where(round_choices.c.member_id == member_id)
            entries_query = entries_query.where(round_entries.c.member_id == member_id)
        for row in (await self._session.execute(query)).mappings():
            choices.setdefault(row["member_id"], []).append(
                SlotKey(row["team_id"], Category(row["category"]))
            )
        return [
            Entry(
                row["member_id"],
                tuple(choices.get(row["member_id"], ())),
                row["message"],
                row["submitted_at"],
            )
            for row in (await self._session.execute(entries_query)).mappings()
        ]

    async def save_ranking(self, round_id: int, team_id: int, member_ids: Sequence[int]) -> None:
        await self._session.execute(
            delete(round_rankings).where(
                round_rankings.c.round_id == round_id, round_rankings.c.team_id == team_id
            )
        )
        if member_ids:
            await self._session.execute(
                insert(round_rankings),
                [
                    {"round_id": round_id, "team_id": team_id, "member_id": m, "rank": rank}
                    for rank, m in enumerate(member_ids, start=1)
                ],
            )

    async def rankings(self, round_id: int) -> dict[int, tuple[int, ...]]:
        query = (
            select(round_rankings.c.team_id, round_rankings.c.member_id)
            .where(round_rankings.c.round_id == round_id)
            .order_by(round_rankings.c.team_id, round_rankings.c.rank)
        )
        found: dict[int, list[int]] = {}
        for team_id, member_id in await self._session.execute(query):
            found.setdefault(team_id, []).append(member_id)
        return {team_id: tuple(ids) for team_id, ids in found.items()}

    async def eligible(self, term: Term) -> list[int]:
        in_team = exists().where(
            team_members.c.member_id == members.c.id,
            team_members.c.team_id == teams.c.id,
            teams.c.term == str(term),
        )
        query = (
            select(members.c.id)
            .where(members.c.status == MemberStatus.APPROVED.value, ~in_team)
            .order_by(members.c.id)
        )
        return list((await self._session.execute(query)).scalars())

    async def save_outcome(self, round_id: int, rows: Sequence[OutcomeRow]) -> None:
        if not rows:
            return
        await self._session.execute(
            insert(round_outcomes),
            [
                {
                    "round_id": round_id,
                    "member_id": r.member_id,
                    "member_name": r.member_name[:40],
                    "result": r.result,
                    "team_id": r.team_id,
                    "team_title": r.team_title[:30],
                    "category": r.category,
                    "rank": r.rank,
                    "reason": r.reason,
                }
                for r in rows
            ],
        )

    async def outcome(self, round_id: int) -> list[OutcomeRow]:
        query = (
            select(round_outcomes)
            .where(round_outcomes.c.round_id == round_id)
            .order_by(round_outcomes.c.id)
        )
        return [
            OutcomeRow(
                member_id=row["member_id"],
                member_name=row["member_name"],
                result=row["result"],
                team_id=row["team_id"],
                team_title=row["team_title"],
                category=row["category"],
                rank=row["rank"],
                reason=row["reason"],
            )
            for row in (await self._session.execute(query)).mappings()
        ]
