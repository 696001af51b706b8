"""The pages' form bodies: a posted form, decoded strictly, becomes a typed body.

``form_of`` reads the request (form content types only, UTF-8, well-formed, else
``request.invalid``); each body's ``of`` builds a frozen dataclass from that form. Text is
cut at the API's limits (named once in ``entrypoints/http/bodies.py``) where the API would
refuse it, as the pages always have; numbers go through ``number_of``. Building a body never
raises: only the use cases refuse, so a refused form is shown again with their message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.datastructures import UploadFile

from wap.application.admin.batch import MAX_BATCH
from wap.application.patch import UNSET, Unset
from wap.application.teams.manage import SlotRequest
from wap.domain.catalog import Limits
from wap.domain.errors import InvalidValue
from wap.domain.members import Role
from wap.domain.terms import KST
from wap.entrypoints.http.bodies import (
    CAPACITY_BOUND,
    EMAIL_CODE_MAX,
    EMAIL_MAX,
    LANGUAGE_MAX,
    LONG_TEXT_MAX,
    MESSAGE_MAX,
    SLOTS_MAX,
    TECH_STACK_MAX,
    TEXT_MAX,
    URL_MAX,
    URLS_MAX,
)

FormValue = str | UploadFile
Form = dict[str, FormValue | list[FormValue]]

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FORM_FIELDS = 1000
CSRF_MAX = 256
# The page forms have always cut these two shorter than the API's TEXT_MAX; no vocabulary
# word is that long, so either cut refuses the same values.
GENRE_MAX = 20
CATEGORY_MAX = 30


async def form_of(request: Request[Any, Any, Any]) -> Form:
    """The posted form, decoded strictly: a form content type, UTF-8 (no other charset),
    well-formed. Anything else is ``request.invalid``, before any check or action runs."""
    media_type, options = request.content_type
    charset = options.get("charset", "utf-8").lower()
    if media_type not in FORM_TYPES or charset not in ("utf-8", "utf8"):
        raise InvalidValue(field="body")
    pairs: list[tuple[str, FormValue]]
    if media_type == FORM_TYPES[0]:
        try:
            pairs = list(
                parse_qsl(
                    (await request.body()).decode("utf-8"),
                    errors="strict",
                    max_num_fields=MAX_FORM_FIELDS,
                    separator="&",
                )
            )
        except (UnicodeError, ValueError):  # not UTF-8, or too many fields
            raise InvalidValue(field="body") from None
    else:
        pairs = list((await request.form()).multi_items())  # undecodable: see problems.py
    if any(not key for key, _ in pairs):  # a part without a name
        raise InvalidValue(field="body")
    values: Form = {}
    for key, value in pairs:
        if key in values:
            held = values[key]
            values[key] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            values[key] = value
    return values


def number_of(raw: object, default: int = 0, *, signed: bool = False) -> int:
    """A number typed into a form or a query: ASCII digits only (``"²".isdigit()`` is true
    but ``int("²")`` fails), at most 10 of them, below 2**31; else ``default``."""
    text = str(raw).strip()
    digits = text[1:] if signed and text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 10):
        return default
    value = int(text)
    return value if -(2**31) < value < 2**31 else default


def text_of(form: Form, key: str, limit: int, default: str = "") -> str:
    return str(form.get(key, default))[:limit]


def upload_of(form: Form, key: str) -> UploadFile | None:
    """The file of a file field, or None when none was chosen."""
    value = form.get(key)
    return value if isinstance(value, UploadFile) and value.filename else None


def csrf_sent(form: Form) -> str:
    return text_of(form, "csrf", CSRF_MAX)


def links_from(text: str) -> tuple[str, ...]:
    """One link a line."""
    return tuple(line.strip()[:URL_MAX] for line in text.splitlines()[:URLS_MAX] if line.strip())


def slots_from(text: str) -> tuple[SlotRequest, ...]:
    """`카테고리: 인원` one a line, as the slot editor sends them."""
    slots = []
    for line in text.splitlines()[:SLOTS_MAX]:
        if ":" in line:
            category, _, count = line.rpartition(":")
            number = number_of(count, signed=True)
            capacity = max(-CAPACITY_BOUND, min(CAPACITY_BOUND, number))
            slots.append(SlotRequest(category.strip(), capacity))
    return tuple(slots)


# The slot editor: rows of a category ``<select>`` and a capacity input, the team's slots and
# a few empty rows, up to one a category (Limits.SLOTS_MAX).
SLOT_ROWS_SPARE = 3


def sent_rows(form: Form) -> list[tuple[str, str]] | None:
    """The editor's rows as sent (``slot_category`` / ``slot_capacity``, one pair a row),
    without the empty ones (no category); None when the form has no rows (the older text
    field ``slots``)."""
    if "slot_category" not in form:
        return None
    raw = form["slot_category"]
    categories = [str(v) for v in (raw if isinstance(raw, list) else [raw])][:SLOTS_MAX]
    raw = form.get("slot_capacity", [])
    capacities = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
    capacities += [""] * (len(categories) - len(capacities))
    return [
        (c[:CATEGORY_MAX], n) for c, n in zip(categories, capacities, strict=False) if c.strip()
    ]


def slot_rows_from(form: Form) -> tuple[SlotRequest, ...]:
    """The slots a team form asks for: its rows, or the older text field."""
    rows = sent_rows(form)
    if rows is None:
        return slots_from(str(form.get("slots", "")))
    bound = CAPACITY_BOUND
    return tuple(SlotRequest(c, max(-bound, min(bound, number_of(n)))) for c, n in rows)


def slot_rows(slots: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The rows the editor shows: these slots and spare empty rows, at most one a category."""
    spare = max(0, min(SLOT_ROWS_SPARE, Limits.SLOTS_MAX - len(slots)))
    return slots + [("", "")] * spare


def slot_rows_of(form: Form) -> list[tuple[str, str]]:
    """The rows a refused form shows again, as they were sent."""
    rows = sent_rows(form)
    if rows is None:
        rows = [(s.category, str(s.capacity)) for s in slots_from(str(form.get("slots", "")))]
    return slot_rows(rows)


# A ``datetime-local`` input sends ``YYYY-MM-DDTHH:MM`` (seconds optional), a wall-clock
# time the pages read in Asia/Seoul.
LOCAL_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
# A deadline the form could not read: never ahead, so the use case refuses it as the API
# refuses one it cannot read (``request.invalid`` on ``recruit_until``).
UNREADABLE_MOMENT = datetime.min.replace(tzinfo=UTC)


def moment_of(text: str) -> datetime | None:
    """A ``datetime-local`` value, KST, as an aware datetime; empty is None (no deadline)."""
    text = text.strip()
    if not text:
        return None
    if not LOCAL_MOMENT.fullmatch(text):
        return UNREADABLE_MOMENT
    try:
        return datetime.fromisoformat(text).replace(tzinfo=KST)
    except ValueError:  # 2026-02-30T25:00
        return UNREADABLE_MOMENT


def local_moment(moment: datetime | None) -> str:
    """The inverse of ``moment_of``: what a ``datetime-local`` input shows for a moment."""
    return moment.astimezone(KST).strftime("%Y-%m-%dT%H:%M") if moment else ""


@dataclass(frozen=True)
class LikeBody:
    like: bool

    @classmethod
    def of(cls, form: Form) -> LikeBody:
        return cls(like=form.get("like") == "1")


@dataclass(frozen=True)
class ApplyBody:
    category: str
    message: str

    @classmethod
    def of(cls, form: Form) -> ApplyBody:
        return cls(text_of(form, "category", CATEGORY_MAX), text_of(form, "message", MESSAGE_MAX))


@dataclass(frozen=True)
class MemberBody:
    """A member chosen in a form (hand over, remove, demo sign-in); 0 when none is."""

    member_id: int

    @classmethod
    def of(cls, form: Form) -> MemberBody:
        return cls(number_of(form.get("member_id", "")))


@dataclass(frozen=True)
class TeamBody:
    """The team form, for a new team and an edit."""

    title: str
    genre: str
    description: str
    slots: tuple[SlotRequest, ...]
    links: tuple[str, ...]
    image: UploadFile | None
    recruit_until: datetime | None
    # The edit form sends the deadline it showed (``recruit_until_was``): left as shown, the
    # edit keeps it, so a deadline already past does not refuse an edit of the rest.
    deadline_kept: bool

    @classmethod
    def of(cls, form: Form) -> TeamBody:
        until = text_of(form, "recruit_until", TEXT_MAX)
        return cls(
            title=text_of(form, "title", TEXT_MAX),
            genre=text_of(form, "genre", GENRE_MAX),
            description=text_of(form, "description", LONG_TEXT_MAX),
            slots=slot_rows_from(form),
            links=links_from(str(form.get("links", ""))),
            image=upload_of(form, "image"),
            recruit_until=moment_of(until),
            deadline_kept="recruit_until_was" in form
            and until == text_of(form, "recruit_until_was", TEXT_MAX),
        )


@dataclass(frozen=True)
class RegistrationBody:
    """The sign-up form: ``step=code`` asks for the e-mail code, anything else registers."""

    asks_code: bool
    name: str
    student_number: str
    position: str
    email: str
    email_code: str

    @classmethod
    def of(cls, form: Form) -> RegistrationBody:
        return cls(
            asks_code=form.get("step") == "code",
            name=text_of(form, "name", TEXT_MAX),
            student_number=text_of(form, "student_number", TEXT_MAX),
            position=text_of(form, "position", TEXT_MAX),
            email=text_of(form, "email", EMAIL_MAX),
            email_code=text_of(form, "email_code", EMAIL_CODE_MAX),
        )


@dataclass(frozen=True)
class ProfileBody:
    """The profile form on "my page"; tech stack comma-separated, links one a line."""

    bio: str
    position: str
    tech_stack: tuple[str, ...]
    links: tuple[str, ...]
    notify_email: bool
    language: str | Unset
    avatar: UploadFile | None

    @classmethod
    def of(cls, form: Form) -> ProfileBody:
        stack = str(form.get("tech_stack", "")).split(",")[:TECH_STACK_MAX]
        return cls(
            bio=text_of(form, "bio", LONG_TEXT_MAX),
            position=text_of(form, "position", TEXT_MAX),
            tech_stack=tuple(t.strip()[:TEXT_MAX] for t in stack if t.strip()),
            links=links_from(str(form.get("links", ""))),
            notify_email=form.get("notify_email") == "on",
            language=text_of(form, "language", LANGUAGE_MAX, "ko") or UNSET,
            avatar=upload_of(form, "avatar"),
        )


@dataclass(frozen=True)
class IdsBody:
    """The ticked rows of an officer's queue, at most a batch of them."""

    ids: tuple[int, ...]

    @classmethod
    def of(cls, form: Form) -> IdsBody:
        raw = form.get("ids", [])
        values = raw if isinstance(raw, list) else [raw]
        ids = tuple(n for n in (number_of(v) for v in values) if n > 0)
        return cls(ids[:MAX_BATCH])


@dataclass(frozen=True)
class RoleBody:
    role: Role

    @classmethod
    def of(cls, form: Form) -> RoleBody:
        return cls(Role.OFFICER if form.get("role") == "officer" else Role.MEMBER)
