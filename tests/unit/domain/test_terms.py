from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wap.domain.errors import InvalidValue
from wap.domain.terms import KST, Term


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 3, 1, 0, 0, tzinfo=KST), "2026-1"),
        (datetime(2026, 8, 31, 23, 59, tzinfo=KST), "2026-1"),
        (datetime(2026, 9, 1, 0, 0, tzinfo=KST), "2026-2"),
        (datetime(2026, 12, 31, 23, 59, tzinfo=KST), "2026-2"),
        (datetime(2027, 1, 15, tzinfo=KST), "2026-2"),
        (datetime(2027, 2, 28, 23, 59, tzinfo=KST), "2026-2"),
    ],
)
def test_terms_follow_the_korean_calendar(local: datetime, expected: str) -> None:
    assert str(Term.at(local)) == expected


def test_the_term_turns_at_midnight_in_seoul_not_in_utc() -> None:
    # 2026-08-31 15:00 UTC is already 1 September in Seoul.
    assert str(Term.at(datetime(2026, 8, 31, 15, 0, tzinfo=UTC))) == "2026-2"
    assert str(Term.at(datetime(2026, 8, 31, 14, 59, tzinfo=UTC))) == "2026-1"


@given(st.integers(2000, 9999), st.sampled_from([1, 2]))
def test_parse_and_print_round_trip(year: int, half: int) -> None:
    assert Term.parse(str(Term(year, half))) == Term(year, half)


@pytest.mark.parametrize("raw", ["2026", "2026-3", "26-1", "2026-01", "abcd-1", ""])
def test_malformed_terms_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue):
        Term.parse(raw)
