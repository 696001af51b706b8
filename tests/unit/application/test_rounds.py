"""The matching round's use cases on the in-memory twins: open, opt in, rank, run, preview
with pins and removals, publish through the guarded join (skipping what no longer fits),
notices, audit and the CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

import pytest

from tests.builders import NOW, as_officer
from tests.round_fakes import InMemoryRoundRepository
from tests.unit.application.club import Club
from wap.application.notices.notifier import Notifier
from wap.application.rounds.use_cases import (
    AdjustCommand,
    Adjustment,
    AdjustRound,
    ApplicantsQuery,
    ChoicesCommand,
    ExportRound,
    GetMyChoices,
    GetRound,
    ListRoundApplicants,
    MyChoicesQuery,
    OpenRound,
    OpenRoundCommand,
    OptInCommand,
    PreviewRound,
    PublishRound,
    RankApplicants,
    RankingCommand,
    RoundAction,
    RoundExportRequest,
    RoundQuery,
    RunRound,
    SaveChoices,
    SetOptIn,
)
from wap.domain.catalog import Category
from wap.domain.errors import (
    ChoiceInvalid,
    OfficerOnly,
    RoundAlreadyOpen,
    RoundClosed,
    RoundNotEligible,
    RoundNotFound,
    RoundPublished,
    RoundStillOpen,
    TooManyChoices,
)
from wap.domain.members import Actor, Member, MemberStatus, Role
from wap.domain.notifications import NoticeKind

U = TypeVar("U")
WEB, IOS = Category.WEB.value, Category.IOS.value


def actor(person: Member) -> Actor:
    return Actor(person.id, person.role, person.status)


class RoundClub:
    def __init__(self) -> None:
        self.club = Club()
        self.rounds = InMemoryRoundRepository(self.club.members, self.club.teams)

    def use(self, case: type[U]) -> U:
        c = self.club
        return case(  # type: ignore[call-arg]
            self.rounds,
            c.teams,
            c.members,
            c.container.get(Notifier),
            c.audit,
            c.uow,
            c.clock,
        )


async def setup() -> tuple[RoundClub, dict[str, Any]]:
    rc = RoundClub()
    club = rc.club
    officer = await club.person(role=Role.OFFICER)
    lead1, lead2 = await club.person(), await club.person()
    t1 = await club.recruiting(lead1, slots={Category.WEB: 2})
    t2 = await club.recruiting(lead2, slots={Category.WEB: 1, Category.IOS: 1})
    a, b, c, d = [await club.person() for _ in range(4)]
    opened = await rc.use(OpenRound)(
        OpenRoundCommand(actor(officer), NOW + timedelta(days=1), max_choices=3)
    )
    for lead, team in ((lead1, t1), (lead2, t2)):
        await rc.use(SetOptIn)(OptInCommand(actor(lead), opened.id, team.id))
    return rc, {
        "officer": officer, "lead1": lead1, "lead2": lead2, "t1": t1, "t2": t2,
        "a": a, "b": b, "c": c, "d": d, "round": opened.id,
    }  # fmt: skip


async def test_a_round_from_opening_to_publishing() -> None:
    rc, s = await setup()
    rid, t1, t2 = s["round"], s["t1"].id, s["t2"].id
    save = rc.use(SaveChoices)
    await save(ChoicesCommand(actor(s["a"]), rid, ((t2, WEB), (t1, WEB)), "열심히!"))
    rc.club.clock.moment = NOW + timedelta(minutes=1)
    await save(ChoicesCommand(actor(s["b"]), rid, ((t2, WEB), (t2, IOS))))
    await save(ChoicesCommand(actor(s["c"]), rid, ((t2, WEB),)))
    # d ranks nothing. The leader of t2 puts c first.
    await rc.use(RankApplicants)(RankingCommand(actor(s["lead2"]), rid, t2, (s["c"].id,)))
    listed = await rc.use(ListRoundApplicants)(ApplicantsQuery(actor(s["lead2"]), rid, t2))
    assert [x.member_id for x in listed.applicants] == [s["c"].id, s["a"].id, s["b"].id]
    assert listed.applicants[0].leader_rank == 1 and listed.applicants[1].leader_rank is None

    with pytest.raises(RoundStillOpen):
        await rc.use(PreviewRound)(RoundAction(actor(s["officer"]), rid))
    await rc.use(RunRound)(RoundAction(actor(s["officer"]), rid))
    with pytest.raises(RoundClosed):
        await save(ChoicesCommand(actor(s["a"]), rid, ((t1, WEB),)))

    preview = await rc.use(PreviewRound)(RoundAction(actor(s["officer"]), rid))
    where = {p.member_id: (p.team_id, p.category, p.rank) for p in preview.placed}
    assert where == {
        s["c"].id: (t2, WEB, 1),
        s["a"].id: (t1, WEB, 2),
        s["b"].id: (t2, IOS, 2),
    }
    assert preview.rank_counts == {1: 1, 2: 2}
    unplaced = {u.member_id: u.reason for u in preview.unplaced}
    # The leaders are in a team of the term and take no part; d and the officer ranked nothing.
    assert unplaced == {s["d"].id: "no_choice", s["officer"].id: "no_choice"}
    assert [(o.team_id, o.category, o.places) for o in preview.open_slots] == [(t1, WEB, 1)]

    # An officer pins d to t1's web slot and removes b from t2's iOS slot.
    adjust = rc.use(AdjustRound)
    await adjust(AdjustCommand(actor(s["officer"]), rid, s["d"].id, t1, WEB, Adjustment.PIN))
    preview = await adjust(
        AdjustCommand(actor(s["officer"]), rid, s["b"].id, t2, IOS, Adjustment.REMOVE)
    )
    where = {p.member_id: (p.team_id, p.category, p.pinned) for p in preview.placed}
    assert where[s["d"].id] == (t1, WEB, True)
    assert s["b"].id not in where
    assert {u.member_id: u.reason for u in preview.unplaced} == {
        s["b"].id: "outranked",
        s["officer"].id: "no_choice",
    }

    # Recruiting goes on: t1's web slot fills up before publishing, and publishing computes
    # over the places left then (the pinned d takes t1's last place; a is outranked).
    teams = rc.club.teams
    outsider, racer = await rc.club.person(), await rc.club.person()
    assert await teams.take_place(t1, outsider.id, Category.WEB, NOW)
    # An accept into t2's web slot lands between the computation and the team's lock.
    locked = teams.get_for_update

    async def accept_first(team_id: int) -> Any:
        if team_id == t2:
            assert await teams.take_place(t2, racer.id, Category.WEB, NOW)
        return await locked(team_id)

    teams.get_for_update = accept_first  # type: ignore[method-assign]
    report = await rc.use(PublishRound)(RoundAction(actor(s["officer"]), rid))
    assert {(p.member_id, p.team_id) for p in report.placed} == {(s["d"].id, t1)}
    assert [(k.member_id, k.reason) for k in report.skipped] == [(s["c"].id, "slot_full")]
    assert {u.member_id: u.reason for u in report.unplaced} == {
        s["a"].id: "outranked",
        s["b"].id: "outranked",
        s["officer"].id: "no_choice",
        racer.id: "no_choice",  # in no team yet when the assignment was computed
    }
    for team_id, category in ((t1, Category.WEB), (t2, Category.WEB)):
        stored = await teams.get(team_id)
        assert stored is not None
        assert stored.slots[category].filled == stored.slots[category].capacity  # never over
    kinds = {(n.member_id, n.kind) for n in rc.club.notices.rows}
    assert (s["d"].id, NoticeKind.ROUND_PLACED) in kinds
    assert (s["lead1"].id, NoticeKind.ROUND_JOINED) in kinds
    assert (s["c"].id, NoticeKind.ROUND_UNPLACED) in kinds  # skipped: told too
    assert (s["a"].id, NoticeKind.ROUND_UNPLACED) in kinds
    assert (s["b"].id, NoticeKind.ROUND_UNPLACED) in kinds
    actions = [e.action.value for e in rc.club.audit.entries]
    assert actions == [
        "round.open", "round.run", "round.adjust", "round.adjust", "round.publish",
    ]  # fmt: skip
    with pytest.raises(RoundPublished):
        await rc.use(PublishRound)(RoundAction(actor(s["officer"]), rid))

    export = await rc.use(ExportRound)(RoundExportRequest(actor(s["officer"]), rid))
    text = b"".join([chunk async for chunk in export.chunks]).decode("utf-8")
    assert text.startswith("\ufeff회원 번호,")
    assert "발표 시점에 자리가 참" in text and ",배정," in text
    assert (await rc.use(GetRound)(RoundQuery())).state == "published"


async def test_who_may_do_what() -> None:
    rc, s = await setup()
    rid, t1, t2 = s["round"], s["t1"].id, s["t2"].id
    save = rc.use(SaveChoices)
    with pytest.raises(RoundNotEligible):  # a leader is in a team of the term
        await save(ChoicesCommand(actor(s["lead1"]), rid, ((t2, WEB),)))
    with pytest.raises(TooManyChoices):
        await save(ChoicesCommand(actor(s["a"]), rid, ((t1, WEB), (t2, WEB), (t2, IOS), (t1, IOS))))
    with pytest.raises(ChoiceInvalid):
        await save(ChoicesCommand(actor(s["a"]), rid, ((t1, "없는 분야"),)))
    with pytest.raises(ChoiceInvalid):
        await save(ChoicesCommand(actor(s["a"]), rid, ((t1, WEB), (t1, WEB))))
    with pytest.raises(ChoiceInvalid):  # a leader ranks only members who chose the team
        await rc.use(RankApplicants)(RankingCommand(actor(s["lead1"]), rid, t1, (s["b"].id,)))
    with pytest.raises(OfficerOnly):
        await rc.use(RunRound)(RoundAction(actor(s["a"]), rid))
    with pytest.raises(RoundAlreadyOpen):
        await rc.use(OpenRound)(OpenRoundCommand(as_officer(s["officer"]), NOW + timedelta(days=2)))
    with pytest.raises(RoundNotFound):
        await rc.use(GetRound)(RoundQuery(999))
    pending = Actor(s["a"].id, Role.MEMBER, MemberStatus.PENDING)
    with pytest.raises(Exception, match=r"member\.not_approved"):
        await save(ChoicesCommand(pending, rid, ()))


async def test_a_choice_that_closes_is_shown_closed_and_dropped_by_the_next_save() -> None:
    rc, s = await setup()
    rid, t1, t2 = s["round"], s["t1"].id, s["t2"].id
    save, mine = rc.use(SaveChoices), rc.use(GetMyChoices)
    a = actor(s["a"])
    await save(ChoicesCommand(a, rid, ((t2, IOS), (t1, WEB), (t2, WEB))))
    # t2 leaves the round: a's two choices of it close under them.
    await rc.use(SetOptIn)(OptInCommand(actor(s["lead2"]), rid, t2, opted_in=False))
    shown = await mine(MyChoicesQuery(a, rid))
    assert [(c.team_id, c.category, c.open) for c in shown.choices] == [
        (t2, IOS, False),
        (t1, WEB, True),
        (t2, WEB, False),
    ]
    assert shown.choices[0].team_title == s["t2"].title.value  # still named, though gone
    # Moving the open one up (the pages send the whole list) is not refused for the closed
    # ones: they are dropped.
    saved = await save(ChoicesCommand(a, rid, ((t1, WEB), (t2, IOS), (t2, WEB))))
    assert [(c.team_id, c.category, c.open) for c in saved.choices] == [(t1, WEB, True)]
    # A closed slot the member never had is refused as before.
    with pytest.raises(ChoiceInvalid):
        await save(ChoicesCommand(a, rid, ((t1, WEB), (t2, IOS))))
    # Back in the round, its slots can be chosen again.
    await rc.use(SetOptIn)(OptInCommand(actor(s["lead2"]), rid, t2, opted_in=True))
    again = await save(ChoicesCommand(a, rid, ((t1, WEB), (t2, IOS))))
    assert [c.open for c in again.choices] == [True, True]


async def test_an_empty_round_publishes_nothing() -> None:
    rc = RoundClub()
    officer = await rc.club.person(role=Role.OFFICER)
    opened = await rc.use(OpenRound)(OpenRoundCommand(actor(officer), NOW + timedelta(hours=1)))
    rc.club.clock.moment = NOW + timedelta(hours=2)  # past the deadline: closed by itself
    report = await rc.use(PublishRound)(RoundAction(actor(officer), opened.id))
    assert report.placed == [] and report.skipped == []
    # The officer, an approved member in no team, could have taken part and ranked nothing.
    assert [(u.member_id, u.reason) for u in report.unplaced] == [(officer.id, "no_choice")]
