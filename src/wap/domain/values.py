"""Value objects shared by members and teams."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from typing import Any, TypeVar
from urllib.parse import urlsplit

from wap.domain.catalog import Limits
from wap.domain.errors import InvalidValue

V = TypeVar("V")


def restored(cls: type[V], *values: Any) -> V:
    """A value object as it was stored, not re-checked against today's rules: a row written
    under older rules (a title with a line break) still loads, and is checked again when it
    is next edited. Only adapters reading their own storage use this."""
    instance = object.__new__(cls)
    for field, value in zip(fields(cls), values, strict=True):  # type: ignore[arg-type]
        object.__setattr__(instance, field.name, value)
    return instance


# Bidi embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they reorder the
# text around them, so "txt.exe" can be shown as "exe.txt" (CVE-2021-42574, "Trojan Source").
BIDI_CONTROLS = frozenset(map(chr, (*range(0x202A, 0x202F), *range(0x2066, 0x206A))))
# Characters that show as nothing (zero-width space, word joiner, BOM, soft hyphen) or only
# steer direction (LRM, RLM, ALM): on one line they make look-alikes ("WAP" and "W\u200bAP"
# are two titles that read the same). Joiners (ZWJ, ZWNJ) stay: emoji and scripts need them.
INVISIBLE = frozenset("\u200b\u200e\u200f\u061c\u2060\ufeff\u00ad")
NOT_ON_ONE_LINE = BIDI_CONTROLS | INVISIBLE
LINE_BREAKS = "\n\r"  # with tabs, what multi-line text may hold of the control characters
TEXT_CONTROLS_ALLOWED = "\n\r\t"


def has_control_characters(text: str) -> bool:
    """True when the text holds a control character other than newline and tab (NUL included)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in text)


def is_one_line(text: str) -> bool:
    """The rule for every single-line field (titles, names, messages, categories, tech-stack
    items, links, genre and position values): no control character at all (C0 with tab, CR,
    LF and NUL; DEL; C1), no line or paragraph separator (U+2028, U+2029), no bidi control,
    no invisible character."""
    return not any(
        unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in NOT_ON_ONE_LINE for ch in text
    )


def is_clean_text(text: str) -> bool:
    """The rule for multi-line text (descriptions, bios): line breaks and tabs are kept; any
    other control character and the bidi controls are refused."""
    return not any(
        (unicodedata.category(ch) == "Cc" and ch not in TEXT_CONTROLS_ALLOWED)
        or ch in BIDI_CONTROLS
        for ch in text
    )


def trimmed(raw: str) -> str:
    """Leading and trailing spaces removed, but not line breaks or other controls: those
    stay for the field's rule to refuse (``"Title\\n"`` is refused, not quietly fixed)."""
    start, end = 0, len(raw)
    while start < end and raw[start].isspace() and is_one_line(raw[start]):
        start += 1
    while end > start and raw[end - 1].isspace() and is_one_line(raw[end - 1]):
        end -= 1
    return raw[start:end]


def one_line(text: str) -> str:
    """``text`` made safe for one line (an e-mail subject, a log line) whatever it holds,
    for rows stored before the rule: line breaks and other controls become a space, bidi
    controls and invisible characters are dropped."""
    kept = (
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
        if ch not in NOT_ON_ONE_LINE
    )
    return " ".join(word for word in "".join(kept).split(" ") if word)


def is_http_url(raw: str, max_length: int = Limits.LINK_MAX) -> bool:
    if not raw or len(raw) > max_length or any(ch.isspace() for ch in raw):
        return False
    if not is_one_line(raw):
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
            raise InvalidValue(field="links")

    @classmethod
    def of(cls, raw: list[str] | tuple[str, ...]) -> Links:
        return cls(tuple(dict.fromkeys(trimmed(item) for item in raw)))
