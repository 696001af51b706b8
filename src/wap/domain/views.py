"""Who counts as a viewer, and which day a view belongs to (Asia/Seoul)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from wap.domain.terms import KST


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in member, or else the client's IP address."""

    key: str

    @classmethod
    def member(cls, member_id: int) -> Viewer:
        return cls(f"m:{member_id}")

    @classmethod
    def address(cls, ip: str) -> Viewer:
        return cls(f"ip:{ip}")


def view_day(moment: datetime) -> date:
    """The calendar day in Seoul: the window of "once per viewer per day"."""
    return moment.astimezone(KST).date()


def day_ends(day: date) -> datetime:
    """00:00 KST after ``day``: when its window closes."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=KST)
