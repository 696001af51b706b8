"""The matching round's domain: the stable matching's promises on random instances, the tie
order, pins and removals, and the round's life cycle."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wap.domain.catalog import Category
from wap.domain.errors import (
    ChoiceInvalid,
    InvalidValue,
    RoundClosed,
    RoundPublished,
    RoundStillOpen,
    TooManyChoices,
)
from wap.domain.rounds import (
    Entry,
    Instance,
    NewRound,
    Pair,
    RoundState,
    SlotKey,
    Unplaced,
    assign,
    blocking_pairs,
    check_choices,
    slot_order,
    stable_match,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CATEGORIES = list(Category)


def key(i: int) -> SlotKey:
    return SlotKey(i // 3 + 1, CATEGORIES[i % 3])


@st.composite
def instances(
    draw: st.DrawFn, max_members: int = 9, max_slots: int = 6, max_capacity: int = 3
) -> Instance:
    members = list(range(1, draw(st.integers(0, max_members)) + 1))
    slots = [key(i) for i in range(draw(st.integers(0, max_slots)))]
    capacities = {s: draw(st.integers(0, max_capacity)) for s in slots}
    preferences = {
        m: tuple(draw(st.permutations(slots))[: draw(st.integers(0, len(slots)))]) for m in members
    }
    priorities = {}
    for s in slots:
        order = draw(st.permutations(members))
        priorities[s] = tuple(order[: draw(st.integers(0, len(order)))])
    return Instance(preferences, capacities, priorities)


def acceptable(instance: Instance, member: int, slot: SlotKey) -> bool:
    return slot in instance.preferences.get(member, ()) and member in instance.priorities.get(
        slot, ()
    )


@settings(max_examples=300, deadline=None)
@given(instances())
def test_the_matching_is_stable(instance: Instance) -> None:
    assert blocking_pairs(instance, stable_match(instance)) == []


@settings(max_examples=300, deadline=None)
@given(instances())
def test_no_slot_takes_more_than_its_places_and_every_pair_is_acceptable(
    instance: Instance,
) -> None:
    matching = stable_match(instance)
    taken: dict[SlotKey, int] = {}
    for member, slot in matching.items():
        taken[slot] = taken.get(slot, 0) + 1
        assert acceptable(instance, member, slot)
    for slot, n in taken.items():
        assert n <= instance.capacities[slot]


def stable_matchings(instance: Instance) -> list[dict[int, SlotKey]]:
    """Every stable matching, by brute force (tiny instances only)."""
    members = sorted(instance.preferences)
    options = [
        [None, *[s for s in instance.preferences[m] if acceptable(instance, m, s)]] for m in members
    ]
    found = []
    for pick in itertools.product(*options):
        matching = {m: s for m, s in zip(members, pick, strict=True) if s is not None}
        counts: dict[SlotKey, int] = {}
        for s in matching.values():
            counts[s] = counts.get(s, 0) + 1
        if any(n > instance.capacities.get(s, 0) for s, n in counts.items()):
            continue
        if not blocking_pairs(instance, matching):
            found.append(matching)
    return found


def position(instance: Instance, member: int, slot: SlotKey | None) -> int:
    choices = list(instance.preferences[member])
    return len(choices) if slot is None else choices.index(slot)


@settings(max_examples=200, deadline=None)
@given(instances(max_members=4, max_slots=3, max_capacity=2))
def test_every_member_does_at_least_as_well_as_in_any_stable_matching(
    instance: Instance,
) -> None:
    ours = stable_match(instance)
    everyone = stable_matchings(instance)
    assert ours in everyone
    for other in everyone:
        for member in instance.preferences:
            assert position(instance, member, ours.get(member)) <= position(
                instance, member, other.get(member)
            )


@settings(max_examples=100, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_the_input_is_given_in(
    instance: Instance, random: object
) -> None:
    import random as _random

    assert isinstance(random, _random.Random)
    members = list(instance.preferences.items())
    slots = list(instance.capacities.items())
    random.shuffle(members)
    random.shuffle(slots)
    shuffled = Instance(dict(members), dict(slots), dict(instance.priorities))
    assert stable_match(shuffled) == stable_match(instance)


def test_empty_sides() -> None:
    assert stable_match(Instance({}, {}, {})) == {}
    assert stable_match(Instance({1: (), 2: ()}, {}, {})) == {}
    slot = key(0)
    assert stable_match(Instance({}, {slot: 3}, {slot: ()})) == {}
    # A slot without places takes no one, whatever it and the members want.
    assert stable_match(Instance({1: (slot,)}, {slot: 0}, {slot: (1,)})) == {}


def test_the_slot_keeps_whom_it_ranks_higher_and_the_other_goes_on() -> None:
    a, b = key(0), key(1)
    instance = Instance(
        preferences={1: (a, b), 2: (a, b)},
        capacities={a: 1, b: 1},
        priorities={a: (2, 1), b: (1, 2)},
    )
    assert stable_match(instance) == {2: a, 1: b}


def entry(member_id: int, *choices: SlotKey, minutes: int = 0) -> Entry:
    return Entry(member_id, choices, "", NOW + timedelta(minutes=minutes))


def test_ties_leader_rank_then_time_saved_then_member_id() -> None:
    slot = key(0)
    entries = [
        entry(5, slot, minutes=3),
        entry(4, slot, minutes=1),
        entry(3, slot, minutes=1),
        entry(2, slot, minutes=0),
        entry(1, slot, minutes=9),
        entry(9, key(1)),  # did not choose the slot: not in its order, even if ranked
    ]
    assert slot_order(slot, entries, leader_ranking=(1, 9, 5)) == (1, 5, 2, 3, 4)


def test_an_unranked_tie_goes_to_who_saved_first() -> None:
    slot = key(0)
    result = assign([entry(7, slot, minutes=5), entry(8, slot, minutes=2)], {slot: 1}, {})
    assert [(p.member_id, p.rank) for p in result.placed] == [(8, 1)]
    assert result.unplaced == ((7, Unplaced.OUTRANKED),)


def test_the_assignment_reports_ranks_reasons_and_open_places() -> None:
    a, b, c = key(0), key(1), key(2)
    entries = [
        entry(1, a, b),
        entry(2, a, b),
        entry(3, a),
        entry(4),  # ranked nothing
        entry(5, c),  # ranked only a slot with no place left
    ]
    result = assign(entries, {a: 1, b: 2, c: 0}, {a.team_id: (2, 3, 1)})
    assert [(p.member_id, p.slot, p.rank) for p in result.placed] == [(1, b, 2), (2, a, 1)]
    assert dict(result.unplaced) == {
        3: Unplaced.OUTRANKED,
        4: Unplaced.NO_CHOICE,
        5: Unplaced.ALL_FULL,
    }
    assert result.rank_counts == {1: 1, 2: 1}
    assert result.open_places == ((b, 1),)


def test_pins_take_their_place_first_and_removals_are_respected() -> None:
    a, b = key(0), key(1)
    entries = [entry(1, a, b), entry(2, a, b), entry(3, b)]
    result = assign(
        entries,
        {a: 1, b: 1},
        {},
        pins=[Pair(3, a)],  # 3 never ranked a: pinned anyway, with no rank
        removals=[Pair(1, b)],
    )
    placed = {p.member_id: (p.slot, p.rank, p.pinned) for p in result.placed}
    assert placed == {3: (a, None, True), 2: (b, 2, False)}
    assert dict(result.unplaced) == {1: Unplaced.OUTRANKED}
    # A pin whose slot has no place left is dropped, and the member is matched as usual.
    dropped = assign([entry(1, a), entry(2, b)], {a: 1, b: 1}, {}, pins=[Pair(1, a), Pair(2, a)])
    assert dropped.dropped_pins == (Pair(2, a),)
    assert {p.member_id: p.slot for p in dropped.placed} == {1: a, 2: b}


@settings(max_examples=200, deadline=None)
@given(instances(), st.data())
def test_the_round_assignment_never_exceeds_the_places_left(
    instance: Instance, data: st.DataObject
) -> None:
    entries = [entry(m, *choices, minutes=m % 3) for m, choices in instance.preferences.items()]
    pins = data.draw(
        st.lists(
            st.builds(
                Pair,
                st.sampled_from(sorted(instance.preferences) or [0]),
                st.sampled_from(sorted(instance.capacities) or [key(0)]),
            ),
            max_size=3,
        )
    )
    result = assign(entries, instance.capacities, {}, pins=pins)
    taken: dict[SlotKey, int] = {}
    for p in result.placed:
        taken[p.slot] = taken.get(p.slot, 0) + 1
    for slot, n in taken.items():
        assert n <= instance.capacities[slot]
    everyone = [p.member_id for p in result.placed] + [m for m, _ in result.unplaced]
    assert sorted(everyone) == sorted(instance.preferences)


def test_choices_are_distinct_offered_and_few_enough() -> None:
    a, b = key(0), key(1)
    assert check_choices([b, a], [a, b], 2) == (b, a)
    with pytest.raises(TooManyChoices):
        check_choices([a, b], [a, b], 1)
    with pytest.raises(ChoiceInvalid):
        check_choices([a, a], [a, b], 5)
    with pytest.raises(ChoiceInvalid):
        check_choices([key(5)], [a, b], 5)


def test_saved_choices_that_closed_are_dropped_and_only_those() -> None:
    a, b, gone = key(0), key(1), key(7)
    # gone was saved, then closed: dropped wherever it stands, before counting.
    assert check_choices([gone, b, a], [a, b], 2, saved=[a, gone, b]) == (b, a)
    # a closed slot the member never saved is refused, saved list or not.
    with pytest.raises(ChoiceInvalid):
        check_choices([a, key(8)], [a, b], 5, saved=[a, gone])
    # an open slot the member saved stays, and still counts toward the limit.
    with pytest.raises(TooManyChoices):
        check_choices([a, b, gone], [a, b], 1, saved=[a, b, gone])


def test_the_round_life_cycle() -> None:
    new = NewRound.open(officer_id=1, deadline=NOW + timedelta(days=2), max_choices=5, now=NOW)
    assert str(new.term) == "2026-2"
    round_ = new.stored(1)
    round_.ensure_open(NOW)
    with pytest.raises(RoundStillOpen):
        round_.ensure_closed(NOW)
    later = NOW + timedelta(days=3)
    assert round_.state_at(later) is RoundState.CLOSED  # the deadline closes it by itself
    with pytest.raises(RoundClosed):
        round_.ensure_open(later)
    round_.run(NOW)
    round_.pin(Pair(1, key(0)), NOW)
    round_.remove(Pair(1, key(0)), NOW)
    assert round_.pins == () and round_.removals == (Pair(1, key(0)),)
    round_.publish(NOW)
    with pytest.raises(RoundPublished):
        round_.ensure_closed(NOW)
    with pytest.raises(RoundPublished):
        round_.ensure_open(NOW)


@pytest.mark.parametrize(
    ("deadline", "max_choices"),
    [
        (NOW - timedelta(minutes=1), 5),
        (NOW + timedelta(days=61), 5),
        (datetime(2026, 11, 25), 5),
        (NOW + timedelta(days=1), 0),
        (NOW + timedelta(days=1), 11),
    ],
)
def test_a_round_needs_a_deadline_ahead_and_one_to_ten_choices(
    deadline: datetime, max_choices: int
) -> None:
    with pytest.raises(InvalidValue):
        NewRound.open(officer_id=1, deadline=deadline, max_choices=max_choices, now=NOW)


@settings(max_examples=200, deadline=None)
@given(instances(), st.data())
def test_the_round_assignment_is_stable_and_keeps_out_removed_pairs(
    instance: Instance, data: st.DataObject
) -> None:
    """Over the round's own inputs (saved choices, places left, leader rankings, removals):
    no removed pair is placed, and without pins there is no blocking pair in the instance
    the round describes (the tie order applied)."""
    entries = [
        entry(m, *choices, minutes=data.draw(st.integers(0, 3)))
        for m, choices in instance.preferences.items()
    ]
    teams = sorted({s.team_id for s in instance.capacities})
    rankings = {
        t: tuple(data.draw(st.permutations(sorted(instance.preferences)))[:2]) for t in teams
    }
    pairs = [Pair(e.member_id, c) for e in entries for c in e.choices]
    removals = data.draw(st.lists(st.sampled_from(pairs), max_size=4)) if pairs else []
    result = assign(entries, instance.capacities, rankings, removals=removals)
    assert not {Pair(p.member_id, p.slot) for p in result.placed} & set(removals)
    described = Instance(
        preferences={
            e.member_id: tuple(c for c in e.choices if Pair(e.member_id, c) not in removals)
            for e in entries
        },
        capacities=instance.capacities,
        priorities={
            s: slot_order(s, entries, rankings.get(s.team_id, ())) for s in instance.capacities
        },
    )
    matching = {p.member_id: p.slot for p in result.placed}
    assert blocking_pairs(described, matching) == []
    for p in result.placed:  # the rank is where the member put the slot
        assert p.rank == list(by_id(entries)[p.member_id].choices).index(p.slot) + 1


def by_id(entries: list[Entry]) -> dict[int, Entry]:
    return {e.member_id: e for e in entries}
