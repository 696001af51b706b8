from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.builders import NOW, team
from wap.domain.catalog import Category, Genre
from wap.domain.errors import (
    CapacityBelowFilled,
    CapacityInvalid,
    CategoryInvalid,
    DescriptionInvalid,
    GenreInvalid,
    InvalidValue,
    LeaderCannotLeave,
    LeaderOnly,
    NotTeamMember,
    RecruitmentClosed,
    SlotFull,
    SlotInUse,
    TeamNotFound,
    TeamNotRecruiting,
    TitleInvalid,
)
from wap.domain.members import Actor, MemberStatus, Role
from wap.domain.teams import (
    Capacity,
    Description,
    NewTeam,
    TeamMember,
    TeamRole,
    TeamStatus,
    Title,
    counts_views,
    ensure_can_leave,
    find_member,
    hand_over,
    parse_category,
    parse_genre,
    slot_specs,
    successor,
    team_visible,
)
from wap.domain.terms import Term
from wap.domain.values import NOT_ON_ONE_LINE, Links

LEADER = Actor(1, Role.MEMBER, MemberStatus.APPROVED)
OTHER = Actor(2, Role.MEMBER, MemberStatus.APPROVED)
OFFICER = Actor(3, Role.OFFICER, MemberStatus.APPROVED)

# What a title may hold: not the controls, separators, bidi and invisible characters that
# is_one_line refuses (tests/unit/domain/test_values.py covers those).
printable = st.characters(
    blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), blacklist_characters=NOT_ON_ONE_LINE
)


@given(st.text(printable, min_size=1, max_size=30))
def test_titles_of_1_to_30_characters_are_accepted(raw: str) -> None:
    normalized = unicodedata.normalize("NFC", raw)
    assume(len(normalized) <= 30)
    assert Title.of(f"  {raw}  ").value == normalized


@given(st.text(printable, min_size=31, max_size=60))
def test_titles_over_30_characters_are_refused(raw: str) -> None:
    with pytest.raises(TitleInvalid):
        Title.of(raw)


@pytest.mark.parametrize("raw", ["", "   ", "\t", "a\x00b"])
def test_empty_or_control_character_titles_are_refused(raw: str) -> None:
    with pytest.raises(TitleInvalid):
        Title.of(raw)


def test_title_uniqueness_ignores_case() -> None:
    assert Title.of("WAP Board").key == Title.of("wap board").key
    assert Title.of("Straße").key == Title.of("STRASSE").key


@pytest.mark.parametrize("raw", ["웹", "앱", "게임"])
def test_the_three_genres(raw: str) -> None:
    assert parse_genre(raw) is Genre(raw)


@pytest.mark.parametrize("raw", ["web", "", "게임즈"])
def test_other_genres_are_refused(raw: str) -> None:
    with pytest.raises(GenreInvalid):
        parse_genre(raw)


def test_description_is_1_to_2000_characters() -> None:
    Description("x")
    Description("가" * 2000)
    for bad in ("", "   ", "가" * 2001):
        with pytest.raises(DescriptionInvalid):
            Description(bad)


def test_all_eighteen_categories_and_no_others() -> None:
    assert len(Category) == 18
    for category in Category:
        assert parse_category(category.value) is category
    with pytest.raises(CategoryInvalid):
        parse_category("백엔드")


@given(st.integers(min_value=-100, max_value=100))
def test_capacity_is_1_to_10(value: int) -> None:
    if 1 <= value <= 10:
        assert Capacity(value).value == value
    else:
        with pytest.raises(CapacityInvalid):
            Capacity(value)


def test_a_boolean_is_not_a_capacity() -> None:
    with pytest.raises(CapacityInvalid):
        Capacity(True)


@given(st.lists(st.sampled_from(list(Category)), min_size=1, max_size=18, unique=True))
def test_1_to_18_distinct_slots_are_accepted(categories: list[Category]) -> None:
    specs = slot_specs((c.value, 1) for c in categories)
    assert [s.category for s in specs] == categories


def test_no_slots_or_repeated_categories_are_refused() -> None:
    with pytest.raises(InvalidValue):
        slot_specs([])
    with pytest.raises(CategoryInvalid) as twice:
        slot_specs([("웹", 1), ("웹", 2)])
    with pytest.raises(CategoryInvalid) as unknown:
        slot_specs([("없는분야", 1)])
    with pytest.raises(CapacityInvalid) as too_many:
        slot_specs([("IOS", 1), ("웹", 11)])
    # Each names the slot it concerns, for a form to show it beside its row.
    assert [e.value.context for e in (twice, unknown, too_many)] == [
        {"category": "웹"},
        {"category": "없는분야"},
        {"category": "웹"},
    ]


def test_a_new_team_is_pending_in_the_current_term() -> None:
    opened = NewTeam.open(
        leader_id=1,
        title=Title.of("새 팀"),
        genre=Genre.APP,
        description=Description("설명"),
        slots=slot_specs([("IOS", 2)]),
        links=Links(),
        now=NOW,
    )
    assert opened.status is TeamStatus.PENDING
    assert opened.term == Term(2026, 2)
    assert opened.slots[Category.IOS].filled == 0


def test_a_recruitment_deadline_must_lie_ahead() -> None:
    with pytest.raises(InvalidValue):
        NewTeam.open(
            leader_id=1,
            title=Title.of("새 팀"),
            genre=Genre.APP,
            description=Description("설명"),
            slots=slot_specs([("IOS", 2)]),
            links=Links(),
            now=NOW,
            recruit_until=NOW,
        )


def test_a_pending_team_is_seen_only_by_its_leader_and_officers() -> None:
    pending = team(1, status=TeamStatus.PENDING)
    assert pending.is_visible_to(LEADER) and pending.is_visible_to(OFFICER)
    assert not pending.is_visible_to(OTHER) and not pending.is_visible_to(None)
    with pytest.raises(TeamNotFound):
        pending.ensure_visible_to(OTHER)
    # A pending officer is no officer yet.
    assert not pending.is_visible_to(Actor(9, Role.OFFICER, MemberStatus.PENDING))
    assert team(1).is_visible_to(None)


def test_leader_only_actions() -> None:
    recruiting = team(1)
    recruiting.ensure_leader(LEADER)
    with pytest.raises(LeaderOnly):
        recruiting.ensure_leader(OTHER)
    with pytest.raises(LeaderOnly):
        recruiting.ensure_leader(OFFICER)
    recruiting.ensure_leader_or_officer(OFFICER)
    with pytest.raises(TeamNotFound):
        team(1, status=TeamStatus.PENDING).ensure_leader(OTHER)


def test_life_cycle_pending_recruiting_completed() -> None:
    t = team(1, status=TeamStatus.PENDING)
    with pytest.raises(TeamNotRecruiting):
        t.complete(NOW)
    t.approve(NOW)
    assert t.status is TeamStatus.RECRUITING
    with pytest.raises(TeamNotRecruiting):
        t.approve(NOW)
    t.complete(NOW)
    assert t.status is TeamStatus.COMPLETED


def test_applications_need_a_recruiting_team_before_its_deadline() -> None:
    t = team(1)
    t.recruit_until = NOW + timedelta(minutes=1)
    t.ensure_takes_applications(NOW)
    with pytest.raises(RecruitmentClosed):
        t.ensure_takes_applications(NOW + timedelta(minutes=1))
    with pytest.raises(TeamNotRecruiting):
        team(1, status=TeamStatus.COMPLETED).ensure_takes_applications(NOW)


def test_a_slot_never_takes_more_than_its_capacity() -> None:
    t = team(1, slots={Category.WEB: 2})
    slot = t.slot(Category.WEB)
    slot.take()
    slot.take()
    with pytest.raises(SlotFull):
        slot.take()
    assert slot.filled == 2
    with pytest.raises(CategoryInvalid):
        t.slot(Category.UNITY)


def test_admitting_a_member_takes_a_place_only_while_the_slot_has_room() -> None:
    t = team(1, slots={Category.WEB: 1})
    t.admit(Category.WEB)
    assert t.slots[Category.WEB].filled == 1
    with pytest.raises(SlotFull):
        t.admit(Category.WEB)
    with pytest.raises(SlotFull):  # a slot removed since the application: no room either
        t.admit(Category.UNITY)
    assert t.slots[Category.WEB].filled == 1


def test_replacing_slots_keeps_members_and_refuses_to_lose_them() -> None:
    t = team(1, slots={Category.WEB: 3, Category.NODE: 2})
    t.slots[Category.WEB].filled = 2
    with pytest.raises(CapacityBelowFilled) as below:
        t.replace_slots(slot_specs([("웹", 1), ("노드", 2)]), NOW)
    assert below.value.context == {"category": "웹"}
    with pytest.raises(SlotInUse):
        t.replace_slots(slot_specs([("노드", 2)]), NOW)
    t.replace_slots(slot_specs([("웹", 2), ("유니티", 4)]), NOW)
    assert {c: (s.capacity, s.filled) for c, s in t.slots.items()} == {
        Category.WEB: (2, 2),
        Category.UNITY: (4, 0),
    }


def _members() -> list[TeamMember]:
    return [
        TeamMember(1, 1, TeamRole.LEADER, None, NOW),
        TeamMember(1, 5, TeamRole.MEMBER, Category.WEB, NOW + timedelta(days=2)),
        TeamMember(1, 4, TeamRole.MEMBER, Category.NODE, NOW + timedelta(days=1)),
    ]


def test_handing_over_swaps_leader_and_heir() -> None:
    t = team(1, slots={Category.WEB: 1, Category.NODE: 1}).stored(1)
    members = _members()
    leader, heir = find_member(members, 1), find_member(members, 4)
    hand_over(t, leader, heir)
    assert t.leader_id == 4
    assert (heir.role, heir.category) == (TeamRole.LEADER, None)
    assert (leader.role, leader.category) == (TeamRole.MEMBER, Category.NODE)


def test_handing_over_to_oneself_or_a_stranger_is_refused() -> None:
    t = team(1).stored(1)
    members = _members()
    with pytest.raises(InvalidValue):
        hand_over(t, members[0], members[0])
    with pytest.raises(NotTeamMember):
        find_member(members, 99)


def test_a_leader_cannot_leave() -> None:
    members = _members()
    with pytest.raises(LeaderCannotLeave):
        ensure_can_leave(members[0])
    ensure_can_leave(members[1])


def test_the_longest_standing_member_succeeds_an_expelled_leader() -> None:
    heir = successor(_members())
    assert heir is not None and heir.member_id == 4
    assert successor(_members()[:1]) is None


@pytest.mark.parametrize("status", list(TeamStatus))
def test_a_team_that_counts_views_is_one_everyone_sees(status: TeamStatus) -> None:
    # The team page counts its view before it checks who may see the team (one round trip),
    # which is right only because every team that counts views is visible to everyone.
    assert counts_views(status) == (status in (TeamStatus.RECRUITING, TeamStatus.COMPLETED))
    if counts_views(status):
        assert team_visible(status, leader_id=1, actor=None)
    else:
        assert not team_visible(status, leader_id=1, actor=None)
