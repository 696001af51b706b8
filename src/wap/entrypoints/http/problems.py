"""Every error as RFC 9457 problem JSON: one table from code to status and text, one renderer.
A browser asking for a web page gets the same problem as a page instead (web/errors.py)."""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from wap.application.errors import RateLimited, TooManyRequests
from wap.domain.errors import WapError
from wap.entrypoints.http.observability import count_refusal
from wap.entrypoints.http.paths import printable

log = logging.getLogger("wap.http")
PROBLEM_JSON = "application/problem+json"


class Problem(NamedTuple):
    status: int
    ko: str
    en: str


PROBLEMS: dict[str, Problem] = {
    # Requests
    "request.invalid": Problem(400, "요청 형식이 올바르지 않습니다.", "The request is not valid."),
    "request.not_found": Problem(404, "요청한 경로를 찾을 수 없습니다.", "No such route."),
    "request.method_not_allowed": Problem(
        405, "이 경로에서 허용되지 않는 메서드입니다.", "This method is not allowed on this route."
    ),
    "request.too_large": Problem(413, "요청 본문이 너무 큽니다.", "The request body is too large."),
    "rate.limited": Problem(
        429,
        "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.",
        "Too many requests; try again later.",
    ),
    "internal": Problem(500, "서버 내부 오류가 발생했습니다.", "Something went wrong on our side."),
    "service.unavailable": Problem(
        503,
        "일시적으로 서비스를 사용할 수 없습니다. 잠시 후 다시 시도해 주세요.",
        "The service is temporarily unavailable; try again shortly.",
    ),
    # Authentication
    "auth.required": Problem(401, "로그인이 필요합니다.", "Sign-in required."),
    "auth.token_invalid": Problem(401, "인증 토큰이 올바르지 않습니다.", "The token is not valid."),
    "auth.token_expired": Problem(401, "인증 토큰이 만료되었습니다.", "The token has expired."),
    "auth.refresh_invalid": Problem(
        401,
        "리프레시 토큰이 올바르지 않습니다. 다시 로그인해 주세요.",
        "The refresh token is not valid; sign in again.",
    ),
    "auth.oauth_failed": Problem(
        400, "GitHub 로그인에 실패했습니다.", "Signing in with GitHub failed."
    ),
    "auth.state_mismatch": Problem(
        400,
        "로그인 요청이 만료되었거나 올바르지 않습니다.",
        "The sign-in request expired or does not match.",
    ),
    "auth.csrf_failed": Problem(403, "CSRF 검증에 실패했습니다.", "CSRF verification failed."),
    # E-mail codes
    "email.code_mismatch": Problem(
        400, "인증 코드가 일치하지 않습니다.", "The code does not match."
    ),
    "email.code_expired": Problem(
        400,
        "인증 코드가 만료되었습니다. 새 코드를 요청해 주세요.",
        "The code has expired; ask for a new one.",
    ),
    "email.cooldown": Problem(
        429, "잠시 후 다시 요청해 주세요.", "Please wait a moment before asking for another code."
    ),
    "email.domain_not_allowed": Problem(
        400, "허용되지 않는 이메일 도메인입니다.", "This e-mail domain is not allowed."
    ),
    # Members
    "member.not_found": Problem(404, "회원을 찾을 수 없습니다.", "No such member."),
    "member.not_approved": Problem(
        403, "승인된 회원만 할 수 있습니다.", "Only approved members can do this."
    ),
    "member.not_registering": Problem(
        409, "이미 가입 절차를 마쳤습니다.", "Sign-up is already finished."
    ),
    "member.not_pending": Problem(
        409, "승인 대기 중인 회원이 아닙니다.", "The member is not pending."
    ),
    "member.name_invalid": Problem(
        400,
        "이름은 2~12자의 한글 또는 영문이어야 합니다.",
        "The name must be 2–12 Hangul or Latin letters.",
    ),
    "member.student_number_invalid": Problem(
        400, "학번은 7~10자리 숫자여야 합니다.", "The student number must be 7–10 digits."
    ),
    "member.student_number_taken": Problem(
        409, "이미 등록된 학번입니다.", "This student number is already registered."
    ),
    "member.position_invalid": Problem(400, "올바르지 않은 포지션입니다.", "No such position."),
    "member.last_officer": Problem(
        409,
        "마지막 운영진은 강등하거나 제명할 수 없습니다.",
        "The last officer cannot be demoted or expelled.",
    ),
    # Permissions
    "permission.officer_only": Problem(
        403, "운영진만 할 수 있습니다.", "Only officers can do this."
    ),
    "permission.leader_only": Problem(
        403, "팀장만 할 수 있습니다.", "Only the team leader can do this."
    ),
    "permission.owner_only": Problem(403, "본인만 할 수 있습니다.", "Only the owner can do this."),
    # Teams
    "team.not_found": Problem(404, "팀을 찾을 수 없습니다.", "No such team."),
    "team.title_invalid": Problem(
        400, "팀 이름은 1~30자여야 합니다.", "The title must be 1–30 characters."
    ),
    "team.title_taken": Problem(
        409, "이미 사용 중인 팀 이름입니다.", "This title is already taken."
    ),
    "team.genre_invalid": Problem(400, "올바르지 않은 장르입니다.", "No such genre."),
    "team.description_invalid": Problem(
        400, "설명은 1~2000자여야 합니다.", "The description must be 1–2000 characters."
    ),
    "team.category_invalid": Problem(
        400, "올바르지 않거나 중복된 모집 분야입니다.", "Unknown or repeated category."
    ),
    "team.capacity_invalid": Problem(
        400, "모집 인원은 1~10명이어야 합니다.", "A capacity must be 1–10."
    ),
    "team.slot_in_use": Problem(
        409,
        "팀원이 있는 모집 분야는 삭제할 수 없습니다.",
        "A slot that has members cannot be removed.",
    ),
    "team.capacity_below_filled": Problem(
        409,
        "모집 인원을 현재 인원보다 적게 줄일 수 없습니다.",
        "A capacity cannot drop below the members it holds.",
    ),
    "team.not_pending": Problem(
        409, "승인 대기 중인 팀이 아닙니다.", "The team is not waiting for approval."
    ),
    "team.not_recruiting": Problem(409, "모집 중인 팀이 아닙니다.", "The team is not recruiting."),
    "team.recruitment_closed": Problem(
        409, "모집이 마감되었습니다.", "Recruitment for this team has closed."
    ),
    "team.leader_cannot_leave": Problem(
        409,
        "팀장은 팀을 떠날 수 없습니다. 팀장을 넘기거나 팀을 삭제해 주세요.",
        "A leader cannot leave; hand leadership over or delete the team.",
    ),
    "team.not_member": Problem(404, "팀원이 아닙니다.", "Not a member of this team."),
    # Applications
    "application.not_found": Problem(404, "지원서를 찾을 수 없습니다.", "No such application."),
    "application.slot_full": Problem(409, "모집 인원이 가득 찼습니다.", "This slot is full."),
    "application.duplicate": Problem(
        409, "이미 이 팀에 지원했습니다.", "You already have a pending application to this team."
    ),
    "application.already_member": Problem(
        409, "이미 이 팀의 팀원입니다.", "You are already in this team."
    ),
    "application.own_team": Problem(
        409, "자신의 팀에는 지원할 수 없습니다.", "You cannot apply to your own team."
    ),
    "application.not_pending": Problem(
        409, "대기 중인 지원서가 아닙니다.", "The application is not pending."
    ),
    # Matching rounds (issue 18)
    "round.not_found": Problem(404, "매칭 라운드를 찾을 수 없습니다.", "No such matching round."),
    "round.already_open": Problem(
        409,
        "이번 학기에 아직 발표되지 않은 매칭 라운드가 있습니다.",
        "This term already has a matching round that is not published.",
    ),
    "round.closed": Problem(
        409,
        "매칭 라운드의 선호 입력이 마감되었습니다.",
        "The matching round is closed for changes.",
    ),
    "round.still_open": Problem(
        409,
        "매칭 라운드가 아직 마감되지 않았습니다.",
        "The matching round is still open; close it first.",
    ),
    "round.published": Problem(
        409, "이미 발표된 매칭 라운드입니다.", "The matching round is already published."
    ),
    "round.not_eligible": Problem(
        403,
        "이번 학기 팀에 소속되지 않은 승인 회원만 참여할 수 있습니다.",
        "Only approved members in no team of the term take part.",
    ),
    "round.team_not_in": Problem(
        409,
        "매칭 라운드에 참여하지 않은 팀입니다.",
        "The team does not take part in the matching round.",
    ),
    "round.choice_invalid": Problem(
        400,
        "선택한 자리가 라운드에 없거나 중복되었습니다.",
        "A choice is not an open slot of the round, or is repeated.",
    ),
    "round.too_many_choices": Problem(
        400, "선택할 수 있는 개수를 넘었습니다.", "Too many choices for this round."
    ),
    "round.pin_invalid": Problem(
        400,
        "고정하거나 제외할 수 없는 회원과 자리입니다.",
        "That member and slot cannot be pinned or removed in this round.",
    ),
    # Images
    "image.invalid": Problem(400, "올바른 이미지 파일이 아닙니다.", "Not a valid image."),
    "image.too_large": Problem(413, "이미지 파일이 너무 큽니다.", "The image is too large."),
}

_BY_STATUS = {
    400: "request.invalid",
    401: "auth.required",
    403: "auth.csrf_failed",
    404: "request.not_found",
    405: "request.method_not_allowed",
    413: "request.too_large",
    422: "request.invalid",
    429: "rate.limited",
    503: "service.unavailable",
}


class FieldError(msgspec.Struct):
    field: str
    code: str
    message: str


class ProblemBody(msgspec.Struct, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None


def prefers_english(accept_language: str | None) -> bool:
    """True when the client ranks English above Korean (RFC 9110 q-values)."""
    if not accept_language:
        return False
    best: dict[str, float] = {}
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("ko", "en") and primary not in best:
            # Earlier entries win ties, as browsers list preferences in order.
            best[primary] = quality - index * 1e-6
    return best.get("en", -1.0) > best.get("ko", -1.0)


def text_for(code: str, english: bool) -> str:
    problem = PROBLEMS[code]
    return problem.en if english else problem.ko


def problem_response(
    code: str,
    request: Request[Any, Any, Any] | None,
    errors: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    english = prefers_english(request.headers.get("accept-language") if request else None)
    problem = PROBLEMS[code]
    # Imported here: the pages import this module's texts (web/shared.py), so importing
    # them at the top would make the two packages' first import depend on which came first.
    from wap.entrypoints.web.errors import error_page, wants_page

    if request is not None and wants_page(request):
        return error_page(problem.status, text_for(code, english), english, headers)
    body = ProblemBody(
        type=f"/problems/{code}",
        title=code,
        status=problem.status,
        detail=text_for(code, english),
        code=code,
        errors=[
            FieldError(field, field_code, text_for(field_code, english))
            for field, field_code in errors
        ]
        if errors
        else None,
    )
    return Response(
        content=msgspec.json.encode(body),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def path_of(request: Request[Any, Any, Any]) -> str:
    """The path for a log line; never raises, whatever the request holds, and escapes
    control characters (a decoded ``%0A`` would otherwise start a forged log line)."""
    return printable(str(request.scope.get("path", "?")))


def handle_wap_error(request: Request[Any, Any, Any], error: WapError) -> Response[bytes]:
    code = error.code if error.code in PROBLEMS else "internal"
    if code == "internal":
        log.error("unmapped error code %r", error.code)
    if code == "rate.limited":
        count_refusal(request)
    errors = [(p.field, p.code) for p in error.problems]
    wait = error.retry_after if isinstance(error, TooManyRequests) else None
    headers = {"Retry-After": str(wait)} if wait is not None else None
    return problem_response(code, request, errors, headers)


def handle_http_exception(request: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    status = error.status_code
    if status >= 500 and status != 503:
        log.error("HTTP %s on %s %s: %s", status, request.method, path_of(request), error.detail)
        return problem_response("internal", request)
    code = _BY_STATUS.get(status, "request.invalid")
    errors: list[tuple[str, str]] = []
    if isinstance(error, ValidationException) and isinstance(error.extra, list):
        for item in error.extra:
            if isinstance(item, dict):
                errors.append((str(item.get("key") or item.get("source") or "body"), code))
    given = {k.lower(): v for k, v in (error.headers or {}).items()}
    allow = given.get("allow")
    headers = {"Allow": allow} if allow else None
    if code == RateLimited.code:  # every rate.limited answer says when to come back
        headers = {"Retry-After": given.get("retry-after") or str(RateLimited.default_retry_after)}
    return problem_response(code, request, errors, headers)


def handle_undecodable(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    """Bytes the decoders could not read: not UTF-8 (inside JSON, a form or a multipart
    part), or a part naming a charset Python does not know (a bare ``LookupError``, which
    only the codec registry raises). Bad input, not a crash. Other lookup errors
    (``KeyError``, ``IndexError``) are bugs and stay 500s."""
    if isinstance(error, UnicodeError) or type(error) is LookupError:
        return problem_response("request.invalid", request)
    return handle_unexpected(request, error)


def handle_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    log.exception("unhandled error on %s %s", request.method, path_of(request), exc_info=error)
    return problem_response("internal", request)
