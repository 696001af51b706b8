"""What the round's pages and API show."""

from __future__ import annotations

from datetime import datetime

import msgspec


class RoundView(msgspec.Struct, frozen=True):
    id: int
    term: str
    state: str  # open | closed | published (an open round past its deadline reads closed)
    deadline: datetime
    max_choices: int
    created_at: datetime
    closed_at: datetime | None
    published_at: datetime | None
    teams: list[int]  # the teams that opted in


class OfferedSlot(msgspec.Struct, frozen=True):
    team_id: int
    team_title: str
    category: str
    places: int  # capacity − filled now


class ChoiceView(msgspec.Struct, frozen=True):
    team_id: int
    category: str
    team_title: str = ""
    # False once the slot is no longer offered (its team left the round, or it filled): the
    # member's next save drops it.
    open: bool = True


class MyOutcome(msgspec.Struct, frozen=True):
    """What the published round did for me."""

    result: str  # placed | skipped | unplaced
    team_id: int | None
    team_title: str
    category: str | None
    rank: int | None
    reason: str | None


class MyChoices(msgspec.Struct, frozen=True):
    round: RoundView
    eligible: bool
    choices: list[ChoiceView]
    message: str
    saved_at: datetime | None
    offered: list[OfferedSlot]
    outcome: MyOutcome | None = None  # once the round is published, if I took part


class Applicant(msgspec.Struct, frozen=True):
    member_id: int
    name: str
    category: str  # the team's slot they ranked highest
    choice_rank: int  # where they put it: 1 = first choice
    message: str
    leader_rank: int | None  # the leader's rank, None when unranked


class TeamApplicants(msgspec.Struct, frozen=True):
    round_id: int
    team_id: int
    team_title: str
    opted_in: bool
    applicants: list[Applicant]  # in the order the team prefers them (tie order applied)


class PlacementView(msgspec.Struct, frozen=True):
    member_id: int
    name: str
    team_id: int
    team_title: str
    category: str
    rank: int | None
    pinned: bool


class UnplacedView(msgspec.Struct, frozen=True):
    member_id: int
    name: str
    reason: str


class PairView(msgspec.Struct, frozen=True):
    member_id: int
    team_id: int
    category: str


class Preview(msgspec.Struct, frozen=True):
    round: RoundView
    placed: list[PlacementView]
    rank_counts: dict[int, int]  # how many got their 1st, 2nd, … choice
    unplaced: list[UnplacedView]
    open_slots: list[OfferedSlot]  # places left after the assignment
    pins: list[PairView]
    removals: list[PairView]
    dropped_pins: list[PairView]


class SkippedView(msgspec.Struct, frozen=True):
    member_id: int
    name: str
    team_id: int
    category: str
    reason: str


class PublishReport(msgspec.Struct, frozen=True):
    round: RoundView
    placed: list[PlacementView]
    skipped: list[SkippedView]  # pairs that no longer fitted when publishing
    unplaced: list[UnplacedView]
