from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from tests.builders import NOW, new_team, png
from tests.unit.application.club import Club
from wap.adapters.media.images import PillowImageProcessor
from wap.application.media.upload import ImageLimits, Upload, UploadAvatar, UploadTeamImage
from wap.application.members.update_profile import ProfileEdit, UpdateProfile
from wap.application.patch import UNSET
from wap.application.teams.applying import (
    AcceptApplication,
    Apply,
    ApplyCommand,
    Decision,
    RejectApplication,
    Withdrawal,
    WithdrawApplication,
)
from wap.application.teams.manage import (
    CompleteTeam,
    CreateTeam,
    DeleteTeam,
    Departure,
    EditTeam,
    HandOver,
    HandOverLeadership,
    LeaveTeam,
    SlotRequest,
    TeamAction,
    TeamEdit,
)
from wap.application.teams.queries import LikeCommand, SetLike
from wap.domain.applications import ApplicationStatus
from wap.domain.audit import AuditAction
from wap.domain.catalog import Category
from wap.domain.errors import (
    AlreadyMember,
    ApplicationNotFound,
    ApplicationNotPending,
    CapacityBelowFilled,
    DuplicateApplication,
    ImageInvalid,
    ImageTooLarge,
    LeaderCannotLeave,
    LeaderOnly,
    MemberNotApproved,
    NotTeamMember,
    OwnerOnly,
    RecruitmentClosed,
    SlotFull,
    SlotInUse,
    TeamNotFound,
    TeamNotRecruiting,
    TitleInvalid,
    TitleTaken,
)
from wap.domain.members import Language, MemberStatus, Role
from wap.domain.teams import TeamRole, TeamStatus


async def test_an_approved_member_opens_a_pending_team_and_leads_it() -> None:
    club = Club()
    leader = await club.person()
    detail = await club.use(CreateTeam)(new_team(leader.actor))
    assert detail.status == "pending" and detail.leader_id == leader.id
    assert {(s.category, s.capacity, s.filled) for s in detail.slots} == {
        ("웹", 2, 0),
        ("UI/UX 디자인", 1, 0),
    }
    people = await club.teams.members(detail.id)
    assert [(p.member_id, p.role) for p in people] == [(leader.id, TeamRole.LEADER)]
    assert club.uow.commits == 1


async def test_opening_a_team_checks_every_field_and_the_title() -> None:
    club = Club()
    leader = await club.person()
    with pytest.raises(MemberNotApproved):
        await club.use(CreateTeam)(new_team((await club.person(status=MemberStatus.PENDING)).actor))
    with pytest.raises(TitleInvalid) as caught:
        await club.use(CreateTeam)(new_team(leader.actor, title=" ", genre="영화", slots=()))
    assert [p.field for p in caught.value.problems] == ["title", "genre", "slots"]
    await club.use(CreateTeam)(new_team(leader.actor))
    with pytest.raises(TitleTaken):
        await club.use(CreateTeam)(new_team(leader.actor, title="wap 게시판"))


async def test_editing_fields_and_slots() -> None:
    club = Club()
    leader, joiner, other = await club.person(), await club.person(), await club.person()
    board = await club.recruiting(leader, slots={Category.WEB: 2, Category.NODE: 1})
    await club.teams.take_place(board.id, joiner.id, Category.WEB, NOW)

    edited = await club.use(EditTeam)(
        TeamEdit(
            leader.actor,
            board.id,
            description="새 설명",
            slots=(SlotRequest("웹", 3), SlotRequest("유니티", 2)),
        )
    )
    assert edited.description == "새 설명"
    assert {(s.category, s.capacity, s.filled) for s in edited.slots} == {
        ("웹", 3, 1),
        ("유니티", 2, 0),
    }
    await club.teams.take_place(board.id, other.id, Category.WEB, NOW)
    with pytest.raises(CapacityBelowFilled):
        await club.use(EditTeam)(TeamEdit(leader.actor, board.id, slots=(SlotRequest("웹", 1),)))
    with pytest.raises(SlotInUse):
        await club.use(EditTeam)(
            TeamEdit(leader.actor, board.id, slots=(SlotRequest("유니티", 1),))
        )
    with pytest.raises(LeaderOnly):
        await club.use(EditTeam)(TeamEdit(joiner.actor, board.id, title="남의 팀"))
    untouched = await club.teams.get(board.id)
    assert untouched is not None and untouched.title == board.title


async def test_a_deadline_can_be_set_and_cleared() -> None:
    club = Club()
    leader = await club.person()
    board = await club.recruiting(leader)
    later = NOW + timedelta(days=3)
    set_ = await club.use(EditTeam)(TeamEdit(leader.actor, board.id, recruit_until=later))
    assert set_.recruit_until == later
    kept = await club.use(EditTeam)(TeamEdit(leader.actor, board.id, recruit_until=UNSET))
    assert kept.recruit_until == later
    cleared = await club.use(EditTeam)(TeamEdit(leader.actor, board.id, recruit_until=None))
    assert cleared.recruit_until is None


async def test_completing_deleting_and_the_audit_of_officers() -> None:
    club = Club()
    leader, officer, stranger = (
        await club.person(),
        await club.person(role=Role.OFFICER),
        await club.person(),
    )
    board = await club.recruiting(leader)
    with pytest.raises(LeaderOnly):
        await club.use(CompleteTeam)(TeamAction(stranger.actor, board.id))
    done = await club.use(CompleteTeam)(TeamAction(officer.actor, board.id))
    assert done.status == "completed"
    with pytest.raises(TeamNotRecruiting):
        await club.use(CompleteTeam)(TeamAction(leader.actor, board.id))
    await club.use(DeleteTeam)(TeamAction(officer.actor, board.id))
    assert await club.teams.get(board.id) is None
    assert [e.action for e in club.audit.entries] == [
        AuditAction.TEAM_COMPLETED,
        AuditAction.TEAM_DELETED,
    ]
    own = await club.recruiting(leader)
    await club.use(DeleteTeam)(TeamAction(leader.actor, own.id))
    assert len(club.audit.entries) == 2  # a leader's own deletion is no officer action


async def test_handing_over_swaps_places() -> None:
    club = Club()
    leader, heir = await club.person(), await club.person()
    board = await club.recruiting(leader, slots={Category.WEB: 1})
    await club.teams.take_place(board.id, heir.id, Category.WEB, NOW)
    detail = await club.use(HandOverLeadership)(HandOver(leader.actor, board.id, heir.id))
    assert detail.leader_id == heir.id
    people = {p.member_id: (p.role, p.category) for p in await club.teams.members(board.id)}
    assert people == {
        heir.id: (TeamRole.LEADER, None),
        leader.id: (TeamRole.MEMBER, Category.WEB),
    }
    with pytest.raises(LeaderOnly):
        await club.use(HandOverLeadership)(HandOver(leader.actor, board.id, heir.id))
    with pytest.raises(NotTeamMember):
        await club.use(HandOverLeadership)(HandOver(heir.actor, board.id, 9999))


async def test_leaving_and_removing() -> None:
    club = Club()
    leader, a, b = await club.person(), await club.person(), await club.person()
    board = await club.recruiting(leader, slots={Category.WEB: 2})
    for person in (a, b):
        await club.teams.take_place(board.id, person.id, Category.WEB, NOW)
    with pytest.raises(OwnerOnly):
        await club.use(LeaveTeam)(Departure(a.actor, board.id, b.id))
    with pytest.raises(LeaderCannotLeave):
        await club.use(LeaveTeam)(Departure(leader.actor, board.id, leader.id))
    await club.use(LeaveTeam)(Departure(a.actor, board.id, a.id))
    await club.use(LeaveTeam)(Departure(leader.actor, board.id, b.id))
    with pytest.raises(NotTeamMember):
        await club.use(LeaveTeam)(Departure(leader.actor, board.id, b.id))
    after = await club.teams.get(board.id)
    assert after is not None and after.slots[Category.WEB].filled == 0


async def test_applying_and_its_rules() -> None:
    club = Club()
    leader, applicant = await club.person(), await club.person()
    board = await club.recruiting(leader, slots={Category.WEB: 1})
    mine = await club.use(Apply)(ApplyCommand(applicant.actor, board.id, "웹", "  "))
    assert mine.status == "pending" and mine.message == "열심히 하겠습니다!"
    assert mine.team.title == board.title.value
    with pytest.raises(DuplicateApplication):
        await club.use(Apply)(ApplyCommand(applicant.actor, board.id, "웹"))
    hidden = await club.recruiting(leader, status=TeamStatus.PENDING)
    with pytest.raises(TeamNotFound):
        await club.use(Apply)(ApplyCommand(applicant.actor, hidden.id, "웹"))
    closing = await club.recruiting(leader)
    stored = club.teams._rows[closing.id]
    stored.recruit_until = NOW - timedelta(minutes=1)
    with pytest.raises(RecruitmentClosed):
        await club.use(Apply)(ApplyCommand(applicant.actor, closing.id, "웹"))


async def test_accepting_fills_the_slot_and_mails_the_applicant_in_their_language() -> None:
    club = Club()
    leader = await club.person()
    korean, english, quiet = await club.person(), await club.person(), await club.person()
    english.language = Language.EN
    await club.members.save(english)
    quiet.notify_email = False
    await club.members.save(quiet)
    board = await club.recruiting(leader, title="Board", slots={Category.WEB: 2})
    apps = [
        await club.use(Apply)(ApplyCommand(p.actor, board.id, "웹"))
        for p in (korean, english, quiet)
    ]
    first = await club.use(AcceptApplication)(Decision(leader.actor, board.id, apps[0].id))
    assert first.status == "accepted" and first.applicant.id == korean.id
    await club.use(AcceptApplication)(Decision(leader.actor, board.id, apps[1].id))
    with pytest.raises(SlotFull):
        await club.use(AcceptApplication)(Decision(leader.actor, board.id, apps[2].id))
    rejected = await club.use(RejectApplication)(Decision(leader.actor, board.id, apps[2].id))
    assert rejected.status == "rejected"
    with pytest.raises(ApplicationNotPending):
        await club.use(AcceptApplication)(Decision(leader.actor, board.id, apps[0].id))

    after = await club.teams.get(board.id)
    assert after is not None and after.slots[Category.WEB].filled == 2
    decisions = [m for m in club.mail.sent if m.to != leader.email]
    assert [(m.to, m.body) for m in decisions] == [
        (korean.email, "Board 팀 지원이 수락되었습니다. 환영합니다!"),
        (english.email, "Your application to Board was accepted. Welcome!"),
    ]  # the applicant who opted out of copies got a notice and no mail
    with pytest.raises(AlreadyMember):
        await club.use(Apply)(ApplyCommand(korean.actor, board.id, "웹"))


async def test_only_the_leader_decides_and_applications_belong_to_their_team() -> None:
    club = Club()
    leader, applicant, stranger = await club.person(), await club.person(), await club.person()
    board, other = await club.recruiting(leader), await club.recruiting(stranger)
    mine = await club.use(Apply)(ApplyCommand(applicant.actor, board.id, "웹"))
    with pytest.raises(LeaderOnly):
        await club.use(AcceptApplication)(Decision(stranger.actor, board.id, mine.id))
    with pytest.raises(ApplicationNotFound):
        await club.use(AcceptApplication)(Decision(stranger.actor, other.id, mine.id))
    with pytest.raises(ApplicationNotFound):
        await club.use(AcceptApplication)(Decision(leader.actor, board.id, 4242))


async def test_no_accepting_after_the_deadline_or_once_completed() -> None:
    club = Club()
    leader, applicant = await club.person(), await club.person()
    board = await club.recruiting(leader)
    mine = await club.use(Apply)(ApplyCommand(applicant.actor, board.id, "웹"))
    club.clock.moment = NOW + timedelta(days=1)
    club.teams._rows[board.id].recruit_until = NOW + timedelta(hours=1)
    with pytest.raises(RecruitmentClosed):
        await club.use(AcceptApplication)(Decision(leader.actor, board.id, mine.id))
    club.teams._rows[board.id].recruit_until = None
    club.teams._rows[board.id].status = TeamStatus.COMPLETED
    with pytest.raises(TeamNotRecruiting):
        await club.use(AcceptApplication)(Decision(leader.actor, board.id, mine.id))


async def test_only_the_applicant_withdraws_a_pending_application() -> None:
    club = Club()
    leader, applicant, other = await club.person(), await club.person(), await club.person()
    board = await club.recruiting(leader)
    mine = await club.use(Apply)(ApplyCommand(applicant.actor, board.id, "웹"))
    with pytest.raises(ApplicationNotFound):
        await club.use(WithdrawApplication)(Withdrawal(other.actor, mine.id))
    await club.use(WithdrawApplication)(Withdrawal(applicant.actor, mine.id))
    assert club.applications.rows[mine.id].status is ApplicationStatus.WITHDRAWN
    with pytest.raises(ApplicationNotPending):
        await club.use(WithdrawApplication)(Withdrawal(applicant.actor, mine.id))
    again = await club.use(Apply)(ApplyCommand(applicant.actor, board.id, "웹"))
    assert again.id != mine.id


async def test_likes_are_idempotent_and_counted() -> None:
    club = Club()
    leader, fan = await club.person(), await club.person()
    board = await club.recruiting(leader)
    for _ in range(2):
        state = await club.use(SetLike)(LikeCommand(fan.actor, board.id, like=True))
        assert (state.liked, state.like_count) == (True, 1)
    for _ in range(2):
        state = await club.use(SetLike)(LikeCommand(fan.actor, board.id, like=False))
        assert (state.liked, state.like_count) == (False, 0)
    hidden = await club.recruiting(leader, status=TeamStatus.PENDING)
    with pytest.raises(TeamNotFound):
        await club.use(SetLike)(LikeCommand(fan.actor, hidden.id, like=True))
    with pytest.raises(MemberNotApproved):
        waiting = await club.person(status=MemberStatus.PENDING)
        await club.use(SetLike)(LikeCommand(waiting.actor, board.id, like=True))


async def test_profile_updates_change_only_what_is_sent() -> None:
    club = Club()
    person = await club.person()
    update = club.use(UpdateProfile)
    profile = await update(
        ProfileEdit(
            person.actor, tech_stack=("Go", "go", "Rust"), language="en", notify_email=False
        )
    )
    assert profile.tech_stack == ["Go", "Rust"] and profile.language == "en"
    assert profile.notify_email is False and profile.position == "백엔드"
    with pytest.raises(MemberNotApproved):
        await update(ProfileEdit((await club.person(status=MemberStatus.PENDING)).actor, bio="x"))


async def test_uploads_store_an_original_and_a_thumbnail(tmp_path: Path) -> None:
    club = Club(media=tmp_path)
    leader = await club.person()
    board = await club.recruiting(leader)
    upload = club.use(UploadTeamImage)
    detail = await upload(Upload(leader.actor, png(), board.id))
    assert detail.image_url and detail.image_thumbnail_url
    thumb = tmp_path / detail.image_thumbnail_url.removeprefix("/media/")
    with Image.open(thumb) as small:
        assert small.size == (320, 180) and small.format == "WEBP"
    first = tmp_path / detail.image_url.removeprefix("/media/")
    again = await upload(Upload(leader.actor, png(100, 100), board.id))
    assert again.image_url != detail.image_url
    assert not first.exists() and not thumb.exists()  # the old files go

    avatar = club.use(UploadAvatar)
    profile = await avatar(Upload(leader.actor, png(300, 500)))
    with Image.open(tmp_path / str(profile.avatar_thumbnail_url).removeprefix("/media/")) as face:
        assert face.size == (200, 200)
    tiny = Club(members=club.members, media=tmp_path, image_limits=ImageLimits(100))
    tiny_limit = tiny.use(UploadAvatar)
    with pytest.raises(ImageTooLarge):
        await tiny_limit(Upload(leader.actor, png()))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"GIF89a" + b"\x00" * 20,  # a header that lies
        png()[:200],  # truncated
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
    ],
)
async def test_what_is_not_a_whole_allowed_image_is_refused(data: bytes) -> None:
    with pytest.raises(ImageInvalid):
        await PillowImageProcessor().process(data, max_bytes=10_000_000, thumbnail=(10, 10))


async def test_a_decompression_bomb_is_refused() -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 Mpx in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(ImageInvalid):
        await PillowImageProcessor().process(
            out.getvalue(), max_bytes=10_000_000, thumbnail=(10, 10)
        )


async def test_a_bmp_is_not_an_allowed_format() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "BMP")
    with pytest.raises(ImageInvalid):
        await PillowImageProcessor().process(
            out.getvalue(), max_bytes=10_000_000, thumbnail=(10, 10)
        )
