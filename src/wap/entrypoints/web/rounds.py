"""The matching round's pages (issue 18): a member ranks choices, a leader opts in and ranks
applicants, an officer opens, closes, previews, adjusts and publishes. Every button is a form
that works without JavaScript (up/down moves are POSTs that save the whole new order)."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from litestar import get, post
from litestar.response import Redirect, Template

from wap.application.labels import ROUND_REASON
from wap.application.rounds.read_models import MyChoices, Preview, RoundView
from wap.application.rounds.use_cases import (
    AdjustCommand,
    Adjustment,
    AdjustRound,
    ApplicantsQuery,
    ChoicesCommand,
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
    RoundQuery,
    RunRound,
    SaveChoices,
    SetOptIn,
)
from wap.application.teams.queries import ListOwnTeams
from wap.domain.errors import InvalidValue, RoundNotFound, RoundPublished, WapError
from wap.domain.rounds import DEFAULT_CHOICES
from wap.domain.teams import TeamStatus
from wap.entrypoints.http.params import Id
from wap.entrypoints.web.bodies import UNREADABLE_MOMENT, Form, moment_of, number_of, text_of
from wap.entrypoints.web.shared import Page, Req, back, run_action


def moved(items: list[Any], index: int, direction: str) -> list[Any]:
    """The list with item ``index`` moved one place up or down, or removed."""
    items = list(items)
    if not 0 <= index < len(items):
        return items
    if direction == "remove":
        del items[index]
    elif direction == "up" and index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
    elif direction == "down" and index < len(items) - 1:
        items[index + 1], items[index] = items[index], items[index + 1]
    return items


@get("/rounds", include_in_schema=False)
async def round_home(
    request: Req,
    page: FromDishka[Page],
    get_round: FromDishka[GetRound],
    mine: FromDishka[GetMyChoices],
    own_teams: FromDishka[ListOwnTeams],
) -> Template:
    actor = page.identity.actor
    found: RoundView | None
    try:
        found = await get_round(RoundQuery())
    except RoundNotFound:
        found = None
    choices: MyChoices | None = None
    led: list[Any] = []
    if found is not None and actor is not None and actor.is_approved:
        choices = await mine(MyChoicesQuery(actor, found.id))
        led = [
            t
            for t in await own_teams(actor)
            if t.leader.id == actor.member_id
            and t.status == TeamStatus.RECRUITING.value
            and t.term == found.term
        ]
    return await page.render(
        request,
        "round_home.html",
        round=found,
        mine=choices,
        led=led,
        default_choices=DEFAULT_CHOICES,
        reasons=ROUND_REASON,
    )


@post("/rounds", include_in_schema=False)
async def open_round(
    request: Req, page: FromDishka[Page], open_it: FromDishka[OpenRound]
) -> Redirect:
    async def act(form: Form) -> None:
        deadline = moment_of(text_of(form, "deadline", 40))
        if deadline is None or deadline is UNREADABLE_MOMENT:
            raise InvalidValue(field="deadline")
        await open_it(
            OpenRoundCommand(
                page.identity.signed_in(),
                deadline,
                number_of(form.get("max_choices"), DEFAULT_CHOICES),
            )
        )

    return await run_action(request, page, "/rounds", act, "saved")


@post("/rounds/{round_id:int}/choices", include_in_schema=False)
async def move_choice(
    request: Req,
    round_id: Id,
    page: FromDishka[Page],
    mine: FromDishka[GetMyChoices],
    save: FromDishka[SaveChoices],
) -> Redirect:
    """One change to my list: add a slot at the end, move one up or down, remove one, or
    save the message; the whole new list is saved."""

    async def act(form: Form) -> None:
        actor = page.identity.signed_in()
        current = await mine(MyChoicesQuery(actor, round_id))
        choices = [(c.team_id, c.category) for c in current.choices]
        action = text_of(form, "action", 10)
        message = current.message
        if action == "add":
            slot = text_of(form, "slot", 40)
            team, _, category = slot.partition(":")
            choices.append((number_of(team), category))
        elif action == "message":
            message = text_of(form, "message", 1000)
        else:
            choices = moved(choices, number_of(form.get("index"), -1), action)
        await save(ChoicesCommand(actor, round_id, tuple(choices), message))

    return await run_action(request, page, "/rounds", act, "saved")


@post("/rounds/{round_id:int}/teams/{team_id:int}/opt", include_in_schema=False)
async def opt(
    request: Req,
    round_id: Id,
    team_id: Id,
    page: FromDishka[Page],
    set_opt_in: FromDishka[SetOptIn],
) -> Redirect:
    async def act(form: Form) -> None:
        answer = text_of(form, "in", 5)
        if answer not in ("yes", "no"):  # the two buttons; anything else is not a choice
            raise InvalidValue(field="in")
        opted = answer == "yes"
        await set_opt_in(OptInCommand(page.identity.signed_in(), round_id, team_id, opted))

    return await run_action(request, page, "/rounds", act, "saved")


@get("/rounds/{round_id:int}/teams/{team_id:int}", include_in_schema=False)
async def team_ranking(
    request: Req,
    round_id: Id,
    team_id: Id,
    page: FromDishka[Page],
    list_them: FromDishka[ListRoundApplicants],
) -> Template | Redirect:
    try:
        found = await list_them(ApplicantsQuery(page.identity.signed_in(), round_id, team_id))
    except WapError as refused:
        return back("/rounds", error=refused.code)
    return await page.render(request, "round_team.html", found=found)


@post("/rounds/{round_id:int}/teams/{team_id:int}/ranking", include_in_schema=False)
async def move_applicant(
    request: Req,
    round_id: Id,
    team_id: Id,
    page: FromDishka[Page],
    list_them: FromDishka[ListRoundApplicants],
    rank_them: FromDishka[RankApplicants],
) -> Redirect:
    """Move one applicant up or down in the team's order (the order shown, tie order
    included, becomes the leader's ranking), or clear the ranking."""

    async def act(form: Form) -> None:
        actor = page.identity.signed_in()
        current = await list_them(ApplicantsQuery(actor, round_id, team_id))
        order = [a.member_id for a in current.applicants]
        action = text_of(form, "action", 10)
        order = [] if action == "clear" else moved(order, number_of(form.get("index"), -1), action)
        await rank_them(RankingCommand(actor, round_id, team_id, tuple(order)))

    return await run_action(request, page, f"/rounds/{round_id}/teams/{team_id}", act, "saved")


@post("/rounds/{round_id:int}/run", include_in_schema=False)
async def run_round(
    request: Req, round_id: Id, page: FromDishka[Page], run: FromDishka[RunRound]
) -> Redirect:
    async def act(_: Form) -> None:
        await run(RoundAction(page.identity.signed_in(), round_id))

    return await run_action(request, page, f"/rounds/{round_id}/preview", act, "done")


@get("/rounds/{round_id:int}/preview", include_in_schema=False)
async def preview_page(
    request: Req,
    round_id: Id,
    page: FromDishka[Page],
    preview_it: FromDishka[PreviewRound],
    get_round: FromDishka[GetRound],
) -> Template | Redirect:
    try:
        found = await preview_it(RoundAction(page.identity.signed_in(), round_id))
    except RoundPublished:
        published = await get_round(RoundQuery(round_id))
        return await page.render(
            request, "round_preview.html", preview=None, round=published, reasons=ROUND_REASON
        )
    except WapError as refused:
        return back("/rounds", error=refused.code)
    return await page.render(
        request,
        "round_preview.html",
        preview=found,
        round=found.round,
        reasons=ROUND_REASON,
        **pin_choices(found),
    )


def pin_choices(preview: Preview) -> dict[str, Any]:
    """What the officer's adjustments name, by name: every member with choices (placed or
    not) and every slot of the round's teams (filled by the preview or still open), for the
    pin form's selects; and names for the ids of the removed pairs."""
    names = {p.member_id: p.name for p in preview.placed}
    names.update((u.member_id, u.name) for u in preview.unplaced)
    titles = {p.team_id: p.team_title for p in preview.placed}
    titles.update((o.team_id, o.team_title) for o in preview.open_slots)
    slots = {(p.team_id, p.category) for p in preview.placed}
    slots.update((o.team_id, o.category) for o in preview.open_slots)
    return {
        "pin_members": sorted(names.items(), key=lambda item: (item[1], item[0])),
        "pin_slots": sorted(
            ((team, category, titles[team]) for team, category in slots),
            key=lambda slot: (slot[2], slot[1], slot[0]),
        ),
        "member_names": names,
        "team_titles": titles,
    }


@post("/rounds/{round_id:int}/adjust", include_in_schema=False)
async def adjust(
    request: Req, round_id: Id, page: FromDishka[Page], adjust_it: FromDishka[AdjustRound]
) -> Redirect:
    async def act(form: Form) -> None:
        slot = text_of(form, "slot", 40)
        team, _, category = slot.partition(":")
        try:
            adjustment = Adjustment(text_of(form, "action", 10))
        except ValueError:  # every form names its action; a guess could undo a pin
            raise InvalidValue(field="action") from None
        await adjust_it(
            AdjustCommand(
                page.identity.signed_in(),
                round_id,
                number_of(form.get("member_id")),
                number_of(team),
                category,
                adjustment,
            )
        )

    return await run_action(request, page, f"/rounds/{round_id}/preview", act, "saved")


@post("/rounds/{round_id:int}/publish", include_in_schema=False)
async def publish(
    request: Req, round_id: Id, page: FromDishka[Page], publish_it: FromDishka[PublishRound]
) -> Redirect:
    async def act(_: Form) -> None:
        await publish_it(RoundAction(page.identity.signed_in(), round_id))

    return await run_action(request, page, f"/rounds/{round_id}/preview", act, "done")


ROUTES = [
    round_home,
    open_round,
    move_choice,
    opt,
    team_ranking,
    move_applicant,
    run_round,
    preview_page,
    adjust,
    publish,
]
