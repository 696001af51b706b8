"""PATCH semantics: a field left out is left alone; ``None`` may mean "clear it"."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


def given(value: T | Unset, parse: Callable[[T], R]) -> R | None:
    """``parse(value)`` for a field the request carries, ``None`` for one it left out."""
    return None if isinstance(value, Unset) else parse(value)
