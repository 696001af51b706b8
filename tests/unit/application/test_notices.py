from __future__ import annotations

from datetime import timedelta

from tests.builders import NOW, member, team
from tests.unit.application.club import Club
from wap.application.notices.inbox import (
    InboxQuery,
    MarkNoticesRead,
    MarkRead,
    OpenNotice,
    OpenQuery,
    ReadInbox,
)
from wap.application.notices.notifier import Notifier
from wap.application.notices.texts import TEXTS, render
from wap.application.teams.applying import Apply, ApplyCommand, Withdrawal, WithdrawApplication
from wap.application.teams.deadlines import CloseRecruitment
from wap.domain.applications import ApplicationStatus, Message, NewApplication
from wap.domain.catalog import Category
from wap.domain.members import Language, Role
from wap.domain.notifications import NoticeKind


def test_every_kind_of_notice_has_both_texts() -> None:
    assert set(TEXTS) == set(NoticeKind)
    for kind in NoticeKind:
        korean = render(
            kind, {"team": "T", "name": "N", "applicant": "A", "category": "웹"}, Language.KO
        )
        english = render(
            kind, {"team": "T", "name": "N", "applicant": "A", "category": "웹"}, Language.EN
        )
        assert korean and english and korean != english
        assert "{" not in korean + english


async def test_notices_skip_the_actor_and_mail_only_those_who_opted_in() -> None:
    new = [member(role=Role.OFFICER) for _ in range(3)]
    new[1].notify_email = False
    club = Club()
    people = await club.add(*new)
    notifier = club.use(Notifier)
    await notifier.tell_officers(NoticeKind.TEAM_WAITING, {"team": "T"}, actor_id=people[0].id)
    assert sorted(n.member_id for n in club.notices.rows) == sorted([people[1].id, people[2].id])
    assert [m.to for m in club.outbox.mails] == [people[2].email]
    assert club.mail.sent == []  # nothing leaves before the commit
    await club.uow.commit()
    assert [m.to for m in club.mail.sent] == [people[2].email] and club.outbox.mails == []


async def test_closing_recruitment_expires_pending_applications_once() -> None:
    club = Club()
    leader, waiting, accepted = await club.add(member(), member(), member())
    new = team(leader.id, slots={Category.WEB: 2})
    new.recruit_until = NOW + timedelta(hours=1)
    board = await club.teams.add(new)
    applications = club.applications
    for person in (waiting, accepted):
        await applications.add(
            NewApplication.submit(
                team_id=board.id, member_id=person.id, category=Category.WEB,
                message=Message(), now=NOW,
            )
        )  # fmt: skip
    done = applications.rows[2]
    done.accept(NOW)
    await applications.save(done)
    notices, clock = club.notices, club.clock
    close = club.use(CloseRecruitment)
    assert await close() == 0  # before the deadline
    clock.moment = NOW + timedelta(hours=1)
    assert await close() == 1
    assert await close() == 0
    assert applications.rows[1].status is ApplicationStatus.EXPIRED
    assert applications.rows[2].status is ApplicationStatus.ACCEPTED
    assert [(n.member_id, n.kind) for n in notices.rows] == [
        (waiting.id, NoticeKind.APPLICATION_EXPIRED)
    ]


async def test_the_inbox_reads_in_the_members_language_and_marks_read() -> None:
    new = member()
    new.language = Language.EN
    club = Club()
    reader = await club.members.add(new)
    await club.use(Notifier).tell([reader.id], NoticeKind.TEAM_APPROVED, {"team": "Board"})
    inbox = await club.use(ReadInbox)(InboxQuery(reader.actor))
    assert inbox.unread_count == 1
    assert inbox.items[0].text == "Board was approved and is now recruiting."
    after = await club.use(MarkNoticesRead)(MarkRead(reader.actor))
    assert after.unread_count == 0


async def test_withdrawing_and_re_applying_tells_the_leader_once_while_unread() -> None:
    club = Club()
    leader, applicant, other = await club.person(), await club.person(), await club.person()
    board = await club.recruiting(leader, slots={Category.WEB: 2, Category.IOS: 1})
    apply, withdraw = club.use(Apply), club.use(WithdrawApplication)

    def received() -> list[dict[str, object]]:
        return [
            n.payload
            for n in club.notices.rows
            if n.member_id == leader.id and n.kind is NoticeKind.APPLICATION_RECEIVED
        ]

    first = await apply(ApplyCommand(applicant.actor, board.id, "웹"))
    await withdraw(Withdrawal(applicant.actor, first.id))
    await apply(ApplyCommand(applicant.actor, board.id, "웹"))
    assert [p["application_id"] for p in received()] == [first.id]  # one notice, one mail
    assert [m.to for m in club.mail.sent].count(leader.email) == 1
    await apply(ApplyCommand(other.actor, board.id, "웹"))  # another applicant: told
    assert len(received()) == 2
    await club.use(MarkNoticesRead)(MarkRead(leader.actor))
    mine = [a for a in club.applications.rows.values() if a.member_id == applicant.id]
    await withdraw(Withdrawal(applicant.actor, mine[-1].id))
    again = await apply(ApplyCommand(applicant.actor, board.id, "웹"))  # read: told again
    assert received()[-1]["application_id"] == again.id and len(received()) == 3
    await withdraw(Withdrawal(applicant.actor, again.id))
    other_place = await apply(ApplyCommand(applicant.actor, board.id, "IOS"))
    assert received()[-1]["application_id"] == other_place.id  # another place: told


async def test_opening_a_notice_marks_only_ones_own_read() -> None:
    club = Club()
    reader, stranger = await club.person(), await club.person()
    await club.use(Notifier).tell([reader.id], NoticeKind.TEAM_APPROVED, {"team_id": 7})
    notice_id = club.notices.rows[0].id
    open_it = club.use(OpenNotice)
    assert await open_it(OpenQuery(stranger.actor, notice_id)) is None
    assert club.notices.rows[0].read_at is None
    opened = await open_it(OpenQuery(reader.actor, notice_id))
    assert opened is not None and opened.payload == {"team_id": 7}
    read_at = club.notices.rows[0].read_at
    assert read_at is not None
    club.clock.moment = NOW + timedelta(hours=1)
    again = await open_it(OpenQuery(reader.actor, notice_id))  # idempotent
    assert again is not None and again.read and club.notices.rows[0].read_at == read_at
    assert await open_it(OpenQuery(reader.actor, 4242)) is None
