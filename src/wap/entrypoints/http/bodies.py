"""Request bodies shared by the routes, bounded so no field is unboundedly large."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar.datastructures import UploadFile
from msgspec import UNSET, Meta, UnsetType

from wap.application import patch

Text = Annotated[str, Meta(max_length=100)]
LongText = Annotated[str, Meta(max_length=5000)]
Url = Annotated[str, Meta(max_length=500)]
UrlList = Annotated[list[Url], Meta(max_length=20)]
Moment = Annotated[datetime, Meta(tz=True)]  # a deadline without a zone would be a guess


def unpatched(value: Any) -> Any:
    """msgspec's UNSET (field left out) → the application's."""
    return patch.UNSET if value is UNSET else value


class SlotBody(msgspec.Struct, forbid_unknown_fields=True):
    category: Text
    capacity: Annotated[int, Meta(ge=-1000, le=1000)]


SlotList = Annotated[list[SlotBody], Meta(max_length=40)]


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
    tech_stack: Annotated[list[Text], Meta(max_length=100)] | UnsetType = UNSET
    links: UrlList | UnsetType = UNSET
    notify_email: bool | UnsetType = UNSET
    language: Annotated[str, Meta(max_length=5)] | UnsetType = UNSET


class ApplyBody(msgspec.Struct, forbid_unknown_fields=True):
    category: Text
    message: Annotated[str, Meta(max_length=1000)] | None = None


class HeirBody(msgspec.Struct, forbid_unknown_fields=True):
    member_id: Annotated[int, Meta(ge=1, le=2_147_483_647)]


@dataclass
class ImageForm:
    image: UploadFile
