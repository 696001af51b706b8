"""What each notice says, in Korean and English."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wap.domain.members import Language
from wap.domain.notifications import NoticeKind
from wap.domain.values import one_line

TEXTS: dict[NoticeKind, tuple[str, str]] = {
    NoticeKind.APPLICATION_RECEIVED: (
        "{applicant}님이 {team} 팀의 {category} 자리에 지원했습니다.",
        "{applicant} applied to {team} for {category}.",
    ),
    NoticeKind.APPLICATION_ACCEPTED: (
        "{team} 팀 지원이 수락되었습니다. 환영합니다!",
        "Your application to {team} was accepted. Welcome!",
    ),
    NoticeKind.APPLICATION_REJECTED: (
        "아쉽게도 {team} 팀 지원이 거절되었습니다.",
        "Your application to {team} was not accepted.",
    ),
    NoticeKind.APPLICATION_EXPIRED: (
        "{team} 팀의 모집이 마감되어 지원이 만료되었습니다.",
        "Recruitment for {team} closed; your application expired.",
    ),
    NoticeKind.MEMBER_WAITING: (
        "{name}님이 가입 승인을 기다리고 있습니다.",
        "{name} is waiting for sign-up approval.",
    ),
    NoticeKind.TEAM_WAITING: (
        "{team} 팀이 승인을 기다리고 있습니다.",
        "The team {team} is waiting for approval.",
    ),
    NoticeKind.SIGNUP_APPROVED: (
        "가입이 승인되었습니다. WAP에 오신 것을 환영합니다!",
        "Your sign-up was approved. Welcome to WAP!",
    ),
    NoticeKind.SIGNUP_REJECTED: (
        "가입 신청이 거절되었습니다. 다시 신청할 수 있습니다.",
        "Your sign-up was not approved. You may register again.",
    ),
    NoticeKind.TEAM_APPROVED: (
        "{team} 팀이 승인되어 모집을 시작했습니다.",
        "{team} was approved and is now recruiting.",
    ),
    NoticeKind.TEAM_REJECTED: (
        "{team} 팀 개설이 거절되었습니다.",
        "{team} was not approved.",
    ),
    NoticeKind.LEADERSHIP_RECEIVED: (
        "{team} 팀의 팀장이 되었습니다.",
        "You are now the leader of {team}.",
    ),
    NoticeKind.ROUND_PLACED: (
        "매칭 라운드 결과: {team} 팀의 {category} 자리에 배정되었습니다. 환영합니다!",
        "Matching round: you were placed in {team} for {category}. Welcome!",
    ),
    NoticeKind.ROUND_JOINED: (
        "매칭 라운드 결과: {name}님이 {team} 팀의 {category} 자리에 배정되었습니다.",
        "Matching round: {name} was placed in {team} for {category}.",
    ),
    NoticeKind.ROUND_UNPLACED: (
        "아쉽게도 이번 매칭 라운드에서 배정되지 않았습니다. 모집 중인 팀에 지원할 수 있습니다.",
        "The matching round could not place you this time; you can still apply to teams.",
    ),
}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render(kind: NoticeKind, payload: Mapping[str, Any], language: Language) -> str:
    korean, english = TEXTS[kind]
    template = english if language is Language.EN else korean
    return template.format_map(_Blank(payload))


def subject(kind: NoticeKind, payload: Mapping[str, Any], language: Language) -> str:
    """One line, whatever the names in it hold (a title stored before the single-line rule
    may carry a line break, which no mail header can)."""
    text = one_line(render(kind, payload, language))
    return "[WAP] " + (text if len(text) <= 80 else text[:79] + "…")
