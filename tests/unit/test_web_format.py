"""How the pages show values (web/format.py) and the words for codes (application/labels.py):
KST across midnight UTC, relative times, D-day badges, and a label for every status, role and
audit action."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from types import SimpleNamespace

import pytest
from litestar.plugins.jinja import JinjaTemplateEngine

from wap.application.labels import (
    APPLICATION_STATUS,
    AUDIT_ACTION,
    AUDIT_TARGET,
    MEMBER_STATUS,
    ROLE,
    TEAM_ROLE,
    TEAM_STATUS,
    Label,
    label,
    team_state,
)
from wap.domain.applications import ApplicationStatus
from wap.domain.audit import AuditAction, AuditTarget
from wap.domain.members import MemberStatus, Role
from wap.domain.teams import TeamRole, TeamStatus
from wap.entrypoints.web import format as display
from wap.entrypoints.web.format import audit_line, dday, kst, kst_date, relative

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 12:00 KST, a Monday


@pytest.mark.parametrize(
    ("codes", "labels"),
    [
        (TeamStatus, TEAM_STATUS),
        (ApplicationStatus, APPLICATION_STATUS),
        (MemberStatus, MEMBER_STATUS),
        (Role, ROLE),
        (TeamRole, TEAM_ROLE),
        (AuditAction, AUDIT_ACTION),
        (AuditTarget, AUDIT_TARGET),
    ],
)
def test_every_code_has_korean_and_english_words(
    codes: type[StrEnum], labels: dict[str, Label]
) -> None:
    for code in codes:
        korean, english = labels[code]
        assert korean and english and korean != code.value
        assert label(labels, code.value, english=False) == korean
        assert label(labels, code.value, english=True) == english


def test_the_statuses_read_as_the_issue_names_them() -> None:
    assert [TEAM_STATUS[s][0] for s in TeamStatus] == ["승인 대기", "모집 중", "완료"]
    assert [APPLICATION_STATUS[s][0] for s in ApplicationStatus] == [
        "지원 대기",
        "수락",
        "거절",
        "취소",
        "만료",
    ]


def test_no_code_reads_as_none() -> None:
    assert label(ROLE, None, english=False) == ""
    assert label(ROLE, "someday", english=False) == "someday"


def test_a_recruiting_team_past_its_deadline_reads_closed() -> None:
    assert team_state("recruiting", None, NOW) == ("모집 중", "Recruiting")
    assert team_state("recruiting", NOW + timedelta(seconds=1), NOW)[0] == "모집 중"
    assert team_state("recruiting", NOW, NOW) == ("마감", "Closed")
    assert team_state("completed", NOW - timedelta(days=1), NOW)[0] == "완료"
    assert team_state("pending", NOW - timedelta(days=1), NOW)[0] == "승인 대기"


def test_times_are_in_kst_across_midnight_utc() -> None:
    before = datetime(2026, 3, 1, 14, 59, tzinfo=UTC)  # 23:59 KST on Sunday
    after = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)  # midnight KST, Monday
    assert kst(before) == "2026년 3월 1일 (일) 오후 11:59"
    assert kst(after) == "2026년 3월 2일 (월) 오전 12:00"
    assert kst(NOW) == "2026년 3월 2일 (월) 오후 12:00"
    assert kst(after, english=True) == "Mon 2 Mar 2026, 00:00 KST"
    assert kst_date(after) == "2026년 3월 2일" and kst_date(before, english=True) == "1 Mar 2026"
    assert kst(None) == "" and kst_date(None) == ""
    naive = datetime(2026, 3, 1, 15, 0)  # read as UTC
    assert kst(naive) == kst(after)


@pytest.mark.parametrize(
    ("ago", "korean", "english"),
    [
        (timedelta(seconds=30), "방금", "just now"),
        (timedelta(minutes=1), "1분 전", "1 minute ago"),
        (timedelta(minutes=59, seconds=59), "59분 전", "59 minutes ago"),
        (timedelta(hours=3), "3시간 전", "3 hours ago"),
        (timedelta(hours=23, minutes=59), "23시간 전", "23 hours ago"),
        (timedelta(days=2), "2일 전", "2 days ago"),
        (timedelta(days=6, hours=23), "6일 전", "6 days ago"),
        (timedelta(days=7), "2026년 2월 23일", "23 Feb 2026"),
        (-timedelta(hours=2), "2시간 후", "in 2 hours"),
    ],
)
def test_relative_times(ago: timedelta, korean: str, english: str) -> None:
    assert relative(NOW - ago, NOW) == korean
    assert relative(NOW - ago, NOW, english=True) == english


def test_relative_of_nothing_is_empty() -> None:
    assert relative(None, NOW) == ""


def test_d_day_badges_count_kst_calendar_days() -> None:
    assert dday(None, NOW) == ""
    assert dday(NOW + timedelta(hours=1), NOW) == "D-day"
    # 23:59 KST today is still D-day; 00:30 KST tomorrow (15:30 UTC today) is D-1.
    assert dday(datetime(2026, 3, 2, 14, 59, tzinfo=UTC), NOW) == "D-day"
    assert dday(datetime(2026, 3, 2, 15, 30, tzinfo=UTC), NOW) == "D-1"
    assert dday(NOW + timedelta(days=3), NOW) == "D-3"
    assert dday(NOW, NOW) == "마감"
    assert dday(NOW - timedelta(days=1), NOW, english=True) == "Closed"


def test_audit_actions_read_as_words_with_a_roles_before_and_after() -> None:
    role = AuditAction.MEMBER_ROLE_CHANGED
    assert audit_line(role, {"before": "member", "after": "officer"}) == "역할 변경: 회원 → 운영진"
    assert (
        audit_line(role, {"before": "officer", "after": "member"}, english=True)
        == "Changed a role: Officer → Member"
    )
    assert audit_line(role, {"via": "cli"}) == "역할 변경"
    assert audit_line(AuditAction.TEAM_APPROVED, {"title": "팀"}) == "팀 승인"


def render(source: str, **context: object) -> str:
    engine = JinjaTemplateEngine(directory=Path(display.__file__).parent / "templates")
    display.register(engine)
    return engine.render_string(source, context)


def test_the_filters_follow_the_pages_language_and_clock() -> None:
    team = SimpleNamespace(status="recruiting", recruit_until=NOW + timedelta(days=3))
    closed = SimpleNamespace(status="recruiting", recruit_until=NOW - timedelta(minutes=1))
    source = (
        "{{ team|team_status }}|{{ team.recruit_until|dday }}|{{ closed|team_status }}|"
        "{{ 'officer'|role }}|{{ 'expired'|application_status }}|{{ at|ago }}|{{ at|kst }}|"
        "{{ nothing }}"
    )
    at = NOW - timedelta(hours=3)
    korean = render(source, team=team, closed=closed, at=at, now=NOW, en=False, nothing=None)
    assert korean == "모집 중|D-3|마감|운영진|만료|3시간 전|2026년 3월 2일 (월) 오전 9:00|"
    english = render(source, team=team, closed=closed, at=at, now=NOW, en=True, nothing=None)
    assert english == "Recruiting|D-3|Closed|Officer|Expired|3 hours ago|Mon 2 Mar 2026, 09:00 KST|"


# ---------------------------------------------------------------- a card's places, avatars


def slot(capacity: int, filled: int) -> SimpleNamespace:
    return SimpleNamespace(capacity=capacity, filled=filled)


def test_a_card_says_how_many_places_are_left_or_that_it_is_closed() -> None:
    def team(*slots: SimpleNamespace, status: str = "recruiting", until: object = None) -> object:
        return SimpleNamespace(status=status, slots=list(slots), recruit_until=until)

    assert display.open_places([slot(2, 1), slot(3, 0)]) == 4
    assert display.places(team(slot(2, 1), slot(3, 0)), NOW) == "4자리 남음"
    assert display.places(team(slot(2, 1)), NOW, english=True) == "1 place left"
    assert display.places(team(slot(2, 0)), NOW, english=True) == "2 places left"
    # Full, or past its deadline: 마감.
    assert display.places(team(slot(2, 2), slot(1, 1)), NOW) == "마감"
    assert display.places(team(slot(2, 0), until=NOW), NOW) == "마감"
    assert display.places(team(slot(2, 0), until=NOW + timedelta(days=1)), NOW) == "2자리 남음"
    # A completed team reads as its status.
    assert display.places(team(slot(2, 0), status="completed"), NOW) == "완료"
    assert display.taking_applications(team(slot(2, 1)), NOW)
    for closed in (
        team(slot(1, 1)),
        team(slot(2, 0), until=NOW),
        team(slot(2, 0), status="completed"),
        team(slot(2, 0), status="pending"),
    ):
        assert not display.taking_applications(closed, NOW)


def test_an_avatar_without_a_picture_shows_an_initial() -> None:
    assert display.initial(SimpleNamespace(name="이리더", github_login="demo")) == "이"
    assert display.initial(SimpleNamespace(name=None, github_login="octocat")) == "O"
    assert display.initial(SimpleNamespace(name="", github_login="")) == "?"


# ---------------------------------------------------------------- a description, safely


def test_a_description_keeps_its_paragraphs_lists_and_line_breaks() -> None:
    text = "첫 문단\n둘째 줄\n\n\n할 일:\n- 백엔드\n* 프론트\n\n1. 기획\n2. 개발\r\n\r\n끝"
    assert display.prose(text) == (
        "<p>첫 문단<br>\n둘째 줄</p>\n"
        "<p>할 일:</p>\n<ul><li>백엔드</li><li>프론트</li></ul>\n"
        "<ol><li>기획</li><li>개발</li></ol>\n"
        "<p>끝</p>"
    )
    assert display.prose("") == "" and display.prose(None) == ""
    assert display.prose("  \n\n  ") == ""


def test_web_addresses_become_links_that_pass_no_rank_and_no_opener() -> None:
    shown = display.prose("저장소: https://github.com/wap/board?tab=1&x=2. 문의 (http://wap.kr)")
    assert shown == (
        '<p>저장소: <a href="https://github.com/wap/board?tab=1&amp;x=2" '
        'rel="noopener nofollow ugc">https://github.com/wap/board?tab=1&amp;x=2</a>. 문의 '
        '(<a href="http://wap.kr" rel="noopener nofollow ugc">http://wap.kr</a>)</p>'
    )
    assert "<a" not in display.prose("https:// 만으로는 링크가 아닙니다")


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">클릭</a>',
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        'https://evil.test/" onmouseover="alert(1)',
        "https://evil.test/'onfocus='alert(1)'autofocus='",
        "https://evil.test/<script>alert(1)</script>",
        "- <svg onload=alert(1)>\n1. </li></ol><script>x</script>",
        "https://evil.test/`onclick=alert(1)",
    ],
)
def test_no_markup_of_the_author_survives(attack: str) -> None:
    shown = str(display.prose(attack))
    # Only the renderer's own tags are left, and every link it made is an http(s) one with
    # its attribute values closed.
    tags = re.findall(r"<(/?[a-z]+)", shown)
    assert set(tags) <= {"p", "/p", "br", "ul", "/ul", "ol", "/ol", "li", "/li", "a", "/a"}
    for anchor in re.findall(r"<a [^>]*>", shown):
        assert re.fullmatch(r'<a href="https?://[^"<>\s]+" rel="noopener nofollow ugc">', anchor), (
            anchor
        )
    assert "<script" not in shown and "<img" not in shown and "<svg" not in shown
    assert 'href="javascript' not in shown.lower() and 'href="data' not in shown
    assert 'onmouseover="' not in shown and "onfocus='" not in shown


def test_the_page_prints_the_description_rendered_and_anything_else_escaped() -> None:
    shown = render(
        "{{ text|prose }}|{{ text }}|{{ person|initial }}|{{ team|places }}",
        text="<b>굵게</b>\n- 하나",
        person=SimpleNamespace(name="<i>", github_login="x"),
        team=SimpleNamespace(status="recruiting", slots=[slot(3, 1)], recruit_until=None),
        now=NOW,
        en=False,
    )
    assert shown == (
        "<p>&lt;b&gt;굵게&lt;/b&gt;</p>\n<ul><li>하나</li></ul>|"
        "&lt;b&gt;굵게&lt;/b&gt;\n- 하나|&lt;|2자리 남음"
    )
