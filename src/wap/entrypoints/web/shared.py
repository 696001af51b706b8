"""What every page shares: the ``Page`` (who is signed in, the layout's context, the CSRF
token), the CSRF field check, refusal messages and ``run_action`` (POST → check → run →
303 back)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from wap.application.admin.batch import BatchResult
from wap.application.auth.sign_up import GetOwnProfile
from wap.application.catalog.get_catalog import GetCatalog
from wap.application.notices.inbox import CountUnread
from wap.application.ports import Clock
from wap.domain.errors import WapError
from wap.entrypoints.config import Settings
from wap.entrypoints.http.identity import (
    CSRF_COOKIE,
    Identity,
    anonymous_csrf_token,
    csrf_session,
    ensure_csrf,
    session_csrf_token,
    set_csrf_cookie,
)
from wap.entrypoints.http.observability import count_refusal
from wap.entrypoints.http.problems import PROBLEMS, prefers_english, text_for
from wap.entrypoints.web.bodies import Form, csrf_sent, form_of

Req = Request[Any, Any, Any]
Segment = Annotated[str, PathParameter(max_length=20)]


def english(request: Req) -> bool:
    return prefers_english(request.headers.get("accept-language"))


def csrf_of(request: Req) -> str:
    return request.cookies.get(CSRF_COOKIE, "")


def check_csrf(request: Req, form: Form, identity: Identity, settings: Settings) -> None:
    """Every form POST: from this site's origin, with the token of the ``wap_csrf`` cookie,
    which for a signed-in member must be their session's."""
    ensure_csrf(request, settings, identity.session_id, sent=csrf_sent(form))


def message(error: WapError, request: Req) -> str:
    if error.code == "rate.limited":
        count_refusal(request)  # a page that shows the refusal counts it as the API does
    return text_for(error.code if error.code in PROBLEMS else "internal", english(request))


def field_errors(error: WapError, request: Req) -> dict[str, str]:
    return {p.field: text_for(p.code, english(request)) for p in error.problems}


def slot_errors(error: WapError, request: Req) -> dict[str, str]:
    """A refused slot's message by its category (the domain names it in the context), so the
    slot editor shows it beside that row."""
    category = error.context.get("category")
    if error.field != "slots" or not isinstance(category, str):
        return {}
    return {category: text_for(error.code, english(request))}


def refusal(error: WapError, request: Req) -> dict[str, object]:
    """What a form shown again after a refusal adds to its context: each field's message
    (``errors``), each slot row's (``slot_errors``) and the form's (``problem``)."""
    return {
        "errors": field_errors(error, request),
        "slot_errors": slot_errors(error, request),
        "problem": message(error, request),
    }


# The success message each page action ends with (``?notice=``), Korean and English.
NOTICES: dict[str, tuple[str, str]] = {
    "applied": ("지원했습니다.", "Applied."),
    "created": (
        "팀을 만들었습니다. 운영진 승인을 기다립니다.",
        "Team created; it waits for an officer.",
    ),
    "saved": ("저장했습니다.", "Saved."),
    "withdrawn": ("지원을 취소했습니다.", "Application withdrawn."),
    "accepted": ("지원을 수락했습니다.", "Application accepted."),
    "rejected": ("지원을 거절했습니다.", "Application rejected."),
    "completed": ("모집을 완료했습니다.", "Recruitment completed."),
    "deleted": ("팀을 삭제했습니다.", "Team deleted."),
    "handed_over": ("팀장을 넘겼습니다.", "Leadership handed over."),
    "removed": ("팀원을 내보냈습니다.", "Member removed."),
    "left": ("팀에서 나왔습니다.", "You left the team."),
    "liked": ("좋아요를 바꿨습니다.", "Like updated."),
    "read": ("모두 읽음으로 표시했습니다.", "All marked read."),
    "done": ("처리했습니다.", "Done."),
    "role": ("역할을 바꿨습니다.", "Role changed."),
    "team_approved": ("팀을 승인했습니다.", "Team approved."),
    "team_rejected": ("팀을 거절했습니다.", "Team rejected."),
    # The officer console's batches (entrypoints/web/console.py).
    "members_approved": ("가입을 승인했습니다.", "Sign-ups approved."),
    "members_rejected": ("가입을 거절했습니다.", "Sign-ups rejected."),
    "members_expelled": ("제명했습니다.", "Members expelled."),
    "teams_approved": ("팀을 승인했습니다.", "Teams approved."),
    "teams_rejected": ("팀을 거절했습니다.", "Teams rejected."),
    "nothing_chosen": ("선택한 항목이 없습니다.", "Nothing was selected."),
}


def notice_text(code: str | None, en: bool) -> str | None:
    found = NOTICES.get(code or "")
    return None if found is None else found[1 if en else 0]


def back(path: str, **params: str) -> Redirect:
    query = ("?" + urlencode(params)) if params else ""
    return Redirect(path + query, status_code=303)


class Page:
    """What every page shows: who is signed in, their unread notices, the catalog."""

    def __init__(
        self,
        identity: Identity,
        own: GetOwnProfile,
        unread: CountUnread,
        catalog: GetCatalog,
        settings: Settings,
        clock: Clock,
    ) -> None:
        self.identity, self._own, self._unread, self._catalog = identity, own, unread, catalog
        self.settings, self._clock = settings, clock

    def check_csrf(self, request: Req, form: Form) -> None:
        check_csrf(request, form, self.identity, self.settings)

    async def render(self, request: Req, template: str, **context: Any) -> Template:
        me, unread = None, 0
        if self.identity.actor is not None:
            me = await self._own(self.identity.actor)
            unread = await self._unread(self.identity.actor)
        response = Template(
            template_name=template,
            context={
                "me": me,
                "unread": unread,
                "csrf": "",
                "catalog": await self._catalog(),
                "en": english(request),
                "now": self._clock.now(),  # relative times and deadlines (web/format.py)
                "notice": notice_text(request.query_params.get("notice"), english(request)),
                "error_code": request.query_params.get("error"),
                "error_text": (
                    text_for(request.query_params["error"], english(request))
                    if request.query_params.get("error") in PROBLEMS
                    else None
                ),
                **context,
            },
        )
        # Every visitor gets a CSRF token before their first form: a signed-in member their
        # session's, a visitor a random one (kept if they have one: after the 30-minute access
        # cookie lapses, the session's token still lets /logout close the session).
        token = csrf_of(request)
        if self.identity.session_id is not None:
            token = session_csrf_token(self.identity.session_id, self.settings)
        elif not token or self.identity.stale_cookie:
            token = anonymous_csrf_token()
        response.context["csrf"] = token
        # Signed out here, but the session lives on the server (its access cookie lapsed):
        # offer to sign out, which closes it.
        response.context["lingering_session"] = self.identity.session_id is None and bool(
            csrf_session(token, self.settings)
        )
        if token != csrf_of(request):
            set_csrf_cookie(response, token, self.settings)
        return response


async def run_action(
    request: Req,
    page: Page,
    target: str,
    action: Callable[[Form], Awaitable[Any]],
    notice: str = "done",
) -> Redirect:
    """POST → check CSRF → run → 303 back, with the refusal's code when refused (for an
    officer's batch, when it skipped every id: the first skip's code), else with the success
    message ``notice`` (a key of ``NOTICES``)."""
    form = await form_of(request)
    try:
        page.check_csrf(request, form)
        result = await action(form)
    except WapError as refused:
        return back(target, error=refused.code)
    if isinstance(result, BatchResult) and result.skipped and not result.done:
        return back(target, error=result.skipped[0].code)
    return back(target, notice=notice)
