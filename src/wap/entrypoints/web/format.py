"""How the pages show values: the one place of the display rules, as Jinja filters.

Times are shown in Asia/Seoul (KST) in the Korean format (``2026년 3월 2일 (월) 오후 3:05``),
relative where people expect it (``3시간 전``), deadlines as D-day badges (``D-3``, ``D-day``,
``마감``); statuses, roles and audit actions by their words (``application/labels.py``), never
their codes. Each filter reads ``en`` (the request prefers English) and ``now`` (the page's
clock) from the page's context; ``register`` puts them on the template engine."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup, escape

from wap.application.labels import (
    APPLICATION_STATUS,
    AUDIT_ACTION,
    AUDIT_TARGET,
    CLOSED,
    MEMBER_STATUS,
    ROLE,
    TEAM_ROLE,
    Label,
    label,
    team_state,
)
from wap.domain.audit import AuditAction
from wap.domain.teams import recruitment_closed
from wap.domain.terms import KST

WEEKDAYS_KO = "월화수목금토일"
MINUTE, HOUR, DAY = 60, 3600, 86400
RELATIVE_DAYS = 7  # older than this: the date instead


def _hour_ko(moment: datetime) -> str:
    half = "오전" if moment.hour < 12 else "오후"
    return f"{half} {moment.hour % 12 or 12}:{moment.minute:02d}"


def kst(moment: datetime | None, english: bool = False) -> str:
    """The moment in KST: ``2026년 3월 2일 (월) 오후 3:05`` or ``Mon 2 Mar 2026, 15:05 KST``."""
    if moment is None:
        return ""
    local = _local(moment)
    if english:
        return f"{local:%a} {local.day} {local:%b %Y, %H:%M} KST"
    weekday = WEEKDAYS_KO[local.weekday()]
    return f"{kst_date(moment)} ({weekday}) {_hour_ko(local)}"


def kst_date(moment: datetime | None, english: bool = False) -> str:
    """The day in KST: ``2026년 3월 2일`` or ``2 Mar 2026``."""
    if moment is None:
        return ""
    local = _local(moment)
    if english:
        return f"{local.day} {local:%b %Y}"
    return f"{local.year}년 {local.month}월 {local.day}일"


def _aware(moment: datetime) -> datetime:
    """A moment without a zone is read as UTC, as the database stores it."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _local(moment: datetime) -> datetime:
    return _aware(moment).astimezone(KST)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")


def relative(moment: datetime | None, now: datetime, english: bool = False) -> str:
    """``방금``, ``5분 전``, ``3시간 전``, ``2일 전`` (or ``… 후`` ahead); a week or more away,
    the KST date."""
    if moment is None:
        return ""
    seconds = int((now - _aware(moment)).total_seconds())
    ahead, span = seconds < 0, abs(seconds)
    if span < MINUTE:
        return "just now" if english else "방금"
    if span >= RELATIVE_DAYS * DAY:
        return kst_date(moment, english)
    count, unit_en, unit_ko = next(
        (span // size, en, ko)
        for size, en, ko in ((DAY, "day", "일"), (HOUR, "hour", "시간"), (MINUTE, "minute", "분"))
        if span >= size
    )
    if english:
        return f"in {_plural(count, unit_en)}" if ahead else f"{_plural(count, unit_en)} ago"
    return f"{count}{unit_ko} {'후' if ahead else '전'}"


def dday(recruit_until: datetime | None, now: datetime, english: bool = False) -> str:
    """A deadline's badge, by KST calendar days: ``D-3``, ``D-day`` (closes today), or
    ``마감`` once it has passed; no deadline, no badge."""
    if recruit_until is None:
        return ""
    if recruitment_closed(recruit_until, now):
        return CLOSED[1] if english else CLOSED[0]
    days = (_local(recruit_until).date() - _local(now).date()).days
    return "D-day" if days <= 0 else f"D-{days}"


def audit_line(action: str, detail: Mapping[str, Any], english: bool = False) -> str:
    """An audit action by its words, with a role change's before → after."""
    words = label(AUDIT_ACTION, action, english)
    if action == AuditAction.MEMBER_ROLE_CHANGED and "before" in detail and "after" in detail:
        before = label(ROLE, detail["before"], english)
        after = label(ROLE, detail["after"], english)
        return f"{words}: {before} → {after}"
    return words


def open_places(slots: Any) -> int:
    """The places a team still has: over its slots (anything with ``capacity`` and
    ``filled``), capacity less filled."""
    return sum(max(s.capacity - s.filled, 0) for s in slots)


def taking_applications(team: Any, now: datetime) -> bool:
    """Recruiting, a place left and the deadline (if any) ahead."""
    return (
        team.status == "recruiting"
        and open_places(team.slots) > 0
        and not recruitment_closed(getattr(team, "recruit_until", None), now)
    )


def places(team: Any, now: datetime, english: bool = False) -> str:
    """A card's recruiting state: ``2자리 남음``, or ``마감`` when no place is left or the
    deadline has passed; a team that is not recruiting, its status's words."""
    if team.status != "recruiting":
        return team_state(team.status, None, now)[1 if english else 0]
    if not taking_applications(team, now):
        return CLOSED[1] if english else CLOSED[0]
    left = open_places(team.slots)
    if english:
        return f"{_plural(left, 'place')} left"
    return f"{left}자리 남음"


def initial(person: Any) -> str:
    """The letter an avatar without a picture shows: the name's first, else the login's."""
    name = (getattr(person, "name", None) or getattr(person, "github_login", None) or "?").strip()
    return (name[:1] or "?").upper()


# A web address in a description: http(s) only (never ``javascript:``), up to a space or a
# character that cannot stand unencoded in a URL; trailing punctuation stays outside.
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)]}’”"
_OPENERS = {")": "(", "]": "[", "}": "{"}
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


def _inline(text: str) -> str:
    """One line, escaped, with its web addresses as links (rel="noopener nofollow ugc")."""
    out, last = [], 0
    for found in _URL.finditer(text):
        url = found.group(0)
        end = found.end()
        # Unbalanced closing brackets, counted once: a bracket of the address's own stays.
        unmatched = {c: url.count(c) - url.count(o) for c, o in _OPENERS.items()}
        cut = len(url)
        while cut and url[cut - 1] in _URL_TAIL:
            tail = url[cut - 1]
            if tail in unmatched:
                if unmatched[tail] <= 0:
                    break  # its own closing bracket: ``…/wiki/Go_(언어)``
                unmatched[tail] -= 1
            cut -= 1
        url, end = url[:cut], end - (len(url) - cut)
        if len(url) <= len("https://"):
            continue
        out.append(str(escape(text[last : found.start()])))
        link = escape(url)
        out.append(f'<a href="{link}" rel="noopener nofollow ugc">{link}</a>')
        last = end
    out.append(str(escape(text[last:])))
    return "".join(out)


def _line_kind(line: str) -> tuple[str, str, int]:
    """A line's kind (``ul`` item, ``ol`` item or ``p`` text), its text and its number."""
    if bullet := _BULLET.match(line):
        return "ul", bullet[1].strip(), 0
    if numbered := _NUMBERED.match(line):
        return "ol", numbered[2].strip(), int(numbered[1])
    return "p", line, 0


def _block(lines: list[str]) -> str:
    """A block of lines without a blank one: runs of ``- ``/``* `` lines a list, of ``1. ``
    lines a numbered list, other runs a paragraph (its line breaks kept)."""
    html: list[str] = []
    run: list[str] = []
    kind, start = "", 1

    def close() -> None:
        if not run:
            return
        if kind == "p":
            html.append("<p>" + "<br>\n".join(run) + "</p>")
        else:
            items = "".join(f"<li>{item}</li>" for item in run)
            # A numbered list keeps its author's first number (``3.`` is not shown as 1.).
            first = f' start="{start}"' if kind == "ol" and start != 1 else ""
            html.append(f"<{kind}{first}>{items}</{kind}>")
        run.clear()

    for line in lines:
        this, text, number = _line_kind(line)
        if this != kind:
            close()
            kind, start = this, number
        run.append(_inline(text))
    close()
    return "\n".join(html)


def prose(text: str | None) -> Markup:
    """A member's text (a team's description) as safe HTML: everything escaped first, then
    blank lines make paragraphs, ``- ``/``* ``/``1. `` lines lists, and http(s) addresses
    links with ``rel="noopener nofollow ugc"``. No markup of the author's survives."""
    normalized = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b for b in _BLANK_LINES.split(normalized) if b.strip()]
    rendered = []
    for block in blocks:
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        rendered.append(_block(lines))
    return Markup("\n".join(rendered))


def _words(labels: dict[str, Label]) -> Callable[..., str]:
    @pass_context
    def show(context: Context, code: object) -> str:
        return label(labels, code, bool(context.get("en")))

    return show


def _now(context: Context) -> datetime:
    now = context.get("now")
    return now if isinstance(now, datetime) else datetime.now(UTC)


@pass_context
def _kst(context: Context, moment: datetime | None) -> str:
    return kst(moment, bool(context.get("en")))


@pass_context
def _kst_date(context: Context, moment: datetime | None) -> str:
    return kst_date(moment, bool(context.get("en")))


@pass_context
def _relative(context: Context, moment: datetime | None) -> str:
    return relative(moment, _now(context), bool(context.get("en")))


@pass_context
def _dday(context: Context, recruit_until: datetime | None) -> str:
    return dday(recruit_until, _now(context), bool(context.get("en")))


@pass_context
def _team_status(context: Context, team: Any) -> str:
    """A team (anything with ``status`` and ``recruit_until``) by its state's words."""
    words = team_state(team.status, getattr(team, "recruit_until", None), _now(context))
    return words[1] if context.get("en") else words[0]


@pass_context
def _audit(context: Context, entry: Any) -> str:
    return audit_line(entry.action, entry.detail, bool(context.get("en")))


@pass_context
def _taking(context: Context, team: Any) -> bool:
    return taking_applications(team, _now(context))


@pass_context
def _places(context: Context, team: Any) -> str:
    return places(team, _now(context), bool(context.get("en")))


def iso(moment: datetime | None) -> str:
    """For ``<time datetime>``: the moment in ISO 8601 with its KST offset."""
    return _local(moment).isoformat(timespec="minutes") if moment else ""


FILTERS: dict[str, Callable[..., object]] = {
    "kst": _kst,
    "kst_date": _kst_date,
    "ago": _relative,
    "dday": _dday,
    "team_status": _team_status,
    "application_status": _words(APPLICATION_STATUS),
    "member_status": _words(MEMBER_STATUS),
    "role": _words(ROLE),
    "team_role": _words(TEAM_ROLE),
    "audit_action": _audit,
    "audit_target": _words(AUDIT_TARGET),
    "iso": iso,
    "places": _places,
    "taking": _taking,
    "initial": initial,
    "prose": prose,
}


def shown(value: object) -> object:
    """What every ``{{ … }}`` prints: nothing for a missing value, never ``None``."""
    return "" if value is None else value


def register(engine: JinjaTemplateEngine) -> None:
    """The display filters on the pages' template engine (``TemplateConfig.engine_callback``),
    before any template is compiled."""
    engine.engine.filters.update(FILTERS)
    engine.engine.finalize = shown
