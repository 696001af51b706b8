"""The one rule for single-line fields and the one for multi-line text, over every field."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wap.domain.applications import Message
from wap.domain.errors import (
    CategoryInvalid,
    DescriptionInvalid,
    GenreInvalid,
    InvalidValue,
    NameInvalid,
    PositionInvalid,
    TitleInvalid,
    WapError,
)
from wap.domain.members import Bio, Name, TechStack, parse_position
from wap.domain.teams import Description, Title, parse_category, parse_genre
from wap.domain.values import Links, is_clean_text, is_one_line, one_line, trimmed

BIDI = [chr(c) for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069)]
C0 = [chr(c) for c in range(0x20)]  # NUL, tab, LF, CR, ESC, …
OTHER_CONTROLS = ["\x7f", "\x85", "\x9b", "\u2028", "\u2029"]
INVISIBLE = ["\u200b", "\u200e", "\u200f", "\u061c", "\u2060", "\ufeff", "\u00ad"]
NEVER_ON_ONE_LINE = C0 + OTHER_CONTROLS + BIDI + INVISIBLE
NEVER_IN_TEXT = [ch for ch in C0 + OTHER_CONTROLS + BIDI if ch not in "\n\r\t\u2028\u2029"]

# Each single-line field with a valid value, where a bad character goes, and its SPEC code.
ONE_LINE_FIELDS: list[tuple[str, Callable[[str], object], str, type[WapError]]] = [
    ("title", lambda bad: Title.of(f"Team{bad}X"), "team.title_invalid", TitleInvalid),
    ("name", lambda bad: Name.of(f"홍길{bad}동"), "member.name_invalid", NameInvalid),
    ("message", lambda bad: Message.of(f"hello{bad}there"), "request.invalid", InvalidValue),
    ("tech_stack", lambda bad: TechStack.of([f"Py{bad}thon"]), "request.invalid", InvalidValue),
    ("links", lambda bad: Links.of([f"https://a.b/{bad}x"]), "request.invalid", InvalidValue),
    ("genre", lambda bad: parse_genre(f"웹{bad}"), "team.genre_invalid", GenreInvalid),
    ("category", lambda bad: parse_category(f"웹{bad}"), "team.category_invalid", CategoryInvalid),
    (
        "position",
        lambda bad: parse_position(f"AI{bad}"),
        "member.position_invalid",
        PositionInvalid,
    ),
]
TEXT_FIELDS: list[tuple[str, Callable[[str], object], type[WapError]]] = [
    ("description", lambda text: Description(text), DescriptionInvalid),
    ("bio", lambda text: Bio(text), InvalidValue),
]


@given(st.text())
def test_one_line_means_no_control_separator_or_bidi_character(text: str) -> None:
    expected = not any(
        unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in BIDI + INVISIBLE for ch in text
    )
    assert is_one_line(text) is expected
    if is_one_line(text):
        assert "\n" not in text and "\r" not in text and "\x00" not in text
        assert not set(text) & set(BIDI)


@given(st.text())
def test_clean_text_keeps_line_breaks_and_tabs_only(text: str) -> None:
    expected = not any(
        (unicodedata.category(ch) == "Cc" and ch not in "\n\r\t") or ch in BIDI for ch in text
    )
    assert is_clean_text(text) is expected
    assert is_clean_text(text + "\n\r\n\t" + text) is is_clean_text(text)


@given(st.text())
def test_one_line_makes_anything_a_safe_line(text: str) -> None:
    assert is_one_line(one_line(text))


@given(st.text(alphabet=st.sampled_from([" ", "\u3000", "\n", "\x00", "a", "\u202e"])))
def test_trimming_keeps_the_controls_for_the_rule_to_see(text: str) -> None:
    assert is_one_line(trimmed(text)) is is_one_line(text.strip(" \u3000"))


@pytest.mark.parametrize(("field", "make", "code", "error"), ONE_LINE_FIELDS)
@given(bad=st.sampled_from(NEVER_ON_ONE_LINE))
def test_every_single_line_field_refuses_controls_with_its_code(
    field: str, make: Callable[[str], object], code: str, error: type[WapError], bad: str
) -> None:
    make("")  # the value is valid without the bad character
    with pytest.raises(error) as refused:
        make(bad)
    assert refused.value.code == code
    assert [p.field for p in refused.value.problems] == [field]


@pytest.mark.parametrize("bad", ["\n", "\r\n", "\u202e", "\u2066"])
def test_a_trailing_line_break_or_bidi_control_is_refused_not_trimmed(bad: str) -> None:
    with pytest.raises(TitleInvalid):
        Title.of("Team" + bad)
    with pytest.raises(InvalidValue):
        Message.of(bad + "hello")


@pytest.mark.parametrize(("field", "make", "error"), TEXT_FIELDS)
@given(bad=st.sampled_from(NEVER_IN_TEXT))
def test_multi_line_text_keeps_newlines_and_refuses_other_controls(
    field: str, make: Callable[[str], object], error: type[WapError], bad: str
) -> None:
    make("첫 줄\r\n둘째 줄\n\t들여쓴 줄")
    with pytest.raises(error):
        make(f"첫 줄{bad}둘째 줄")


def test_invisible_characters_make_no_look_alike_titles_but_joiners_stay() -> None:
    with pytest.raises(TitleInvalid):
        Title.of("W\u200bAP")
    assert Title.of("가족 👨\u200d👩\u200d👧").value  # an emoji's zero-width joiners
    assert is_clean_text("소개\u200b글")  # multi-line text keeps them (no look-alike keys)
