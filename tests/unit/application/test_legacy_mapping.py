"""The import's rules, one old inconsistency at a time, on plain in-memory rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from wap.application.legacy.mapping import decode_list, kst_to_utc, old_image, plan_import
from wap.application.legacy.plan import ImportPlan
from wap.application.legacy.records import (
    LegacySnapshot,
    OldApplication,
    OldLike,
    OldMember,
    OldSlot,
    OldSocialAccount,
    OldTeam,
    OldTeamUser,
)
from wap.domain.applications import ApplicationStatus
from wap.domain.catalog import Category, Genre, Position
from wap.domain.members import MemberStatus, Role
from wap.domain.teams import TeamRole, TeamStatus
from wap.domain.terms import Term

T0 = datetime(2024, 3, 4, 9, 30)  # naive KST, as the old database holds it
BUCKET = "https://wap-old.s3.ap-northeast-2.amazonaws.com"


def old_member(id: int, **changes: object) -> OldMember:
    base = OldMember(
        id=id,
        email=f"user{id}@github.com",
        social_id=1000 + id,
        name="김철수",
        student_num=f"20240{id:04d}",
        position="백엔드",
        explain="열심히 하겠습니다!",
        image=None,
        is_approved=True,
        is_active=True,
        is_staff=False,
        created_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def old_team(id: int, leader_id: int, **changes: object) -> OldTeam:
    base = OldTeam(
        id=id,
        leader_id=leader_id,
        title=f"팀 {id}",
        explain="설명입니다".encode(),
        genre="웹",
        like=0,
        view=7,
        image=f"{BUCKET}/team/{id}/default",
        url=None,
        is_approved=True,
        is_accomplished=False,
        created_at=T0,
        updated_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def club(**more: object) -> LegacySnapshot:
    """Members 1 (leader of team 10), 2 and 3; team 10 with a 웹 slot of 2; member 2 in it."""
    snapshot = LegacySnapshot(
        members=[old_member(1), old_member(2), old_member(3)],
        teams=[old_team(10, 1)],
        slots=[OldSlot(100, 10, "웹", 2, 1)],
        team_users=[OldTeamUser(200, 10, 1, "팀장"), OldTeamUser(201, 10, 2, "웹")],
    )
    for name, value in more.items():
        setattr(snapshot, name, value)
    return snapshot


def reasons(plan: ImportPlan, table: str) -> list[str]:
    return [
        f"{line.id}: {line.reason} → {line.action}"
        for line in plan.report.lines
        if line.table == table
    ]


def test_an_ordinary_club_imports_as_it_was_with_ids_kept_and_no_report_lines() -> None:
    plan = plan_import(club())
    assert plan.report.lines == []
    assert [m.id for m in plan.members] == [1, 2, 3]
    first = plan.members[0]
    assert (first.github_id, first.github_login) == (1001, "user1")
    assert first.status is MemberStatus.APPROVED and first.role is Role.MEMBER
    assert first.position is Position.BACKEND and first.email is None
    assert first.created_at == datetime(2024, 3, 4, 0, 30, tzinfo=UTC)
    (team,) = plan.teams
    assert team.id == 10 and team.leader_id == 1 and team.status is TeamStatus.RECRUITING
    assert team.term == Term(2024, 1) and team.view_count == 7 and team.image_url is None
    assert team.slots[Category.WEB].capacity == 2 and team.slots[Category.WEB].filled == 1
    roles = {(m.member_id, m.role, m.category) for m in plan.team_members}
    assert roles == {(1, TeamRole.LEADER, None), (2, TeamRole.MEMBER, Category.WEB)}
    assert plan.report.totals["user_customuser"].imported == 3


def test_naive_kst_becomes_utc_and_the_term_follows_the_korean_calendar() -> None:
    assert kst_to_utc(datetime(2024, 9, 1, 3, 0)) == datetime(2024, 8, 31, 18, 0, tzinfo=UTC)
    plan = plan_import(club(teams=[old_team(10, 1, created_at=datetime(2024, 9, 1, 3, 0))]))
    # 31 August in UTC, but 1 September in Seoul: the second term.
    assert plan.teams[0].term == Term(2024, 2)


def test_comma_joined_lists_lose_empty_items_and_spaces() -> None:
    assert decode_list(b" Python,,Django , AWS,") == (
        ["Python", "Django", "AWS"],
        ["2 empty item(s)"],
    )
    assert decode_list(None) == ([], []) and decode_list(b"") == ([], [])
    assert decode_list(b"\xff,ok")[1] == ["bytes that are not UTF-8 (replaced)"]


def test_tech_stacks_and_links_keep_valid_items_and_report_the_dropped_ones() -> None:
    plan = plan_import(
        club(
            techs={1: b"Python,,Django ,python," + b"x" * 31, 2: b"Go"},
            urls={1: b"https://a.example, ftp://b.example,https://a.example,not a url"},
        )
    )
    member = plan.members[0]
    assert member.tech_stack.items == ("Python", "Django")
    assert member.links.items == ("https://a.example",)
    assert plan.members[1].tech_stack.items == ("Go",)
    tech, urls = reasons(plan, "user_usertech"), reasons(plan, "user_userurls")
    assert len(tech) == 1 and "empty item" in tech[0] and "xxxx" in tech[0]
    assert len(urls) == 1 and "ftp://b.example" in urls[0] and "not a url" in urls[0]


def test_a_github_id_and_login_come_from_allauth_first_then_social_id_and_the_email() -> None:
    account = OldSocialAccount(
        1,
        2,
        "github",
        "777",
        {"login": "Real-Login", "avatar_url": "https://avatars.githubusercontent.com/u/777"},
    )
    plan = plan_import(club(social_accounts=[account]))
    member = {m.id: m for m in plan.members}[2]
    assert (member.github_id, member.github_login) == (777, "Real-Login")
    assert member.avatar_url == "https://avatars.githubusercontent.com/u/777"
    assert any("allauth" in r for r in reasons(plan, "user_customuser"))


def test_unfinished_sign_ups_are_skipped_with_a_reason_and_their_rows_follow() -> None:
    snapshot = club()
    snapshot.members += [
        old_member(4, social_id=None),
        old_member(5, student_num=None, position=None),
        old_member(6, email="not a login@github.com", social_id=9006),
    ]
    snapshot.team_users.append(OldTeamUser(202, 10, 5, "웹"))
    snapshot.likes = [OldLike(1, 10, 5, T0)]
    snapshot.techs = {4: b"Java"}
    plan = plan_import(snapshot)
    assert [m.id for m in plan.members] == [1, 2, 3]
    lines = reasons(plan, "user_customuser")
    assert any(line.startswith("4: no GitHub id") for line in lines)
    assert any(line.startswith("5: sign-up not finished") for line in lines)
    assert any(line.startswith("6: no GitHub login") for line in lines)
    assert reasons(plan, "team_teamuser") == ["202: member 5 not imported → skipped"]
    assert reasons(plan, "team_likes") == ["1: member 5 not imported → skipped"]
    assert reasons(plan, "user_usertech") == ["4: member 4 not imported → skipped"]
    assert plan.report.totals["user_customuser"].skipped == 3


def test_a_student_number_shared_by_a_finished_and_an_unfinished_sign_up_is_no_clash() -> None:
    snapshot = club()
    snapshot.members.append(old_member(4, student_num="202400001", position=None))
    snapshot.members.append(old_member(5, student_num="202400001"))  # a second finished one
    plan = plan_import(snapshot)
    assert [m.id for m in plan.members] == [1, 2, 3]
    lines = reasons(plan, "user_customuser")
    assert any(line.startswith("4: sign-up not finished") for line in lines)
    assert any(line.startswith("5: student number 202400001 is member 1's too") for line in lines)


def test_staff_become_officers_unapproved_members_pending_disabled_accounts_pending() -> None:
    snapshot = club()
    snapshot.members = [
        old_member(1, is_staff=True),
        old_member(2, is_approved=False),
        old_member(3, is_active=False),
    ]
    plan = plan_import(snapshot)
    one, two, three = plan.members
    assert (one.status, one.role) == (MemberStatus.APPROVED, Role.OFFICER)
    assert two.status is MemberStatus.PENDING and three.status is MemberStatus.PENDING
    assert any("is_active" in r for r in reasons(plan, "user_customuser"))
    # Member 2 is pending but in team 10: imported as it is, and said so.
    assert reasons(plan, "team_teamuser") == ["201: member 2 is not approved → imported"]


def test_images_are_old_s3_folders_github_avatars_or_nothing() -> None:
    assert old_image(f"{BUCKET}/user/1/") == (
        f"{BUCKET}/user/1/image.jpg",
        f"{BUCKET}/user/1/thumnail.jpg",
        f"{BUCKET}/user/1/",
    )
    assert old_image("https://avatars.githubusercontent.com/u/1") == (
        "https://avatars.githubusercontent.com/u/1",
        None,
        None,
    )
    assert old_image(f"{BUCKET}/team/default/") == (None, None, None)
    assert old_image(f"{BUCKET}/team/3/default") == (None, None, None)
    assert old_image(None) == (None, None, None) and old_image("") == (None, None, None)
    plan = plan_import(club(teams=[old_team(10, 1, image=f"{BUCKET}/team/10")]))
    assert plan.teams[0].image_thumbnail_url == f"{BUCKET}/team/10/thumnail.jpg"
    assert [i.url for i in plan.images] == [f"{BUCKET}/team/10/image.jpg"]


def test_team_status_comes_from_approved_and_accomplished() -> None:
    teams = [
        old_team(10, 1),
        old_team(11, 1, is_approved=False),
        old_team(12, 1, is_accomplished=True),
        old_team(13, 1, is_approved=False, is_accomplished=True),
    ]
    plan = plan_import(club(teams=teams, slots=[], team_users=[]))
    assert [t.status for t in plan.teams] == [
        TeamStatus.RECRUITING,
        TeamStatus.PENDING,
        TeamStatus.COMPLETED,
        TeamStatus.COMPLETED,
    ]
    assert any(r.startswith("13: is_accomplished but not") for r in reasons(plan, "team_team"))


def test_a_team_of_a_leader_not_imported_is_skipped_with_everything_in_it() -> None:
    snapshot = club()
    snapshot.members[0] = old_member(1, social_id=None)
    snapshot.applications = [OldApplication(1, 10, 3, "hi", "웹", False, T0, T0)]
    plan = plan_import(snapshot)
    assert plan.teams == [] and plan.team_members == [] and plan.applications == []
    assert reasons(plan, "team_team") == ["10: leader member 1 not imported → skipped"]
    assert reasons(plan, "team_teamtech") == ["100: team 10 not imported → skipped"]
    assert len(reasons(plan, "team_teamuser")) == 2


def test_duplicate_slots_merge_and_an_overbooked_slot_keeps_everyone() -> None:
    snapshot = club()
    snapshot.slots = [
        OldSlot(100, 10, "웹", 1, 0),
        OldSlot(101, 10, "웹", 1, 0),
        OldSlot(102, 10, "파이썬", 1, 1),
        OldSlot(103, 10, "코볼", 1, 0),
    ]
    snapshot.members.append(old_member(4))
    snapshot.team_users += [OldTeamUser(202, 10, 3, "파이썬"), OldTeamUser(203, 10, 4, "파이썬")]
    plan = plan_import(snapshot)
    slots = plan.teams[0].slots
    assert (slots[Category.WEB].capacity, slots[Category.WEB].filled) == (2, 1)
    assert (slots[Category.PYTHON].capacity, slots[Category.PYTHON].filled) == (2, 2)
    assert set(slots) == {Category.WEB, Category.PYTHON}
    lines = reasons(plan, "team_teamtech")
    assert any(line.startswith("101: second 웹 slot") and "merged" in line for line in lines)
    assert any(
        line.startswith("102: 2 members") and "capacity raised to 2" in line for line in lines
    )
    assert any(line.startswith("103: tech '코볼'") for line in lines)
    assert any(line.startswith("100: current_num 0 but 1") for line in lines)
    assert len([m for m in plan.team_members if m.category is Category.PYTHON]) == 2


def test_a_missing_or_misplaced_leader_row_leader_id_decides() -> None:
    snapshot = club()
    snapshot.team_users = [OldTeamUser(200, 10, 2, "팀장"), OldTeamUser(201, 10, 3, "웹")]
    snapshot.teams.append(old_team(11, 2))
    snapshot.team_users.append(OldTeamUser(202, 11, 2, "웹"))  # the leader in a slot
    plan = plan_import(snapshot)
    leaders = {(m.team_id, m.member_id) for m in plan.team_members if m.role is TeamRole.LEADER}
    assert leaders == {(10, 1), (11, 2)}
    assert (10, 2) not in {(m.team_id, m.member_id) for m in plan.team_members}
    members = reasons(plan, "team_teamuser")
    assert any(line.startswith("200: 팀장 row names member 2") for line in members)
    assert any(line.startswith("202: the leader's row names slot") for line in members)
    teams = reasons(plan, "team_team")
    assert any(line.startswith("10: no 팀장 row") for line in teams)
    assert any(line.startswith("11: no 팀장 row") for line in teams)


def test_members_in_a_category_without_a_slot_get_one() -> None:
    snapshot = club()
    snapshot.team_users.append(OldTeamUser(202, 10, 3, "유니티"))
    plan = plan_import(snapshot)
    slot = plan.teams[0].slots[Category.UNITY]
    assert (slot.capacity, slot.filled) == (1, 1)
    assert any("유니티 but no such slot" in r for r in reasons(plan, "team_team"))


def test_applications_accepted_or_pending_and_the_ones_our_rules_refuse() -> None:
    snapshot = club()
    snapshot.members.append(old_member(4))
    snapshot.applications = [
        OldApplication(1, 10, 2, "붙여주세요", "웹", True, T0, datetime(2024, 3, 5, 9, 0)),
        OldApplication(2, 10, 3, None, "웹", False, T0, T0),
        OldApplication(3, 10, 3, "둘째", "웹", False, T0, T0),  # unique per tech in the old db
        OldApplication(4, 10, 2, "이미 팀원", "웹", False, T0, T0),
        OldApplication(5, 10, 4, "없는 자리", "유니티", False, T0, T0),
        OldApplication(6, 10, 4, "줄\n바꿈", "웹", False, T0, T0),
        OldApplication(7, 10, 4, "x", "없는분야", False, T0, T0),
    ]
    plan = plan_import(snapshot)
    got = {a.id: a for a in plan.applications}
    assert set(got) == {1, 2, 6}
    assert got[1].status is ApplicationStatus.ACCEPTED
    assert got[1].decided_at == datetime(2024, 3, 5, 0, 0, tzinfo=UTC)
    assert (
        got[2].status is ApplicationStatus.PENDING and got[2].message.value == "열심히 하겠습니다!"
    )
    assert got[6].message.value == "줄 바꿈"
    lines = reasons(plan, "team_teamapply")
    for start in (
        "3: a second pending",
        "4: pending, but the member is already",
        "5: pending for 유니티",
        "6: bio",
        "7: tech",
    ):
        assert any(line.startswith(start) for line in lines), start
    # The member's joining time is the acceptance's.
    joined = {m.member_id: m.joined_at for m in plan.team_members}
    assert joined[2] == datetime(2024, 3, 5, 0, 0, tzinfo=UTC)


def test_likes_are_recounted_from_their_rows_and_views_kept() -> None:
    snapshot = club(teams=[old_team(10, 1, like=5, view=42)])
    snapshot.likes = [OldLike(1, 10, 2, T0), OldLike(2, 10, 3, T0)]
    plan = plan_import(snapshot)
    assert plan.teams[0].like_count == 2 and plan.teams[0].view_count == 42
    assert reasons(plan, "team_team") == ["10: like 5 but 2 row(s) in team_likes → like_count 2"]


def test_titles_and_descriptions_are_made_to_fit_our_rules() -> None:
    teams = [
        old_team(10, 1, title="Alpha", explain=b""),
        old_team(11, 1, title="ALPHA", explain=("가" * 2100).encode(), genre="VR"),
        old_team(12, 1, title="줄\n바꿈", explain=b"ok\x00text"),
    ]
    plan = plan_import(club(teams=teams, slots=[], team_users=[]))
    ten, eleven, twelve = plan.teams
    assert ten.description.value == "(설명 없음)"
    assert eleven.title.value == "ALPHA (11)" and len(eleven.description.value) == 2000
    assert eleven.genre is Genre.WEB
    assert twelve.title.value == "줄 바꿈" and twelve.description.value == "oktext"
    assert len(reasons(plan, "team_team")) >= 5


def test_zero_dates_are_reported_rows_with_the_nearest_known_time_not_a_stop() -> None:
    """A zero date (``0000-00-00 00:00:00``) reaches the mapping as None: each column falls
    back to the nearest time the old rows do know, and the report names the row."""
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    later = datetime(2024, 3, 10, 9, 0)  # naive KST
    snapshot = club(
        members=[
            old_member(1, created_at=None, updated_at=later),
            old_member(2, created_at=None, updated_at=None),
            # 0001-01-01 00:00 KST is a valid MySQL datetime with no UTC moment of ours.
            old_member(3, created_at=datetime(1, 1, 1)),
        ],
        teams=[old_team(10, 1, created_at=None, updated_at=None)],
        applications=[
            OldApplication(300, 10, 3, "저요", "웹", False, None, None),
            OldApplication(301, 10, 2, "", "웹", True, T0, None),
        ],
        likes=[OldLike(400, 10, 2, None)],
    )
    plan = plan_import(snapshot, now)
    assert [m.id for m in plan.members] == [1, 2, 3] and len(plan.teams) == 1
    by_id = {m.id: m for m in plan.members}
    assert by_id[1].created_at == kst_to_utc(later)
    assert by_id[2].created_at == now and by_id[3].created_at == now
    zero = "created_at holds no valid date (0000-00-00 or the like)"
    members = reasons(plan, "user_customuser")
    assert f"1: {zero} → updated_at used" in members
    assert f"2: {zero} → the import's time used" in members
    assert f"3: {zero} → the import's time used" in members
    # The team falls back to its leader's (known) time and takes its term from it.
    (team,) = plan.teams
    assert team.created_at == by_id[1].created_at == team.updated_at
    assert team.term == Term(2024, 1)
    teams = reasons(plan, "team_team")
    assert any("created_at holds no valid date" in r and "leader member 1" in r for r in teams)
    assert any("updated_at holds no valid date" in r for r in teams)
    apps = {a.id: a for a in plan.applications}
    assert apps[300].created_at == team.created_at and apps[300].decided_at is None
    assert apps[301].decided_at == apps[301].created_at == kst_to_utc(T0)
    assert len(reasons(plan, "team_teamapply")) == 2
    assert plan.likes[0].created_at == team.created_at
    assert reasons(plan, "team_likes") == [
        "400: created_at holds no valid date (0000-00-00 or the like) → the team's created_at used"
    ]
    assert plan.report.totals["team_likes"].changed == 1 and plan.report.error is None
