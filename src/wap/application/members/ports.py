from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from wap.domain.members import Member


class MemberRepository(Protocol):
    """Members as whole aggregates."""

    @abstractmethod
    async def add(self, member: Member) -> Member:
        """Store a new member and return it with its id."""

    @abstractmethod
    async def get(self, member_id: int) -> Member | None: ...

    @abstractmethod
    async def get_by_github_id(self, github_id: int) -> Member | None: ...

    @abstractmethod
    async def save(self, member: Member) -> None:
        """Write back every field of a member read earlier in this unit of work."""

    @abstractmethod
    async def delete(self, member_id: int) -> None: ...

    @abstractmethod
    async def student_number_owner(self, student_number: str) -> int | None:
        """The id of the member holding this student number, if any."""

    @abstractmethod
    async def count_officers(self) -> int:
        """Approved officers, locking them so two demotions cannot both pass the check."""
