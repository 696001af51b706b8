"""The matching round: after open recruiting, whoever is still without a team is placed into
the open slots, fairly and explainably (issue 18).

A round belongs to a term and has a deadline. Members rank up to ``max_choices`` slots
(a team's category); leaders may rank the members who chose their team. When the round closes
the service computes the member-optimal stable assignment with capacities (the
hospitals/residents problem), by resident-proposing deferred acceptance (Gale–Shapley,
Roth–Peranson's "resident-optimal" form): no member and slot would both rather be matched to
each other than to what they got, no slot takes more than its remaining capacity, and every
member gets the best slot they can have in any stable assignment.

The tie order, which makes a slot's preference strict: first the members its leader ranked,
in the leader's order; then everyone else who chose the slot, by the time they last saved
their choices (earliest first), then by member id (lowest first).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from wap.domain.catalog import Category
from wap.domain.entities import new_fields
from wap.domain.errors import (
    ChoiceInvalid,
    InvalidValue,
    RoundClosed,
    RoundPublished,
    RoundStillOpen,
    TooManyChoices,
)
from wap.domain.terms import Term

DEFAULT_CHOICES = 5
MAX_CHOICES = 10
MAX_DEADLINE_AHEAD = timedelta(days=60)
MESSAGE_MAX = 200


@dataclass(frozen=True, slots=True, order=True)
class SlotKey:
    """One slot of one team: what a member ranks and what holds places."""

    team_id: int
    category: Category

    def __str__(self) -> str:
        return f"{self.team_id}:{self.category.value}"


@dataclass(frozen=True, slots=True, order=True)
class Pair:
    """A member and a slot: what an officer pins or removes."""

    member_id: int
    slot: SlotKey


# The matching itself: a pure function over any instance.
@dataclass(frozen=True, slots=True)
class Instance:
    """A hospitals/residents instance.

    ``preferences``: each member's acceptable slots, best first. ``capacities``: how many
    places each slot still has. ``priorities``: each slot's acceptable members, best first (a
    strict order: ties are broken before this point). A pair is acceptable when each side lists
    the other; a slot missing from ``capacities`` has no places."""

    preferences: Mapping[int, Sequence[SlotKey]]
    capacities: Mapping[SlotKey, int]
    priorities: Mapping[SlotKey, Sequence[int]]


def stable_match(instance: Instance) -> dict[int, SlotKey]:
    """The member-optimal stable matching (resident-proposing deferred acceptance).

    Free members propose, lowest id first, to their next acceptable slot; a slot holds the
    best proposers up to its capacity and rejects the worst when over. Whatever the order of
    proposals, the outcome is the same (the member-optimal stable matching), so it is
    deterministic."""
    rank: dict[SlotKey, dict[int, int]] = {
        slot: {member: i for i, member in enumerate(order)}
        for slot, order in instance.priorities.items()
    }
    capacity = {slot: max(0, n) for slot, n in instance.capacities.items()}
    lists = {
        member: [
            s
            for s in dict.fromkeys(choices)
            if capacity.get(s, 0) > 0 and member in rank.get(s, {})
        ]
        for member, choices in instance.preferences.items()
    }
    next_choice = dict.fromkeys(lists, 0)
    held: dict[SlotKey, list[int]] = {slot: [] for slot in capacity}
    free = sorted(lists, reverse=True)  # a stack: the lowest id proposes first
    while free:
        member = free.pop()
        choices = lists[member]
        if next_choice[member] >= len(choices):
            continue  # stays unmatched
        slot = choices[next_choice[member]]
        next_choice[member] += 1
        holding = held[slot]
        holding.append(member)
        if len(holding) > capacity[slot]:
            worst = max(holding, key=lambda m: rank[slot][m])
            holding.remove(worst)
            free.append(worst)
    return {member: slot for slot, holding in held.items() for member in holding}


def blocking_pairs(instance: Instance, matching: Mapping[int, SlotKey]) -> list[Pair]:
    """Every (member, slot) that would both rather have each other: empty when stable."""
    found: list[Pair] = []
    by_slot: dict[SlotKey, list[int]] = {}
    for member, slot in matching.items():
        by_slot.setdefault(slot, []).append(member)
    for member, choices in instance.preferences.items():
        current = matching.get(member)
        for slot in dict.fromkeys(choices):
            if slot == current:
                break  # every later choice is worse than what the member has
            order = list(instance.priorities.get(slot, ()))
            capacity = instance.capacities.get(slot, 0)
            if member not in order or capacity <= 0:
                continue
            holders = by_slot.get(slot, [])
            if len(holders) < capacity or any(
                order.index(member) < order.index(h) for h in holders
            ):
                found.append(Pair(member, slot))
    return found


# The round.
class RoundState(StrEnum):
    OPEN = "open"  # members and leaders rank; leaders opt in
    CLOSED = "closed"  # past the deadline or run: officers preview, pin, remove
    PUBLISHED = "published"  # the placements are made; nothing changes any more


class Unplaced(StrEnum):
    """Why a member stays without a slot."""

    NO_CHOICE = "no_choice"  # ranked nothing the round still offers (or all were removed)
    ALL_FULL = "all_full"  # every slot they ranked had no place left before the matching
    OUTRANKED = "outranked"  # their slots went to members those teams put ahead of them


class Skipped(StrEnum):
    """Why publishing left out a pair of the assignment."""

    SLOT_FULL = "slot_full"  # recruiting filled the slot meanwhile
    ALREADY_IN_TEAM = "already_in_team"  # the member joined a team of the term meanwhile
    TEAM_NOT_RECRUITING = "team_not_recruiting"  # completed or deleted meanwhile


def check_max_choices(value: int) -> int:
    if isinstance(value, bool) or not (1 <= value <= MAX_CHOICES):
        raise InvalidValue(field="max_choices")
    return value


def check_deadline(deadline: datetime, now: datetime) -> datetime:
    if deadline.tzinfo is None or deadline.utcoffset() is None:
        raise InvalidValue(field="deadline")
    try:
        ahead = now < deadline <= now + MAX_DEADLINE_AHEAD
    except OverflowError:
        ahead = False
    if not ahead:
        raise InvalidValue(field="deadline")
    return deadline.astimezone(UTC)


@dataclass(slots=True)
class NewRound:
    term: Term
    deadline: datetime
    max_choices: int
    opened_by: int
    created_at: datetime
    state: RoundState = RoundState.OPEN
    closed_at: datetime | None = None
    published_at: datetime | None = None
    pins: tuple[Pair, ...] = ()
    removals: tuple[Pair, ...] = ()

    @classmethod
    def open(
        cls, *, officer_id: int, deadline: datetime, max_choices: int, now: datetime
    ) -> NewRound:
        return NewRound(
            term=Term.at(now),
            deadline=check_deadline(deadline, now),
            max_choices=check_max_choices(max_choices),
            opened_by=officer_id,
            created_at=now,
        )

    def state_at(self, now: datetime) -> RoundState:
        """An open round closes by itself at its deadline."""
        if self.state is RoundState.OPEN and now >= self.deadline:
            return RoundState.CLOSED
        return self.state

    def ensure_open(self, now: datetime) -> None:
        if self.state_at(now) is RoundState.PUBLISHED:
            raise RoundPublished()
        if self.state_at(now) is not RoundState.OPEN:
            raise RoundClosed()

    def ensure_closed(self, now: datetime) -> None:
        """Preview, pins and publishing: after the deadline, before publishing."""
        state = self.state_at(now)
        if state is RoundState.PUBLISHED:
            raise RoundPublished()
        if state is RoundState.OPEN:
            raise RoundStillOpen()

    def run(self, now: datetime) -> None:
        """An officer closes the round before its deadline."""
        self.ensure_open(now)
        self.state, self.closed_at = RoundState.CLOSED, now

    def pin(self, pair: Pair, now: datetime) -> None:
        """The member goes to this slot whatever the matching says (one pin per member)."""
        self.ensure_closed(now)
        self.pins = (*tuple(p for p in self.pins if p.member_id != pair.member_id), pair)
        self.removals = tuple(r for r in self.removals if r != pair)

    def remove(self, pair: Pair, now: datetime) -> None:
        """The matching may not put the member in this slot."""
        self.ensure_closed(now)
        self.pins = tuple(p for p in self.pins if p != pair)
        if pair not in self.removals:
            self.removals = (*self.removals, pair)

    def reset(self, pair: Pair, now: datetime) -> None:
        """Undo a pin or a removal of this pair."""
        self.ensure_closed(now)
        self.pins = tuple(p for p in self.pins if p != pair)
        self.removals = tuple(r for r in self.removals if r != pair)

    def publish(self, now: datetime) -> None:
        self.ensure_closed(now)
        if self.closed_at is None:
            self.closed_at = self.deadline
        self.state, self.published_at = RoundState.PUBLISHED, now

    def stored(self, id: int) -> Round:
        return Round(**new_fields(self), id=id)


@dataclass(slots=True, kw_only=True)
class Round(NewRound):
    id: int


@dataclass(frozen=True, slots=True)
class Entry:
    """A member's ranked choices, best first, as last saved."""

    member_id: int
    choices: tuple[SlotKey, ...]
    message: str
    submitted_at: datetime


def check_choices(
    choices: Sequence[SlotKey],
    offered: Iterable[SlotKey],
    max_choices: int,
    saved: Iterable[SlotKey] = (),
) -> tuple[SlotKey, ...]:
    """Up to ``max_choices`` distinct slots that the round offers. A slot of the member's
    ``saved`` list that the round no longer offers (its team left the round, or the slot
    filled) is dropped, not refused: it closed under the member, who chose it rightly, and
    refusing it would block every later save until they found and removed it. A closed slot
    they did not have is refused as before."""
    open_slots = set(offered)
    closed = set(saved) - open_slots
    kept = [c for c in choices if c not in closed]
    if len(kept) > max_choices:
        raise TooManyChoices(field="choices")
    if len(set(kept)) != len(kept) or any(c not in open_slots for c in kept):
        raise ChoiceInvalid(field="choices")
    return tuple(kept)


def check_message(raw: str | None) -> str:
    text = (raw or "").strip()
    if len(text) > MESSAGE_MAX or any(ch in text for ch in "\r\n\x00"):
        raise InvalidValue(field="message")
    return text


def tie_order(applicants: Iterable[Entry], leader_ranking: Sequence[int]) -> tuple[int, ...]:
    """A team's strict preference over its applicants: the leader's ranked ones in the
    leader's order, then the rest by the time they saved their choices, then by member id."""
    by_member = {e.member_id: e for e in applicants}
    ranked = [m for m in dict.fromkeys(leader_ranking) if m in by_member]
    rest = sorted(
        (e for m, e in by_member.items() if m not in set(ranked)),
        key=lambda e: (e.submitted_at, e.member_id),
    )
    return (*ranked, *(e.member_id for e in rest))


def slot_order(
    slot: SlotKey, entries: Iterable[Entry], leader_ranking: Sequence[int]
) -> tuple[int, ...]:
    """The slot's strict preference over the members who chose it (``tie_order``)."""
    return tie_order((e for e in entries if slot in e.choices), leader_ranking)


@dataclass(frozen=True, slots=True)
class Placement:
    member_id: int
    slot: SlotKey
    rank: int | None  # 1 for the member's first choice; None for a pin they did not rank
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Assignment:
    placed: tuple[Placement, ...]
    unplaced: tuple[tuple[int, Unplaced], ...]
    open_places: tuple[tuple[SlotKey, int], ...]  # slots with places left after the matching
    dropped_pins: tuple[Pair, ...] = ()  # pins whose slot had no place left

    @property
    def rank_counts(self) -> dict[int, int]:
        """How many members got their 1st, 2nd, … choice."""
        counts = Counter(p.rank for p in self.placed if p.rank is not None)
        return dict(sorted(counts.items()))


def assign(
    entries: Iterable[Entry],
    remaining: Mapping[SlotKey, int],
    leader_rankings: Mapping[int, Sequence[int]],
    pins: Iterable[Pair] = (),
    removals: Iterable[Pair] = (),
) -> Assignment:
    """The round's assignment: pins first (each takes a place), then the member-optimal stable
    matching of everyone else over the places left. ``remaining``: each offered slot's free
    places now (capacity − filled). Removed pairs are not acceptable to each other."""
    entries = sorted(entries, key=lambda e: e.member_id)
    by_member = {e.member_id: e for e in entries}
    left = {slot: max(0, n) for slot, n in remaining.items()}
    removed = set(removals)
    placed: list[Placement] = []
    dropped: list[Pair] = []
    pinned: set[int] = set()
    for pin in pins:
        if pin.member_id not in by_member or pin.member_id in pinned or left.get(pin.slot, 0) < 1:
            dropped.append(pin)
            continue
        left[pin.slot] -= 1
        pinned.add(pin.member_id)
        choices = by_member[pin.member_id].choices
        rank = choices.index(pin.slot) + 1 if pin.slot in choices else None
        placed.append(Placement(pin.member_id, pin.slot, rank, pinned=True))
    free = [e for e in entries if e.member_id not in pinned]
    preferences = {
        e.member_id: tuple(
            c for c in e.choices if c in remaining and Pair(e.member_id, c) not in removed
        )
        for e in free
    }
    priorities = {
        slot: slot_order(slot, free, leader_rankings.get(slot.team_id, ())) for slot in left
    }
    matched = stable_match(Instance(preferences, left, priorities))
    for member, slot in sorted(matched.items()):
        rank = by_member[member].choices.index(slot) + 1
        placed.append(Placement(member, slot, rank))
        left[slot] -= 1
    unplaced: list[tuple[int, Unplaced]] = []
    for e in free:
        if e.member_id in matched:
            continue
        wanted = preferences[e.member_id]
        if not wanted:
            reason = Unplaced.NO_CHOICE
        elif all(remaining.get(s, 0) < 1 for s in wanted):
            reason = Unplaced.ALL_FULL
        else:
            reason = Unplaced.OUTRANKED
        unplaced.append((e.member_id, reason))
    return Assignment(
        placed=tuple(sorted(placed, key=lambda p: p.member_id)),
        unplaced=tuple(unplaced),
        open_places=tuple((slot, n) for slot, n in sorted(left.items()) if n > 0),
        dropped_pins=tuple(dropped),
    )
