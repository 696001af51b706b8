"""What the import needs: the old database read-only, our database to write, old images."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Protocol

from wap.application.legacy.plan import ImportPlan
from wap.application.legacy.records import LegacySnapshot


class LegacySourceUnavailable(Exception):
    """The old database cannot be reached or lacks a table the import needs."""


class LegacySource(Protocol):
    @abstractmethod
    async def snapshot(self) -> LegacySnapshot:
        """Every row the import reads, from one consistent, read-only snapshot. Raises
        ``LegacySourceUnavailable``."""


@dataclass(slots=True)
class Present:
    """What our database already holds, by the keys the import preserves or must not clash
    with: member id → GitHub id, team id → case-folded title, and the reverse lookups."""

    members: dict[int, int] = field(default_factory=dict)
    github_ids: dict[int, int] = field(default_factory=dict)
    student_numbers: dict[str, int] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)
    title_keys: dict[str, int] = field(default_factory=dict)
    applications: set[int] = field(default_factory=set)
    officers: set[int] = field(default_factory=set)  # our approved officers' member ids


class LegacyTarget(Protocol):
    """Our database, written in one transaction: ``write`` then ``commit``; anything else
    (an error, a dry run) leaves it as it was."""

    @abstractmethod
    async def present(self) -> Present: ...

    @abstractmethod
    async def write(self, plan: ImportPlan) -> None:
        """Insert every entity of ``plan`` with its id (the old service's id) kept."""

    @abstractmethod
    async def commit(self) -> None: ...

    @abstractmethod
    async def rollback(self) -> None: ...


class LegacyImageUnavailable(Exception):
    """An old image could not be fetched (gone, unreachable, not an image we can read)."""


class LegacyImagesUnreachable(Exception):
    """The place the old images are read from cannot be reached at all (a wrong endpoint, a
    bucket that does not exist): no image could be copied, so the import stops."""


class LegacyImageSource(Protocol):
    """The old service's image files, addressed by their old URL
    (``https://<bucket>.s3.<region>.amazonaws.com/<folder>/image.jpg``)."""

    @abstractmethod
    async def fetch(self, url: str) -> bytes:
        """The file's bytes. Raises ``LegacyImageUnavailable`` for this image (the import goes
        on and keeps its old URL) or ``LegacyImagesUnreachable`` (the import stops)."""
