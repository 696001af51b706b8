"""Whatever the old rows hold, the plan keeps our invariants and never fails."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wap.application.legacy.mapping import plan_import
from wap.application.legacy.records import (
    LegacySnapshot,
    OldApplication,
    OldLike,
    OldMember,
    OldSlot,
    OldTeam,
    OldTeamUser,
)
from wap.domain.applications import ApplicationStatus
from wap.domain.teams import TeamRole

IDS = st.integers(1, 4)  # members and teams: few, so that rows refer to them
ROWS = st.integers(1, 40)  # ids of the other tables' rows
TECH = st.sampled_from(["웹", "파이썬", "유니티", "팀장", "코볼", " 웹 ", ""])
WHEN = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1))
TEXT = st.text(max_size=40)
BLOB = st.one_of(st.none(), st.binary(max_size=60), TEXT.map(str.encode))


BREAKS = [None] * 6 + ["email", "social_id", "name", "student_num", "position", "explain"]


@st.composite
def members(draw: st.DrawFn) -> OldMember:
    """Mostly valid sign-ups (so that rows reach the rules that depend on them), each with at
    most one field broken."""
    member = OldMember(
        id=draw(IDS),
        email=draw(st.from_regex(r"[a-z]{1,8}@github\.com", fullmatch=True)),
        social_id=draw(st.integers(1, 20)),
        name=draw(st.sampled_from(["김철수", "Kim", "이영희"])),
        student_num=draw(st.sampled_from([f"202400{i}" for i in range(1, 9)])),
        position=draw(st.sampled_from(["백엔드", "AI"])),
        explain=draw(st.one_of(st.none(), st.just("안녕하세요"))),
        image=draw(st.one_of(st.none(), TEXT, st.just("https://b.s3.x.amazonaws.com/u/1/"))),
        is_approved=draw(st.booleans()),
        is_active=draw(st.booleans()),
        is_staff=draw(st.booleans()),
        created_at=draw(WHEN),
    )
    broken = draw(st.sampled_from(BREAKS))
    if broken is None:
        return member
    bad = draw(st.one_of(st.none(), TEXT)) if broken != "social_id" else draw(st.integers(-5, 0))
    if broken in ("email", "name") and bad is None:
        bad = ""
    changes: dict[str, Any] = {broken: bad}
    return replace(member, **changes)


teams = st.builds(
    OldTeam,
    id=IDS,
    leader_id=IDS,
    title=st.one_of(TEXT, st.sampled_from(["A", "a", "팀"])),
    explain=BLOB,
    genre=st.sampled_from(["웹", "앱", "VR"]),
    like=st.integers(-3, 30),
    view=st.integers(-3, 10_000),
    image=st.one_of(st.none(), TEXT),
    url=BLOB,
    is_approved=st.booleans(),
    is_accomplished=st.booleans(),
    created_at=WHEN,
    updated_at=WHEN,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(members(), min_size=2, max_size=4, unique_by=lambda m: m.id),
    st.lists(teams, min_size=1, max_size=4, unique_by=lambda t: t.id),
    st.lists(st.builds(OldSlot, ROWS, IDS, TECH, st.integers(-2, 14), st.integers(-2, 14))),
    st.lists(st.builds(OldTeamUser, ROWS, IDS, IDS, TECH), min_size=6, max_size=25),
    st.lists(
        st.builds(
            OldApplication,
            ROWS,
            IDS,
            IDS,
            st.one_of(st.none(), TEXT),
            TECH,
            st.booleans(),
            WHEN,
            WHEN,
        ),
        max_size=12,
    ),
    st.lists(st.builds(OldLike, ROWS, IDS, IDS, WHEN), max_size=12),
    st.dictionaries(IDS, BLOB),
    st.dictionaries(IDS, BLOB),
)
def test_any_old_rows_give_a_plan_that_keeps_our_invariants(
    old_members: list[OldMember],
    old_teams: list[OldTeam],
    slots: list[OldSlot],
    team_users: list[OldTeamUser],
    applications: list[OldApplication],
    likes: list[OldLike],
    techs: dict[int, bytes | None],
    urls: dict[int, bytes | None],
) -> None:
    snapshot = LegacySnapshot(
        members=old_members,
        teams=old_teams,
        slots=list({s.id: s for s in slots}.values()),
        team_users=list({u.id: u for u in team_users}.values()),
        applications=list({a.id: a for a in applications}.values()),
        likes=list({like.id: like for like in likes}.values()),
        techs=techs,
        urls=urls,
    )
    plan = plan_import(snapshot)
    event(f"teams imported: {min(len(plan.teams), 2)}")
    event(f"members in slots: {min(sum(m.category is not None for m in plan.team_members), 2)}")
    member_ids = {m.id for m in plan.members}
    assert len({m.github_id for m in plan.members}) == len(plan.members)
    numbers = [m.student_number for m in plan.members if m.student_number]
    assert len(set(numbers)) == len(numbers)
    assert all(t.leader_id in member_ids for t in plan.teams)
    assert len({t.title.key for t in plan.teams}) == len(plan.teams)
    per_slot = Counter((m.team_id, m.category) for m in plan.team_members if m.category)
    for team in plan.teams:
        assert team.like_count == sum(like.team_id == team.id for like in plan.likes)
        assert team.view_count >= 0
        for slot in team.slots.values():
            assert 1 <= slot.capacity <= 10 and 0 <= slot.filled <= slot.capacity
            assert slot.filled == per_slot[(team.id, slot.category)]
        leaders = [
            m for m in plan.team_members if m.team_id == team.id and m.role is TeamRole.LEADER
        ]
        assert [m.member_id for m in leaders] == [team.leader_id]
    assert all(m.member_id in member_ids for m in plan.team_members)
    assert len({(m.team_id, m.member_id) for m in plan.team_members}) == len(plan.team_members)
    pending = [
        (a.team_id, a.member_id) for a in plan.applications if a.status is ApplicationStatus.PENDING
    ]
    assert len(set(pending)) == len(pending)
    assert len({(like.team_id, like.member_id) for like in plan.likes}) == len(plan.likes)
    totals = plan.report.totals
    for table, t in totals.items():
        assert t.read == t.imported + t.skipped, table
