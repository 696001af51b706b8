"""A member's own pages and others' profiles: my page (profile form, teams, applications,
likes), withdrawing an application, a member's public page and the inbox."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from wap.application.media.upload import Upload, UploadAvatar
from wap.application.members.get_profile import GetProfileQuery, GetPublicProfile
from wap.application.members.update_profile import ProfileEdit, UpdateProfile
from wap.application.notices.inbox import (
    InboxQuery,
    MarkNoticesRead,
    MarkRead,
    OpenNotice,
    OpenQuery,
    ReadInbox,
)
from wap.application.teams.applying import ListMyApplications, Withdrawal, WithdrawApplication
from wap.application.teams.queries import (
    ListLikedTeams,
    ListMemberTeams,
    ListOwnTeams,
    MemberTeamsQuery,
)
from wap.domain.errors import WapError
from wap.domain.members import Actor, MemberStatus
from wap.domain.notifications import NoticeKind
from wap.entrypoints.config import Settings
from wap.entrypoints.http.params import Id
from wap.entrypoints.web.bodies import Form, ProfileBody, form_of
from wap.entrypoints.web.shared import Page, Req, back, refusal, run_action


class MyPage:
    """The member's own page: their profile form, teams, applications and likes."""

    def __init__(
        self,
        page: Page,
        teams: ListOwnTeams,
        mine: ListMyApplications,
        liked: ListLikedTeams,
    ) -> None:
        self.page, self._teams, self._mine, self._liked = page, teams, mine, liked

    async def render(self, request: Req, actor: Actor, **extra: Any) -> Template:
        return await self.page.render(
            request,
            "me.html",
            **({"form": None, "errors": {}} | extra),
            my_teams=await self._teams(actor),
            applications=await self._mine(actor),
            liked=await self._liked(actor),
        )


@get("/me", include_in_schema=False)
async def my_page(request: Req, me: FromDishka[MyPage]) -> Template | Redirect:
    actor = me.page.identity.actor
    if actor is None:
        return back("/login")
    if actor.status is not MemberStatus.APPROVED:
        return back("/register")
    return await me.render(request, actor)


@post("/me", include_in_schema=False)
async def update_me(
    request: Req,
    me: FromDishka[MyPage],
    update: FromDishka[UpdateProfile],
    avatar: FromDishka[UploadAvatar],
    settings: FromDishka[Settings],
) -> Template | Redirect:
    form = await form_of(request)
    actor = me.page.identity.actor
    if actor is None:
        return back("/login")
    body = ProfileBody.of(form)
    try:
        me.page.check_csrf(request, form)
        await update(
            ProfileEdit(
                actor=actor,
                bio=body.bio,
                position=body.position,
                tech_stack=body.tech_stack,
                links=body.links,
                notify_email=body.notify_email,
                language=body.language,
            )
        )
        if body.avatar is not None:
            await avatar(Upload(actor, await body.avatar.read(settings.max_image_bytes + 1)))
    except WapError as refused:
        return await me.render(request, actor, form=form, **refusal(refused, request))
    return back("/me", notice="saved")


@post("/applications/{application_id:int}/withdraw", include_in_schema=False)
async def withdraw(
    request: Req,
    application_id: Id,
    page: FromDishka[Page],
    withdraw: FromDishka[WithdrawApplication],
) -> Redirect:
    async def act(_: Form) -> None:
        await withdraw(Withdrawal(page.identity.signed_in(), application_id))

    return await run_action(request, page, "/me", act, "withdrawn")


@get("/members/{member_id:int}", include_in_schema=False)
async def member_page(
    request: Req,
    member_id: Id,
    page: FromDishka[Page],
    profile: FromDishka[GetPublicProfile],
    teams: FromDishka[ListMemberTeams],
) -> Template:
    try:
        person = await profile(GetProfileQuery(member_id, page.identity.actor))
        their_teams = await teams(MemberTeamsQuery(member_id, None, page.identity.actor))
    except WapError:
        raise NotFoundException() from None
    return await page.render(request, "member.html", person=person, their_teams=their_teams)


@get("/notifications", include_in_schema=False)
async def notifications(
    request: Req, page: FromDishka[Page], inbox: FromDishka[ReadInbox]
) -> Template | Redirect:
    if page.identity.actor is None:
        return back("/login")
    found = await inbox(InboxQuery(page.identity.actor, limit=50))
    return await page.render(request, "notifications.html", inbox=found)


# Where each notice leads: the page on which its subject is seen or acted on.
SUBJECTS: dict[NoticeKind, str] = {
    NoticeKind.APPLICATION_RECEIVED: "/teams/{team_id}",  # the leader decides there
    NoticeKind.APPLICATION_ACCEPTED: "/me",  # the applicant's own applications
    NoticeKind.APPLICATION_REJECTED: "/me",
    NoticeKind.APPLICATION_EXPIRED: "/me",
    NoticeKind.MEMBER_WAITING: "/admin",  # the officers' queues
    NoticeKind.TEAM_WAITING: "/teams/{team_id}",  # officers review a pending team on its page
    NoticeKind.SIGNUP_APPROVED: "/me",
    NoticeKind.SIGNUP_REJECTED: "/",
    NoticeKind.TEAM_APPROVED: "/teams/{team_id}",
    NoticeKind.TEAM_REJECTED: "/me",  # a rejected team is deleted: the leader's teams
    NoticeKind.LEADERSHIP_RECEIVED: "/teams/{team_id}",
    NoticeKind.ROUND_PLACED: "/teams/{team_id}",  # the team the round placed them in
    NoticeKind.ROUND_JOINED: "/teams/{team_id}",
    NoticeKind.ROUND_UNPLACED: "/rounds",  # the round's page, with its result
}


def subject_of(kind: NoticeKind, payload: dict[str, Any]) -> str:
    """The notice's subject page; the inbox for a notice whose payload lacks what it needs."""
    target = SUBJECTS[kind]
    if "{team_id}" in target:
        team_id = payload.get("team_id")
        return target.format(team_id=team_id) if isinstance(team_id, int) else "/notifications"
    return target


@get("/notifications/{notice_id:int}", include_in_schema=False)
async def open_notice(
    request: Req, notice_id: Id, page: FromDishka[Page], open_it: FromDishka[OpenNotice]
) -> Redirect:
    """A link, not a form: opening only marks the caller's own notice read, the same however
    often it is followed; another member's notice is 404."""
    if page.identity.actor is None:
        return back("/login")
    found = await open_it(OpenQuery(page.identity.actor, notice_id))
    if found is None:
        raise NotFoundException()
    return back(subject_of(NoticeKind(found.kind), found.payload))


@post("/notifications/read", include_in_schema=False)
async def read_all(
    request: Req, page: FromDishka[Page], mark: FromDishka[MarkNoticesRead]
) -> Redirect:
    async def act(_: Form) -> None:
        await mark(MarkRead(page.identity.signed_in()))

    return await run_action(request, page, "/notifications", act, "read")


ROUTES = [my_page, update_me, withdraw, member_page, notifications, open_notice, read_all]
