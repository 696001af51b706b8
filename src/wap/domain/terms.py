"""Semesters. ``YYYY-1`` runs March–August, ``YYYY-2`` September–February (Asia/Seoul)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from wap.domain.errors import InvalidValue

KST = ZoneInfo("Asia/Seoul")
_TERM = re.compile(r"(\d{4})-([12])")


@dataclass(frozen=True, slots=True, order=True)
class Term:
    year: int
    half: int

    def __post_init__(self) -> None:
        if not (2000 <= self.year <= 9999 and self.half in (1, 2)):
            raise InvalidValue(field="term")

    @classmethod
    def parse(cls, raw: str) -> Term:
        match = _TERM.fullmatch(raw.strip())
        if match is None:
            raise InvalidValue(field="term")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def at(cls, moment: datetime) -> Term:
        """The term a moment belongs to, on the calendar of Asia/Seoul."""
        local = moment.astimezone(KST)
        if 3 <= local.month <= 8:
            return cls(local.year, 1)
        if local.month >= 9:
            return cls(local.year, 2)
        return cls(local.year - 1, 2)

    def __str__(self) -> str:
        return f"{self.year}-{self.half}"
