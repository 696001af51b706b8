"""Opaque page cursors: the id of the last item of a page, for "the next page after it"."""

from __future__ import annotations

import base64
import binascii

from wap.domain.errors import InvalidValue


def encode_cursor(team_id: int) -> str:
    return base64.urlsafe_b64encode(f"t{team_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidValue(field="cursor") from None
    digits = raw[1:]
    if not raw.startswith("t") or not (digits.isascii() and digits.isdecimal()) or len(raw) > 12:
        raise InvalidValue(field="cursor")
    return int(raw[1:])
