from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import NOW, team
from wap.domain.applications import ApplicationStatus, Message, NewApplication, check_can_apply
from wap.domain.catalog import DEFAULT_MESSAGE, Category
from wap.domain.errors import (
    AlreadyMember,
    ApplicationNotPending,
    CategoryInvalid,
    DuplicateApplication,
    InvalidValue,
    MemberNotApproved,
    OwnTeam,
    RecruitmentClosed,
    SlotFull,
    TeamNotFound,
    TeamNotRecruiting,
)
from wap.domain.members import Actor, MemberStatus, Role
from wap.domain.teams import TeamStatus

APPLICANT = Actor(2, Role.MEMBER, MemberStatus.APPROVED)


def check(**overrides: object) -> None:
    args: dict[str, object] = {
        "team": team(1),
        "applicant": APPLICANT,
        "category": Category.WEB,
        "is_member": False,
        "has_pending": False,
        "now": NOW,
    }
    args.update(overrides)
    check_can_apply(
        args.pop("team"),
        args.pop("applicant"),
        args.pop("category"),
        **args,  # type: ignore[arg-type]
    )


def test_an_approved_member_applies_to_an_open_slot() -> None:
    check()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"applicant": Actor(2, Role.MEMBER, MemberStatus.PENDING)}, MemberNotApproved),
        ({"team": team(1, status=TeamStatus.PENDING)}, TeamNotFound),
        ({"team": team(1, status=TeamStatus.COMPLETED)}, TeamNotRecruiting),
        ({"applicant": Actor(1, Role.MEMBER, MemberStatus.APPROVED)}, OwnTeam),
        ({"is_member": True}, AlreadyMember),
        ({"category": Category.UNITY}, CategoryInvalid),
        ({"has_pending": True}, DuplicateApplication),
    ],
)
def test_each_rule_of_applying(overrides: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        check(**overrides)


def test_a_full_slot_takes_no_application() -> None:
    full = team(1, slots={Category.WEB: 1})
    full.slots[Category.WEB].filled = 1
    with pytest.raises(SlotFull):
        check(team=full)
    assert full.slots[Category.WEB].filled == 1


def test_no_application_after_the_deadline() -> None:
    closing = team(1)
    closing.recruit_until = NOW - timedelta(seconds=1)
    with pytest.raises(RecruitmentClosed):
        check(team=closing)


def test_message_defaults_and_is_at_most_200_characters() -> None:
    assert Message.of(None).value == DEFAULT_MESSAGE
    assert Message.of("   ").value == DEFAULT_MESSAGE
    assert Message.of("가" * 200).value == "가" * 200
    with pytest.raises(InvalidValue):
        Message.of("가" * 201)


def _pending() -> NewApplication:
    return NewApplication.submit(
        team_id=1, member_id=2, category=Category.WEB, message=Message(), now=NOW
    )


@given(st.lists(st.sampled_from(["accept", "reject", "withdraw", "expire"]), min_size=1))
def test_only_the_first_decision_counts(moves: list[str]) -> None:
    application = _pending()
    getattr(application, moves[0])(NOW)
    decided = application.status
    assert decided is not ApplicationStatus.PENDING
    for move in moves[1:]:
        with pytest.raises(ApplicationNotPending):
            getattr(application, move)(NOW)
    assert application.status is decided
    assert application.decided_at == NOW
