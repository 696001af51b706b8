from __future__ import annotations

from datetime import timedelta

from tests.builders import NOW, member, team
from tests.fakes import (
    FakeUnitOfWork,
    InMemoryApplicationRepository,
    InMemoryMemberRepository,
    InMemoryNoticeRepository,
    InMemoryTeamRepository,
    RecordingMailQueue,
)
from wap.adapters.system import FixedClock
from wap.application.notices.inbox import InboxQuery, MarkNoticesRead, MarkRead, ReadInbox
from wap.application.notices.notifier import Notifier, Outbox
from wap.application.notices.texts import TEXTS, render
from wap.application.teams.deadlines import CloseRecruitment
from wap.domain.applications import Application, ApplicationStatus, Message
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
    people = [member(role=Role.OFFICER) for _ in range(3)]
    people[1].notify_email = False
    members = InMemoryMemberRepository(*people)
    notices, outbox, mail = InMemoryNoticeRepository(), Outbox(), RecordingMailQueue()
    notifier = Notifier(notices, members, outbox, FixedClock(NOW))
    await notifier.tell_officers(NoticeKind.TEAM_WAITING, {"team": "T"}, actor_id=people[0].id)
    assert sorted(n.member_id for n in notices.rows) == sorted([people[1].id, people[2].id])
    assert [m.to for m in outbox.mails] == [people[2].email]
    uow = FakeUnitOfWork(outbox, mail)
    await uow.commit()
    assert [m.to for m in mail.sent] == [people[2].email] and outbox.mails == []


async def test_closing_recruitment_expires_pending_applications_once() -> None:
    leader, waiting, accepted = member(), member(), member()
    members = InMemoryMemberRepository(leader, waiting, accepted)
    board = team(leader.id or 0, slots={Category.WEB: 2})
    board.recruit_until = NOW + timedelta(hours=1)
    teams = InMemoryTeamRepository(board)
    applications = InMemoryApplicationRepository()
    teams.applications = applications
    for person in (waiting, accepted):
        await applications.add(
            Application.submit(
                team_id=board.id or 0, member_id=person.id or 0, category=Category.WEB,
                message=Message(), now=NOW,
            )
        )  # fmt: skip
    done = applications.rows[2]
    done.accept(NOW)
    await applications.save(done)
    notices, clock = InMemoryNoticeRepository(), FixedClock(NOW)
    close = CloseRecruitment(
        teams, applications, Notifier(notices, members, Outbox(), clock), FakeUnitOfWork(), clock
    )
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
    reader = member()
    reader.language = Language.EN
    members = InMemoryMemberRepository(reader)
    notices = InMemoryNoticeRepository()
    notifier = Notifier(notices, members, Outbox(), FixedClock(NOW))
    await notifier.tell([reader.id or 0], NoticeKind.TEAM_APPROVED, {"team": "Board"})
    inbox = await ReadInbox(notices, members)(InboxQuery(reader.actor))
    assert inbox.unread_count == 1
    assert inbox.items[0].text == "Board was approved and is now recruiting."
    after = await MarkNoticesRead(notices, FakeUnitOfWork(), FixedClock(NOW))(
        MarkRead(reader.actor)
    )
    assert after.unread_count == 0
