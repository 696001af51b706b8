from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def inserted_id(result: Result[Any]) -> int:
    key = cast(CursorResult[Any], result).inserted_primary_key
    if key is None:
        raise RuntimeError("the statement inserted no row")
    return int(key[0])


def affected(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (MySQL reports matched rows, as SQLite does)."""
    return int(cast(CursorResult[Any], result).rowcount)


def contains(text: str) -> str:
    """A LIKE pattern (escape character backslash) matching ``text`` anywhere, literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
