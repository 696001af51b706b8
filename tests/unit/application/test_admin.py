from __future__ import annotations

from datetime import timedelta

import pytest

from tests.builders import NOW, as_officer, ids, member
from tests.unit.application.club import Club
from wap.application.admin.batch import Batch, Skipped
from wap.application.admin.members import (
    ApproveMembers,
    ChangeRole,
    ExpelMembers,
    ListAudit,
    ListMembers,
    MemberListQuery,
    PromoteByLogin,
    RejectMembers,
    RoleChange,
)
from wap.application.members.ports import SearchField
from wap.domain.audit import AuditAction
from wap.domain.catalog import Category
from wap.domain.errors import InvalidValue, LastOfficer, MemberNotFound, OfficerOnly
from wap.domain.members import MemberStatus, Role
from wap.domain.teams import TeamRole


async def test_approving_a_batch_skips_with_a_code_and_commits_once() -> None:
    club = Club()
    officer = member(role=Role.OFFICER)
    waiting, also, approved = (
        member(status=MemberStatus.PENDING),
        member(status=MemberStatus.PENDING),
        member(),
    )
    officer, waiting, also, approved = await club.add(officer, waiting, also, approved)
    result = await club.use(ApproveMembers)(
        Batch(officer.actor, (*ids(waiting, also, approved), 9999))
    )
    assert result.done == list(ids(waiting, also))
    assert result.skipped == [
        Skipped(approved.id, "member.not_pending"),
        Skipped(9999, "member.not_found"),
    ]
    assert club.uow.commits == 1
    stored = await club.members.get(waiting.id)
    assert stored is not None and stored.status is MemberStatus.APPROVED
    assert [e.action for e in club.audit.entries] == [AuditAction.MEMBER_APPROVED] * 2
    assert {e.target_id for e in club.audit.entries} == set(ids(waiting, also))


async def test_only_officers_run_batches_and_batches_are_bounded() -> None:
    club = Club()
    plain = member()
    (plain,) = await club.add(plain)
    with pytest.raises(OfficerOnly):
        await club.use(ApproveMembers)(Batch(plain.actor, (1,)))
    with pytest.raises(InvalidValue):
        Batch(plain.actor, ())
    with pytest.raises(InvalidValue):
        Batch(plain.actor, tuple(range(1, 102)))


async def test_rejecting_deletes_a_pending_sign_up_only() -> None:
    club = Club()
    officer, waiting, approved = (
        member(role=Role.OFFICER),
        member(status=MemberStatus.PENDING),
        member(),
    )
    officer, waiting, approved = await club.add(officer, waiting, approved)
    result = await club.use(RejectMembers)(Batch(officer.actor, ids(waiting, approved)))
    assert result.done == [waiting.id]
    assert result.skipped == [Skipped(approved.id, "member.not_pending")]
    assert await club.members.get(waiting.id) is None
    assert await club.members.get(approved.id) is not None


async def test_the_last_officer_cannot_be_expelled_even_within_one_batch() -> None:
    club = Club()
    first, second = member(role=Role.OFFICER), member(role=Role.OFFICER)
    first, second = await club.add(first, second)
    result = await club.use(ExpelMembers)(Batch(first.actor, ids(first, second)))
    assert result.done == [first.id]
    assert result.skipped == [Skipped(second.id, "member.last_officer")]


async def test_expelling_a_leader_hands_the_team_to_its_longest_standing_member() -> None:
    club = Club()
    officer, leader, early, late = member(role=Role.OFFICER), member(), member(), member()
    officer, leader, early, late = await club.add(officer, leader, early, late)
    board = await club.recruiting(leader, slots={Category.WEB: 2, Category.NODE: 1})
    await club.teams.take_place(board.id, late.id, Category.WEB, NOW + timedelta(days=2))
    await club.teams.take_place(board.id, early.id, Category.NODE, NOW + timedelta(days=1))
    await club.likes.like(board.id, leader.id, NOW)

    result = await club.use(ExpelMembers)(Batch(officer.actor, ids(leader)))

    assert result.done == [leader.id]
    after = await club.teams.get(board.id)
    assert after is not None and after.leader_id == early.id
    people = await club.teams.members(board.id)
    assert [(p.member_id, p.role, p.category) for p in people] == [
        (early.id, TeamRole.LEADER, None),
        (late.id, TeamRole.MEMBER, Category.WEB),
    ]
    # The heir left the NODE slot to lead; the expelled leader held no place of their own.
    assert after.slots[Category.NODE].filled == 0 and after.slots[Category.WEB].filled == 1
    assert after.like_count == 0
    assert await club.members.get(leader.id) is None


async def test_expelling_a_leader_alone_deletes_the_team_and_a_member_frees_a_place() -> None:
    club = Club()
    officer, loner, leader, joiner = member(role=Role.OFFICER), member(), member(), member()
    officer, loner, leader, joiner = await club.add(officer, loner, leader, joiner)
    solo = await club.recruiting(loner)
    other = await club.recruiting(leader, slots={Category.WEB: 1})
    await club.teams.take_place(other.id, joiner.id, Category.WEB, NOW)

    await club.use(ExpelMembers)(Batch(officer.actor, ids(loner, joiner)))

    assert await club.teams.get(solo.id) is None
    kept = await club.teams.get(other.id)
    assert kept is not None and kept.slots[Category.WEB].filled == 0
    assert [p.member_id for p in await club.teams.members(other.id)] == [leader.id]


async def test_pending_members_are_rejected_not_expelled() -> None:
    club = Club()
    officer, waiting = member(role=Role.OFFICER), member(status=MemberStatus.PENDING)
    officer, waiting = await club.add(officer, waiting)
    result = await club.use(ExpelMembers)(Batch(officer.actor, ids(waiting)))
    assert result.skipped == [Skipped(waiting.id, "member.not_approved")]


async def test_roles_change_with_the_last_officer_rule_and_an_audit_entry() -> None:
    club = Club()
    officer, plain = member(role=Role.OFFICER), member()
    officer, plain = await club.add(officer, plain)
    promoted = await club.use(ChangeRole)(RoleChange(officer.actor, plain.id, Role.OFFICER))
    assert promoted.role == "officer"
    demoted = await club.use(ChangeRole)(RoleChange(officer.actor, officer.id, Role.MEMBER))
    assert demoted.role == "member"
    with pytest.raises(LastOfficer):
        await club.use(ChangeRole)(RoleChange(as_officer(plain), plain.id, Role.MEMBER))
    assert [e.detail.get("after") for e in club.audit.entries] == ["officer", "member"]
    with pytest.raises(MemberNotFound):
        await club.use(ChangeRole)(RoleChange(as_officer(plain), 4242, Role.OFFICER))


async def test_listing_searches_by_field_and_pages() -> None:
    club = Club()
    officer = member(role=Role.OFFICER)
    (officer,) = await club.add(officer)
    names = ("김철수", "김영희", "이민호")
    waiting = await club.add(*(member(status=MemberStatus.PENDING, name=n) for n in names))
    page = await club.use(ListMembers)(MemberListQuery(officer.actor, q="김", page_size=1))
    assert (page.total, len(page.items), page.items[0].name) == (2, 1, "김철수")
    second = await club.use(ListMembers)(
        MemberListQuery(officer.actor, q="김", page=2, page_size=1)
    )
    assert second.items[0].name == "김영희"
    by_number = await club.use(ListMembers)(
        MemberListQuery(
            officer.actor,
            q=waiting[2].student_number.value if waiting[2].student_number else "",
            field=SearchField.STUDENT_NUMBER,
        )
    )
    assert [m.name for m in by_number.items] == ["이민호"]
    approved = await club.use(ListMembers)(
        MemberListQuery(officer.actor, status=MemberStatus.APPROVED)
    )
    assert [m.id for m in approved.items] == [officer.id]
    with pytest.raises(OfficerOnly):
        await club.use(ListMembers)(MemberListQuery(waiting[0].actor))


async def test_the_audit_log_pages_newest_first() -> None:
    club = Club()
    officer, *waiting = await club.add(
        member(role=Role.OFFICER), *(member(status=MemberStatus.PENDING) for _ in range(3))
    )
    await club.use(ApproveMembers)(Batch(officer.actor, ids(*waiting)))
    page = await club.use(ListAudit)(officer.actor, page=1, page_size=2)
    assert page.total == 3 and [i.target_id for i in page.items] == [waiting[2].id, waiting[1].id]


async def test_the_operator_promotes_by_login_and_id_approving_a_pending_member() -> None:
    club = Club()
    waiting = member(status=MemberStatus.PENDING, login="Founder")
    registering = member(status=MemberStatus.REGISTERING, login="newbie")
    waiting, registering = await club.add(waiting, registering)
    assert (await club.use(PromoteByLogin).candidate("founder")).github_id == waiting.github_id
    profile = await club.use(PromoteByLogin)("founder", waiting.github_id)
    assert (profile.status, profile.role) == ("approved", "officer")
    with pytest.raises(MemberNotFound):
        await club.use(PromoteByLogin)("newbie", registering.github_id)
    with pytest.raises(MemberNotFound):
        await club.use(PromoteByLogin).candidate("newbie")
    with pytest.raises(MemberNotFound):
        await club.use(PromoteByLogin)("nobody", 1)


async def test_promote_refuses_a_login_that_changed_hands() -> None:
    """The founder renamed their account; someone else took the login "founder"."""
    club = Club()
    founder = member(status=MemberStatus.PENDING, login="Founder")
    taker = member(status=MemberStatus.PENDING, login="founder")
    founder, taker = await club.add(founder, taker)
    # The login now names the newer account: the operator sees its id, not the founder's.
    assert (await club.use(PromoteByLogin).candidate("founder")).github_id == taker.github_id
    with pytest.raises(MemberNotFound):
        await club.use(PromoteByLogin)("founder", 424242)
    profile = await club.use(PromoteByLogin)("founder", founder.github_id)
    assert profile.id == founder.id and profile.role == "officer"
    stored = await club.members.get(taker.id)
    assert stored is not None and not stored.is_officer


async def test_the_heir_of_an_expelled_leader_is_told() -> None:
    club = Club()
    officer, leader, heir = member(role=Role.OFFICER), member(), member()
    officer, leader, heir = await club.add(officer, leader, heir)
    board = await club.recruiting(leader, slots={Category.WEB: 1})
    await club.teams.take_place(board.id, heir.id, Category.WEB, NOW)
    await club.use(ExpelMembers)(Batch(officer.actor, ids(leader)))
    told = [(n.member_id, n.kind.value) for n in club.notices.rows]
    assert (heir.id, "team.leadership_received") in told
