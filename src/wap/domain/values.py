"""Value objects shared by members and teams."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from wap.domain.catalog import Limits
from wap.domain.errors import RequestInvalid


def has_control_characters(text: str) -> bool:
    """True when the text holds a control character other than newline and tab (NUL included)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in text)


def is_http_url(raw: str, max_length: int = Limits.LINK_MAX) -> bool:
    if not raw or len(raw) > max_length or any(ch.isspace() for ch in raw):
        return False
    if has_control_characters(raw):
        return False
    try:
        parts = urlsplit(raw)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port_ok


@dataclass(frozen=True, slots=True)
class Links:
    """At most 10 http(s) URLs of at most 200 characters, in the order given, no repeats."""

    items: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.items) > Limits.LINKS_MAX or not all(map(is_http_url, self.items)):
            raise RequestInvalid(field="links")

    @classmethod
    def of(cls, raw: list[str] | tuple[str, ...]) -> Links:
        return cls(tuple(dict.fromkeys(item.strip() for item in raw)))
