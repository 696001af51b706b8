"""The matching round's use cases: opening and closing it, opting in, ranking, previewing with
pins and removals, publishing through the guarded join, and the CSV of the result."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import msgspec

from wap.application.admin.exports import BOM, Export, cell
from wap.application.admin.ports import AuditLog
from wap.application.labels import ROUND_COLUMN, ROUND_REASON, ROUND_RESULT, label
from wap.application.members.ports import MemberRepository
from wap.application.notices.notifier import Notifier
from wap.application.ports import Clock, UnitOfWork
from wap.application.rounds.ports import OutcomeRow, RoundRepository
from wap.application.rounds.read_models import (
    Applicant,
    ChoiceView,
    MyChoices,
    MyOutcome,
    OfferedSlot,
    PairView,
    PlacementView,
    Preview,
    PublishReport,
    RoundView,
    SkippedView,
    TeamApplicants,
    UnplacedView,
)
from wap.application.teams.lookups import load_team
from wap.application.teams.ports import TeamRepository
from wap.domain.audit import AuditAction, AuditTarget, NewAuditEntry
from wap.domain.catalog import Category
from wap.domain.errors import (
    ChoiceInvalid,
    PinInvalid,
    RoundAlreadyOpen,
    RoundNotEligible,
    RoundNotFound,
    RoundTeamNotIn,
    SlotFull,
    WapError,
)
from wap.domain.members import Actor
from wap.domain.notifications import NoticeKind
from wap.domain.rounds import (
    DEFAULT_CHOICES,
    Assignment,
    Entry,
    NewRound,
    Pair,
    Round,
    RoundState,
    Skipped,
    SlotKey,
    assign,
    check_choices,
    check_message,
    tie_order,
)
from wap.domain.teams import Team, TeamStatus, parse_category
from wap.domain.terms import Term


def round_view(round_: Round, teams: Sequence[int], now: datetime) -> RoundView:
    return RoundView(
        id=round_.id,
        term=str(round_.term),
        state=round_.state_at(now).value,
        deadline=round_.deadline,
        max_choices=round_.max_choices,
        created_at=round_.created_at,
        closed_at=round_.closed_at,
        published_at=round_.published_at,
        teams=list(teams),
    )


def _key(team_id: int, category: str) -> SlotKey:
    try:
        return SlotKey(team_id, parse_category(category))
    except WapError:
        raise ChoiceInvalid(field="choices") from None


def _pair_view(pair: Pair) -> PairView:
    return PairView(pair.member_id, pair.slot.team_id, pair.slot.category.value)


@dataclass(frozen=True, slots=True)
class Offer:
    """What the round offers now: its teams (recruiting, of its term, opted in) and each of
    their slots' places left (capacity − filled, zero included)."""

    teams: dict[int, Team]
    places: dict[SlotKey, int]

    @property
    def open_slots(self) -> list[SlotKey]:
        return [slot for slot, n in sorted(self.places.items()) if n > 0]

    def title(self, team_id: int) -> str:
        team = self.teams.get(team_id)
        return team.title.value if team else ""

    def slot_views(self, places: dict[SlotKey, int] | None = None) -> list[OfferedSlot]:
        source = self.places if places is None else places
        return [
            OfferedSlot(slot.team_id, self.title(slot.team_id), slot.category.value, n)
            for slot, n in sorted(source.items())
            if n > 0
        ]


class _RoundUseCase:
    """What every round use case reads: the round, what it offers, who takes part."""

    def __init__(
        self,
        rounds: RoundRepository,
        teams: TeamRepository,
        members: MemberRepository,
        notifier: Notifier,
        audit: AuditLog,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._rounds, self._teams, self._members = rounds, teams, members
        self._notifier, self._audit, self._uow, self._clock = notifier, audit, uow, clock

    async def _round(self, round_id: int, *, lock: bool = False) -> Round:
        found = await (
            self._rounds.get_for_update(round_id) if lock else self._rounds.get(round_id)
        )
        if found is None:
            raise RoundNotFound()
        return found

    async def _view(self, round_: Round) -> RoundView:
        return round_view(round_, await self._rounds.teams_in(round_.id), self._clock.now())

    async def _offer(self, round_: Round) -> Offer:
        teams: dict[int, Team] = {}
        places: dict[SlotKey, int] = {}
        for team_id in await self._rounds.teams_in(round_.id):
            team = await self._teams.get(team_id)
            if team is None or team.status is not TeamStatus.RECRUITING:
                continue
            if team.term != round_.term:
                continue
            teams[team_id] = team
            for slot in team.slots.values():
                places[SlotKey(team_id, slot.category)] = max(0, slot.capacity - slot.filled)
        return Offer(teams, places)

    async def _entry(self, round_: Round, member_id: int) -> Entry | None:
        """The member's saved choices in the round, if any."""
        found = await self._rounds.entries(round_.id, member_id)
        return found[0] if found else None

    async def _name(self, member_id: int) -> str:
        member = await self._members.get(member_id)
        return member.name.value if member and member.name else f"#{member_id}"

    async def _compute(self, round_: Round) -> tuple[Offer, Assignment]:
        """The assignment as it stands: every member who may take part (an empty entry for
        one who ranked nothing), over the places left now."""
        offer = await self._offer(round_)
        eligible = await self._rounds.eligible(round_.term)
        saved = {e.member_id: e for e in await self._rounds.entries(round_.id)}
        entries = [saved.get(m) or Entry(m, (), "", round_.deadline) for m in eligible]
        result = assign(
            entries,
            offer.places,
            await self._rounds.rankings(round_.id),
            pins=round_.pins,
            removals=round_.removals,
        )
        return offer, result

    async def _placements(self, offer: Offer, result: Assignment) -> list[PlacementView]:
        return [
            PlacementView(
                member_id=p.member_id,
                name=await self._name(p.member_id),
                team_id=p.slot.team_id,
                team_title=offer.title(p.slot.team_id),
                category=p.slot.category.value,
                rank=p.rank,
                pinned=p.pinned,
            )
            for p in result.placed
        ]

    async def _unplaced(self, result: Assignment) -> list[UnplacedView]:
        return [
            UnplacedView(member_id, await self._name(member_id), reason.value)
            for member_id, reason in result.unplaced
        ]

    async def _audit_round(
        self, actor: Actor, action: AuditAction, round_: Round, **detail: object
    ) -> None:
        await self._audit.add(
            NewAuditEntry(
                actor_id=actor.member_id,
                action=action,
                target_type=AuditTarget.ROUND,
                target_id=round_.id,
                created_at=self._clock.now(),
                detail={"term": str(round_.term), **detail},
            )
        )


@dataclass(frozen=True, slots=True)
class OpenRoundCommand:
    actor: Actor
    deadline: datetime
    max_choices: int = DEFAULT_CHOICES


class OpenRound(_RoundUseCase):
    """An officer opens the current term's round; a term has one unpublished round at most."""

    async def __call__(self, command: OpenRoundCommand) -> RoundView:
        command.actor.ensure_officer()
        now = self._clock.now()
        new = NewRound.open(
            officer_id=command.actor.member_id,
            deadline=command.deadline,
            max_choices=command.max_choices,
            now=now,
        )
        current = await self._rounds.latest(new.term)
        if current is not None and current.state is not RoundState.PUBLISHED:
            raise RoundAlreadyOpen()
        # Two officers opening at once both pass the check above; the store decides (its
        # unique key) and refuses the later one with RoundAlreadyOpen as well.
        round_ = await self._rounds.add(new)
        await self._audit_round(
            command.actor,
            AuditAction.ROUND_OPENED,
            round_,
            deadline=round_.deadline.isoformat(),
            max_choices=round_.max_choices,
        )
        await self._uow.commit()
        return round_view(round_, [], now)


@dataclass(frozen=True, slots=True)
class RoundQuery:
    round_id: int | None = None  # None: the current term's newest round


class GetRound(_RoundUseCase):
    async def __call__(self, query: RoundQuery) -> RoundView:
        return await self._view(await self.find(query))

    async def find(self, query: RoundQuery) -> Round:
        if query.round_id is not None:
            return await self._round(query.round_id)
        found = await self._rounds.latest(Term.at(self._clock.now()))
        if found is None:
            raise RoundNotFound()
        return found


@dataclass(frozen=True, slots=True)
class RoundAction:
    actor: Actor
    round_id: int


class RunRound(_RoundUseCase):
    """An officer closes the round before its deadline: the assignment can be previewed."""

    async def __call__(self, action: RoundAction) -> RoundView:
        action.actor.ensure_officer()
        round_ = await self._round(action.round_id, lock=True)
        round_.run(self._clock.now())
        await self._rounds.save(round_)
        await self._audit_round(action.actor, AuditAction.ROUND_RUN, round_)
        await self._uow.commit()
        return await self._view(round_)


@dataclass(frozen=True, slots=True)
class OptInCommand:
    actor: Actor
    round_id: int
    team_id: int
    opted_in: bool = True


class SetOptIn(_RoundUseCase):
    """A leader offers (or withdraws) their recruiting team's open places to the round."""

    async def __call__(self, command: OptInCommand) -> RoundView:
        # Every write to a round takes its row first: one lock order (round, then team), and
        # a write never races the officer closing or publishing it.
        round_ = await self._round(command.round_id, lock=True)
        team = await load_team(self._teams, command.team_id)
        team.ensure_leader(command.actor)
        round_.ensure_open(self._clock.now())
        if command.opted_in:
            if team.status is not TeamStatus.RECRUITING or team.term != round_.term:
                raise RoundTeamNotIn()
            await self._rounds.opt_in(round_.id, team.id)
        else:
            await self._rounds.opt_out(round_.id, team.id)
        await self._uow.commit()
        return await self._view(round_)


@dataclass(frozen=True, slots=True)
class ChoicesCommand:
    actor: Actor
    round_id: int
    choices: tuple[tuple[int, str], ...]  # (team id, category), best first
    message: str | None = None


class SaveChoices(_RoundUseCase):
    """A member who may take part ranks up to ``max_choices`` of the round's open slots."""

    async def __call__(self, command: ChoicesCommand) -> MyChoices:
        actor = command.actor
        actor.ensure_approved()
        # The round's row first (as every write to a round): a double-click's two saves run
        # one after the other, and none races the round's closing.
        round_ = await self._round(command.round_id, lock=True)
        now = self._clock.now()
        round_.ensure_open(now)
        if actor.member_id not in await self._rounds.eligible(round_.term):
            raise RoundNotEligible()
        offer = await self._offer(round_)
        wanted = [_key(team_id, category) for team_id, category in command.choices]
        saved = await self._entry(round_, actor.member_id)
        choices = check_choices(
            wanted, offer.open_slots, round_.max_choices, saved.choices if saved else ()
        )
        entry = Entry(actor.member_id, choices, check_message(command.message), now)
        await self._rounds.save_entry(round_.id, entry)
        await self._uow.commit()
        return await _mine(self, round_, actor, offer, entry, eligible=True)


async def _mine(
    case: _RoundUseCase,
    round_: Round,
    actor: Actor,
    offer: Offer,
    entry: Entry | None,
    *,
    eligible: bool,
) -> MyChoices:
    still_open = set(offer.open_slots)
    chosen = entry.choices if entry else ()
    titles = {c.team_id: offer.title(c.team_id) for c in chosen}
    for team_id, title in titles.items():
        if not title:  # the team left the round: its choice still shows, by its title
            team = await case._teams.get(team_id)
            titles[team_id] = team.title.value if team else ""
    return MyChoices(
        round=await case._view(round_),
        eligible=eligible,
        choices=[
            ChoiceView(c.team_id, c.category.value, titles[c.team_id], c in still_open)
            for c in chosen
        ],
        message=entry.message if entry else "",
        saved_at=entry.submitted_at if entry else None,
        offered=offer.slot_views(),
    )


@dataclass(frozen=True, slots=True)
class MyChoicesQuery:
    actor: Actor
    round_id: int


class GetMyChoices(_RoundUseCase):
    async def __call__(self, query: MyChoicesQuery) -> MyChoices:
        query.actor.ensure_approved()
        round_ = await self._round(query.round_id)
        offer = await self._offer(round_)
        entry = await self._entry(round_, query.actor.member_id)
        eligible = query.actor.member_id in await self._rounds.eligible(round_.term)
        mine = await _mine(self, round_, query.actor, offer, entry, eligible=eligible)
        if round_.state is not RoundState.PUBLISHED:
            return mine
        row = next(
            (
                r
                for r in await self._rounds.outcome(round_.id)
                if r.member_id == query.actor.member_id
            ),
            None,
        )
        if row is None:
            return mine
        outcome = MyOutcome(
            row.result, row.team_id, row.team_title, row.category, row.rank, row.reason
        )
        return msgspec.structs.replace(mine, outcome=outcome)


@dataclass(frozen=True, slots=True)
class ApplicantsQuery:
    actor: Actor
    round_id: int
    team_id: int


class ListRoundApplicants(_RoundUseCase):
    """The members who chose the team's slots, in the order the team prefers them: the
    leader's ranking, then the stated tie order (time saved, then member id)."""

    async def __call__(self, query: ApplicantsQuery) -> TeamApplicants:
        round_ = await self._round(query.round_id)
        team = await load_team(self._teams, query.team_id)
        team.ensure_leader_or_officer(query.actor)
        return await self._applicants(round_, team)

    async def _applicants(self, round_: Round, team: Team) -> TeamApplicants:
        entries = await self._rounds.entries(round_.id)
        ranking = (await self._rankings(round_)).get(team.id, ())
        chose = [e for e in entries if any(c.team_id == team.id for c in e.choices)]
        order = tie_order(chose, ranking)  # the order every slot of the team uses
        by_member = {e.member_id: e for e in chose}
        applicants = []
        for member_id in order:
            entry = by_member[member_id]
            rank, best = next(
                (i + 1, c) for i, c in enumerate(entry.choices) if c.team_id == team.id
            )
            applicants.append(
                Applicant(
                    member_id=member_id,
                    name=await self._name(member_id),
                    category=best.category.value,
                    choice_rank=rank,
                    message=entry.message,
                    leader_rank=ranking.index(member_id) + 1 if member_id in ranking else None,
                )
            )
        return TeamApplicants(
            round_id=round_.id,
            team_id=team.id,
            team_title=team.title.value,
            opted_in=team.id in await self._rounds.teams_in(round_.id),
            applicants=applicants,
        )

    async def _rankings(self, round_: Round) -> dict[int, tuple[int, ...]]:
        return await self._rounds.rankings(round_.id)


@dataclass(frozen=True, slots=True)
class RankingCommand:
    actor: Actor
    round_id: int
    team_id: int
    member_ids: tuple[int, ...]  # best first; the rest follow in the tie order


class RankApplicants(ListRoundApplicants):
    async def __call__(self, command: RankingCommand) -> TeamApplicants:  # type: ignore[override]
        round_ = await self._round(command.round_id, lock=True)
        team = await load_team(self._teams, command.team_id)
        team.ensure_leader(command.actor)
        round_.ensure_open(self._clock.now())
        if team.id not in await self._rounds.teams_in(round_.id):
            raise RoundTeamNotIn()
        applicants = {
            e.member_id
            for e in await self._rounds.entries(round_.id)
            if any(c.team_id == team.id for c in e.choices)
        }
        ids = command.member_ids
        if len(set(ids)) != len(ids) or any(i not in applicants for i in ids):
            raise ChoiceInvalid(field="member_ids")
        await self._rounds.save_ranking(round_.id, team.id, ids)
        await self._uow.commit()
        return await self._applicants(round_, team)


class PreviewRound(_RoundUseCase):
    """Officers see who goes where, the ranks obtained, who stays unplaced and why, and the
    places still open; nothing is written."""

    async def __call__(self, action: RoundAction) -> Preview:
        action.actor.ensure_officer()
        round_ = await self._round(action.round_id)
        round_.ensure_closed(self._clock.now())
        return await self._preview(round_)

    async def _preview(self, round_: Round) -> Preview:
        offer, result = await self._compute(round_)
        return Preview(
            round=await self._view(round_),
            placed=await self._placements(offer, result),
            rank_counts=result.rank_counts,
            unplaced=await self._unplaced(result),
            open_slots=offer.slot_views(dict(result.open_places)),
            pins=[_pair_view(p) for p in round_.pins],
            removals=[_pair_view(p) for p in round_.removals],
            dropped_pins=[_pair_view(p) for p in result.dropped_pins],
        )


class Adjustment(StrEnum):
    PIN = "pin"
    REMOVE = "remove"
    RESET = "reset"


@dataclass(frozen=True, slots=True)
class AdjustCommand:
    actor: Actor
    round_id: int
    member_id: int
    team_id: int
    category: str
    adjustment: Adjustment


class AdjustRound(PreviewRound):
    """Pin or remove one pair (or undo either), then the preview recomputed."""

    async def __call__(self, command: AdjustCommand) -> Preview:  # type: ignore[override]
        command.actor.ensure_officer()
        round_ = await self._round(command.round_id, lock=True)
        now = self._clock.now()
        round_.ensure_closed(now)
        try:
            pair = Pair(
                command.member_id, SlotKey(command.team_id, parse_category(command.category))
            )
        except WapError:
            raise PinInvalid(field="category") from None
        offer = await self._offer(round_)
        if command.adjustment is not Adjustment.RESET and (
            pair.slot not in offer.places
            or command.member_id not in await self._rounds.eligible(round_.term)
        ):
            raise PinInvalid()
        if command.adjustment is Adjustment.PIN:
            round_.pin(pair, now)
        elif command.adjustment is Adjustment.REMOVE:
            round_.remove(pair, now)
        else:
            round_.reset(pair, now)
        await self._rounds.save(round_)
        await self._audit_round(
            command.actor,
            AuditAction.ROUND_ADJUSTED,
            round_,
            adjustment=command.adjustment.value,
            member_id=pair.member_id,
            team_id=pair.slot.team_id,
            category=pair.slot.category.value,
        )
        await self._uow.commit()
        return await self._preview(round_)


class PublishRound(_RoundUseCase):
    """Atomic: every pair of the assignment joins through the same guarded join as accepting
    an application (``Team.admit`` under the team's row lock, then the repository's
    ``UPDATE … WHERE filled < capacity``), so recruiting that went on meanwhile is never
    overbooked; a pair that no longer fits is reported and skipped. Notices to every member
    and leader concerned, an audit entry, and the outcome kept for the CSV."""

    async def __call__(self, action: RoundAction) -> PublishReport:
        action.actor.ensure_officer()
        round_ = await self._round(action.round_id, lock=True)  # one publish at a time
        now = self._clock.now()
        round_.ensure_closed(now)
        offer, result = await self._compute(round_)
        placed: list[PlacementView] = []
        skipped: list[SkippedView] = []
        rows: list[OutcomeRow] = []
        by_team: dict[int, list[int]] = {}
        for index, placement in enumerate(result.placed):
            by_team.setdefault(placement.slot.team_id, []).append(index)
        # Lock order, as everywhere: team (ascending ids here), then slot.
        for team_id in sorted(by_team):
            team = await self._teams.get_for_update(team_id)
            for index in by_team[team_id]:
                p = result.placed[index]
                name = await self._name(p.member_id)
                reason = await self._join(team, p.member_id, p.slot.category, round_.term, now)
                title = team.title.value if team else offer.title(team_id)
                category = p.slot.category.value
                if reason is not None:
                    skipped.append(SkippedView(p.member_id, name, team_id, category, reason))
                    rows.append(
                        OutcomeRow(
                            p.member_id, name, "skipped", team_id, title, category, p.rank, reason
                        )
                    )
                    continue
                assert team is not None
                placed.append(
                    PlacementView(p.member_id, name, team_id, title, category, p.rank, p.pinned)
                )
                rows.append(
                    OutcomeRow(p.member_id, name, "placed", team_id, title, category, p.rank)
                )
                payload = {
                    "round_id": round_.id,
                    "team_id": team_id,
                    "team": title,
                    "category": category,
                }
                await self._notifier.tell(
                    [p.member_id], NoticeKind.ROUND_PLACED, {**payload, "rank": p.rank}
                )
                await self._notifier.tell(
                    [team.leader_id], NoticeKind.ROUND_JOINED, {**payload, "name": name}
                )
        unplaced = await self._unplaced(result)
        for u in unplaced:
            rows.append(OutcomeRow(u.member_id, u.name, "unplaced", reason=u.reason))
        left_out = [s.member_id for s in skipped] + [u.member_id for u in unplaced]
        for member_id in left_out:
            await self._notifier.tell(
                [member_id], NoticeKind.ROUND_UNPLACED, {"round_id": round_.id}
            )
        round_.publish(now)
        await self._rounds.save(round_)
        await self._rounds.save_outcome(round_.id, rows)
        await self._audit_round(
            action.actor,
            AuditAction.ROUND_PUBLISHED,
            round_,
            placed=len(placed),
            skipped=len(skipped),
            unplaced=len(unplaced),
        )
        await self._uow.commit()
        return PublishReport(await self._view(round_), placed, skipped, unplaced)

    async def _join(
        self, team: Team | None, member_id: int, category: Category, term: Term, now: datetime
    ) -> str | None:
        """Join the member to the slot as accepting does; the reason when it cannot."""
        if team is None or team.status is not TeamStatus.RECRUITING:
            return Skipped.TEAM_NOT_RECRUITING.value
        for membership in await self._teams.memberships_of(member_id):
            other = await self._teams.get(membership.team_id)
            if other is not None and other.term == term:
                return Skipped.ALREADY_IN_TEAM.value
        try:
            team.admit(category)  # the domain's rule: never more than capacity
        except SlotFull:
            return Skipped.SLOT_FULL.value
        # Its backing in the database: the guarded UPDATE … WHERE filled < capacity.
        if not await self._teams.take_place(team.id, member_id, category, now):
            return Skipped.SLOT_FULL.value
        return None


@dataclass(frozen=True, slots=True)
class RoundExportRequest:
    actor: Actor
    round_id: int
    english: bool = False


COLUMNS = (
    "member_id",
    "member_name",
    "team_id",
    "team_title",
    "category",
    "rank",
    "result",
    "reason",
)


class ExportRound(PreviewRound):
    """The result as CSV (UTF-8 with a BOM): the published outcome, or before publishing the
    preview's placements and unplaced members."""

    async def __call__(self, request: RoundExportRequest) -> Export:  # type: ignore[override]
        request.actor.ensure_officer()
        round_ = await self._round(request.round_id)
        now = self._clock.now()
        if round_.state_at(now) is RoundState.PUBLISHED:
            rows = await self._rounds.outcome(round_.id)
        else:
            round_.ensure_closed(now)
            preview = await self._preview(round_)
            rows = [
                OutcomeRow(
                    p.member_id, p.name, "placed", p.team_id, p.team_title, p.category, p.rank
                )
                for p in preview.placed
            ] + [
                OutcomeRow(u.member_id, u.name, "unplaced", reason=u.reason)
                for u in preview.unplaced
            ]
        return Export(f"wap-round-{round_.id}-{round_.term}.csv", _csv(rows, request.english))


async def _csv(rows: Sequence[OutcomeRow], english: bool) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([label(ROUND_COLUMN, c, english) for c in COLUMNS])
    for row in rows:
        writer.writerow(
            [
                cell(row.member_id),
                cell(row.member_name),
                cell(row.team_id),
                cell(row.team_title),
                cell(row.category),
                cell(row.rank),
                cell(label(ROUND_RESULT, row.result, english)),
                cell(label(ROUND_REASON, row.reason, english)),
            ]
        )
    yield buffer.getvalue().encode("utf-8")
