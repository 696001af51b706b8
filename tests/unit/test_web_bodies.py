"""The pages' form bodies: built from a decoded form, cut at the API's limits, never raising."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from wap.application.patch import UNSET
from wap.application.teams.manage import SlotRequest
from wap.domain.members import Role
from wap.domain.teams import ensure_deadline_ahead
from wap.entrypoints.http.bodies import LONG_TEXT_MAX, SLOTS_MAX, TEXT_MAX, URLS_MAX
from wap.entrypoints.web.bodies import (
    ApplyBody,
    IdsBody,
    LikeBody,
    MemberBody,
    ProfileBody,
    RegistrationBody,
    RoleBody,
    TeamBody,
    local_moment,
    moment_of,
    number_of,
    slot_rows,
    slot_rows_of,
)


def test_team_body_cuts_text_and_reads_slots_and_links() -> None:
    body = TeamBody.of(
        {
            "title": "t" * 500,
            "genre": "웹",
            "description": "d" * 9000,
            "slots": "백엔드: 2\n프론트엔드 : -3\nno colon\n디자인: ²\n" + "기획: 1\n" * 100,
            "links": "\n https://a.example \n\n" + "https://b.example\n" * 50,
        }
    )
    assert len(body.title) == TEXT_MAX and len(body.description) == LONG_TEXT_MAX
    assert body.slots[:3] == (
        SlotRequest("백엔드", 2),
        SlotRequest("프론트엔드", -3),
        SlotRequest("디자인", 0),
    )
    assert len(body.slots) == SLOTS_MAX - 1  # one line of the first 40 has no colon
    assert body.links[0] == "https://a.example" and len(body.links) < URLS_MAX
    assert body.image is None


def test_team_body_reads_the_slot_rows_and_ignores_an_empty_row() -> None:
    form: dict[str, Any] = {
        "slot_category": ["웹", "", "IOS", "게임 기획"],
        "slot_capacity": ["2", "7", "-1"],
        "slots": "안드로이드: 1",  # the rows win over the older text field
    }
    assert TeamBody.of(form).slots == (
        SlotRequest("웹", 2),
        SlotRequest("IOS", 0),  # unsigned: the use case refuses it on its row
        SlotRequest("게임 기획", 0),  # no capacity sent
    )
    assert TeamBody.of({"slot_category": "웹", "slot_capacity": "3"}).slots == (
        SlotRequest("웹", 3),
    )
    assert slot_rows_of(form) == [("웹", "2"), ("IOS", "-1"), ("게임 기획", ""), *[("", "")] * 3]
    assert slot_rows_of({"slots": "웹: 1"}) == [("웹", "1"), *[("", "")] * 3]
    full = [(str(n), "1") for n in range(17)]
    assert slot_rows(full) == [*full, ("", "")]  # at most one row a category


def test_an_empty_form_gives_empty_bodies() -> None:
    assert TeamBody.of({}) == TeamBody("", "", "", (), (), None, None, deadline_kept=False)
    assert ApplyBody.of({}) == ApplyBody("", "")
    assert MemberBody.of({}).member_id == 0
    assert LikeBody.of({}).like is False
    assert RegistrationBody.of({}).asks_code is False
    assert IdsBody.of({}).ids == ()
    assert RoleBody.of({}).role is Role.MEMBER


def test_profile_body() -> None:
    body = ProfileBody.of({"tech_stack": " Python, , Go ,", "notify_email": "on", "language": ""})
    assert body.tech_stack == ("Python", "Go")
    assert body.notify_email is True
    assert body.language is UNSET
    assert ProfileBody.of({}).language == "ko"


def test_ids_keep_positive_numbers_up_to_a_batch() -> None:
    assert IdsBody.of({"ids": ["3", "x", "-1", "0", "²", "7"]}).ids == (3, 7)
    assert IdsBody.of({"ids": "5"}).ids == (5,)
    assert len(IdsBody.of({"ids": [str(n) for n in range(1, 300)]}).ids) == 100


def test_number_of() -> None:
    assert number_of("42") == 42
    assert number_of("-4", signed=True) == -4
    assert number_of("-4") == 0
    assert number_of("²", 7) == 7
    assert number_of("99999999999") == 0
    assert number_of(str(2**31)) == 0


def test_a_deadline_is_a_kst_datetime_local() -> None:
    moment = moment_of("2026-12-05T18:00")
    assert moment == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert moment_of(" 2026-12-05T18:00:30 ") == datetime(2026, 12, 5, 9, 0, 30, tzinfo=UTC)
    assert local_moment(moment) == "2026-12-05T18:00" and local_moment(None) == ""
    assert moment_of("") is None and moment_of("  ") is None
    now = datetime(2026, 12, 1, tzinfo=UTC)
    for unreadable in ("tomorrow", "2026-02-30T10:00", "2026-12-05", "2026-12-05T18:00+09:00"):
        bad = moment_of(unreadable)
        try:  # the use case refuses it as the API refuses an unreadable deadline
            ensure_deadline_ahead(bad, now)
        except Exception as refused:
            assert getattr(refused, "code", None) == "request.invalid", unreadable
            assert getattr(refused, "field", None) == "recruit_until", unreadable
        else:
            raise AssertionError(unreadable)


def test_an_edit_keeps_the_deadline_it_showed() -> None:
    shown = {"recruit_until": "2026-12-05T18:00", "recruit_until_was": "2026-12-05T18:00"}
    assert TeamBody.of(shown).deadline_kept is True
    changed = shown | {"recruit_until": "2026-12-06T18:00"}
    assert TeamBody.of(changed).deadline_kept is False
    cleared = TeamBody.of(shown | {"recruit_until": ""})
    assert cleared.deadline_kept is False and cleared.recruit_until is None
    assert TeamBody.of({"recruit_until": ""}).deadline_kept is False  # a new team
