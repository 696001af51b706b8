from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from wap.domain.members import Member, MemberStatus, NewMember


class SearchField(StrEnum):
    NAME = "name"
    STUDENT_NUMBER = "student_number"
    POSITION = "position"


@dataclass(frozen=True, slots=True)
class MemberQuery:
    status: MemberStatus | None = None
    text: str | None = None
    field: SearchField = SearchField.NAME
    page: int = 1
    page_size: int = 20


class MemberRepository(Protocol):
    """Members as whole aggregates."""

    @abstractmethod
    async def add(self, member: NewMember) -> Member:
        """Store a new member and return it with its id."""

    @abstractmethod
    async def get_or_add(self, member: NewMember) -> tuple[Member, bool]:
        """The member with this GitHub id, stored now if there was none (``True`` then).

        Safe when two first sign-ins of one person race: both get the same member."""

    @abstractmethod
    async def get(self, member_id: int) -> Member | None: ...

    @abstractmethod
    async def get_by_login(self, github_login: str) -> Member | None:
        """The member with this GitHub login (case-insensitive), the newest if several."""

    @abstractmethod
    async def get_for_update(self, member_id: int) -> Member | None:
        """Read a member and hold the row until the unit of work ends (every write path)."""

    @abstractmethod
    async def get_by_github_id(self, github_id: int) -> Member | None: ...

    @abstractmethod
    async def save(self, member: Member) -> None:
        """Write back every field of a member read earlier in this unit of work.

        Raises ``StudentNumberTaken`` when another member holds the student number."""

    @abstractmethod
    async def delete(self, member_id: int) -> None: ...

    @abstractmethod
    async def student_number_owner(self, student_number: str) -> int | None:
        """The id of the member holding this student number, if any."""

    @abstractmethod
    async def search(self, query: MemberQuery) -> tuple[list[Member], int]:
        """A page of members matching the query, oldest first, and how many match in all."""

    @abstractmethod
    async def officer_ids(self) -> list[int]:
        """Approved officers: who hears of sign-ups and teams waiting for approval."""

    @abstractmethod
    async def count_officers(self) -> int:
        """Approved officers, locking them so two demotions cannot both pass the check."""
