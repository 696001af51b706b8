"""Request bodies shared by the routes, bounded so no field is unboundedly large."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar.datastructures import UploadFile
from msgspec import UNSET, Meta, UnsetType

from wap.application import patch

# The limits, shared with the web pages' form bodies (entrypoints/web/bodies.py).
TEXT_MAX = 100
LONG_TEXT_MAX = 5000
URL_MAX = 500
URLS_MAX = 20
SLOTS_MAX = 40
CAPACITY_BOUND = 1000  # a capacity change lies within ±CAPACITY_BOUND
TECH_STACK_MAX = 100
LANGUAGE_MAX = 5
MESSAGE_MAX = 1000
EMAIL_MAX = 254
EMAIL_CODE_MAX = 32

Text = Annotated[str, Meta(max_length=TEXT_MAX)]
LongText = Annotated[str, Meta(max_length=LONG_TEXT_MAX)]
Url = Annotated[str, Meta(max_length=URL_MAX)]
UrlList = Annotated[list[Url], Meta(max_length=URLS_MAX)]
Moment = Annotated[datetime, Meta(tz=True)]  # a deadline without a zone would be a guess


def unpatched(value: Any) -> Any:
    """msgspec's UNSET (field left out) → the application's."""
    return patch.UNSET if value is UNSET else value


class SlotBody(msgspec.Struct, forbid_unknown_fields=True):
    category: Text
    capacity: Annotated[int, Meta(ge=-CAPACITY_BOUND, le=CAPACITY_BOUND)]


SlotList = Annotated[list[SlotBody], Meta(max_length=SLOTS_MAX)]


class NewTeamBody(msgspec.Struct, forbid_unknown_fields=True):
    title: Text
    genre: Text
    description: LongText
    slots: SlotList
    links: UrlList = msgspec.field(default_factory=list)
    recruit_until: Moment | None = None


class TeamPatchBody(msgspec.Struct, forbid_unknown_fields=True):
    title: Text | UnsetType = UNSET
    genre: Text | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    links: UrlList | UnsetType = UNSET
    slots: SlotList | UnsetType = UNSET
    recruit_until: Moment | UnsetType | None = UNSET


class ProfilePatchBody(msgspec.Struct, forbid_unknown_fields=True):
    bio: LongText | UnsetType = UNSET
    position: Text | UnsetType = UNSET
    tech_stack: Annotated[list[Text], Meta(max_length=TECH_STACK_MAX)] | UnsetType = UNSET
    links: UrlList | UnsetType = UNSET
    notify_email: bool | UnsetType = UNSET
    language: Annotated[str, Meta(max_length=LANGUAGE_MAX)] | UnsetType = UNSET


class ApplyBody(msgspec.Struct, forbid_unknown_fields=True):
    category: Text
    message: Annotated[str, Meta(max_length=MESSAGE_MAX)] | None = None


class HeirBody(msgspec.Struct, forbid_unknown_fields=True):
    member_id: Annotated[int, Meta(ge=1, le=2_147_483_647)]


@dataclass
class ImageForm:
    image: UploadFile
