"""What people read for the service's codes: statuses, roles, audit actions and the CSV
columns, in Korean and in English. The one place these words are written; the web pages
(``entrypoints/web/format.py``) and the CSV exports (``admin/exports.py``) read them here."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from wap.domain.applications import ApplicationStatus
from wap.domain.audit import AuditAction, AuditTarget
from wap.domain.members import MemberStatus, Role
from wap.domain.teams import TeamRole, TeamStatus, recruitment_closed

Label = tuple[str, str]  # (Korean, English)

CLOSED: Final[Label] = ("마감", "Closed")
"""A recruiting team past its ``recruit_until``."""

TEAM_STATUS: Final[dict[str, Label]] = {
    TeamStatus.PENDING: ("승인 대기", "Awaiting approval"),
    TeamStatus.RECRUITING: ("모집 중", "Recruiting"),
    TeamStatus.COMPLETED: ("완료", "Completed"),
}
APPLICATION_STATUS: Final[dict[str, Label]] = {
    ApplicationStatus.PENDING: ("지원 대기", "Pending"),
    ApplicationStatus.ACCEPTED: ("수락", "Accepted"),
    ApplicationStatus.REJECTED: ("거절", "Rejected"),
    ApplicationStatus.WITHDRAWN: ("취소", "Withdrawn"),
    ApplicationStatus.EXPIRED: ("만료", "Expired"),
}
MEMBER_STATUS: Final[dict[str, Label]] = {
    MemberStatus.REGISTERING: ("가입 중", "Signing up"),
    MemberStatus.PENDING: ("가입 대기", "Awaiting approval"),
    MemberStatus.APPROVED: ("승인", "Approved"),
}
ROLE: Final[dict[str, Label]] = {
    Role.MEMBER: ("회원", "Member"),
    Role.OFFICER: ("운영진", "Officer"),
}
TEAM_ROLE: Final[dict[str, Label]] = {
    TeamRole.LEADER: ("팀장", "Leader"),
    TeamRole.MEMBER: ("팀원", "Member"),
}
AUDIT_ACTION: Final[dict[str, Label]] = {
    AuditAction.MEMBER_APPROVED: ("가입 승인", "Approved a member"),
    AuditAction.MEMBER_REJECTED: ("가입 거절", "Rejected a sign-up"),
    AuditAction.MEMBER_EXPELLED: ("제명", "Expelled a member"),
    AuditAction.MEMBER_ROLE_CHANGED: ("역할 변경", "Changed a role"),
    AuditAction.TEAM_APPROVED: ("팀 승인", "Approved a team"),
    AuditAction.TEAM_REJECTED: ("팀 거절", "Rejected a team"),
    AuditAction.TEAM_DELETED: ("팀 삭제", "Deleted a team"),
    AuditAction.TEAM_COMPLETED: ("팀 모집 완료", "Completed a team"),
    AuditAction.ROUND_OPENED: ("매칭 라운드 개설", "Opened a matching round"),
    AuditAction.ROUND_RUN: ("매칭 라운드 마감", "Closed a matching round"),
    AuditAction.ROUND_ADJUSTED: ("매칭 조정", "Adjusted a matching"),
    AuditAction.ROUND_PUBLISHED: ("매칭 결과 발표", "Published a matching round"),
}
AUDIT_TARGET: Final[dict[str, Label]] = {
    AuditTarget.MEMBER: ("회원", "member"),
    AuditTarget.TEAM: ("팀", "team"),
    AuditTarget.ROUND: ("매칭 라운드", "matching round"),
}
COLUMN: Final[dict[str, Label]] = {
    "id": ("번호", "id"),
    "name": ("이름", "name"),
    "student_number": ("학번", "student_number"),
    "position": ("포지션", "position"),
    "email": ("이메일", "email"),
    "github_login": ("GitHub", "github_login"),
    "status": ("상태", "status"),
    "role": ("역할", "role"),
    "joined_at": ("가입일", "joined_at"),
    "term": ("학기", "term"),
    "title": ("팀 이름", "title"),
    "genre": ("장르", "genre"),
    "leader_name": ("팀장", "leader_name"),
    "leader_student_number": ("팀장 학번", "leader_student_number"),
    "members": ("팀원 수", "members"),
    "capacity": ("모집 인원", "capacity"),
    "filled": ("충원 인원", "filled"),
    "likes": ("좋아요", "likes"),
    "views": ("조회수", "views"),
    "recruit_until": ("모집 마감", "recruit_until"),
    "created_at": ("만든 날", "created_at"),
    "team_id": ("팀 번호", "team_id"),
    "team_title": ("팀 이름", "team_title"),
    "applicant_name": ("지원자", "applicant_name"),
    "applicant_student_number": ("지원자 학번", "applicant_student_number"),
    "category": ("분야", "category"),
    "message": ("한마디", "message"),
    "applied_at": ("지원일", "applied_at"),
    "decided_at": ("결정일", "decided_at"),
}
"""The CSV columns: English keeps the column's code, as the exports always had."""


def label(labels: dict[str, Label], code: object, english: bool) -> str:
    """The code's words; an unknown code (or none) reads as itself (or empty), never
    ``None``."""
    if code is None:
        return ""
    words = labels.get(str(code))
    if words is None:
        return str(code)
    return words[1] if english else words[0]


def team_state(status: str, recruit_until: datetime | None, now: datetime) -> Label:
    """A team's status as people read it: a recruiting team past its deadline is closed."""
    if status == TeamStatus.RECRUITING and recruitment_closed(recruit_until, now):
        return CLOSED
    return TEAM_STATUS.get(status, (status, status))


# The matching round (issue 18)
ROUND_STATE: Final[dict[str, Label]] = {
    "open": ("선호 입력 중", "Open for choices"),
    "closed": ("마감 (발표 전)", "Closed (not published)"),
    "published": ("발표됨", "Published"),
}
ROUND_RESULT: Final[dict[str, Label]] = {
    "placed": ("배정", "placed"),
    "skipped": ("건너뜀", "skipped"),
    "unplaced": ("미배정", "unplaced"),
}
ROUND_REASON: Final[dict[str, Label]] = {
    "no_choice": ("가능한 선택 없음", "no acceptable choice"),
    "all_full": ("선택한 자리가 모두 마감", "all chosen slots were full"),
    "outranked": ("다른 지원자가 우선", "others ranked ahead"),
    "slot_full": ("발표 시점에 자리가 참", "slot filled before publishing"),
    "already_in_team": ("이미 이번 학기 팀에 소속", "already in a team of the term"),
    "team_not_recruiting": ("팀이 더 이상 모집 중이 아님", "team no longer recruiting"),
}
ROUND_COLUMN: Final[dict[str, Label]] = {
    "member_id": ("회원 번호", "member_id"),
    "member_name": ("이름", "member_name"),
    "team_id": ("팀 번호", "team_id"),
    "team_title": ("팀 이름", "team_title"),
    "category": ("분야", "category"),
    "rank": ("선호 순위", "rank"),
    "result": ("결과", "result"),
    "reason": ("사유", "reason"),
}
"""The round's CSV columns: English keeps the column's code, as the other exports do."""
