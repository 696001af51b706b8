"""Officer batches: one runner for every decision an officer takes over a list of ids."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Generic, TypeVar

import msgspec

from wap.application.admin.ports import AuditLog
from wap.application.ports import Clock, UnitOfWork
from wap.domain.audit import AuditAction, officer_action
from wap.domain.errors import InvalidValue, WapError
from wap.domain.members import Actor, Member
from wap.domain.teams import Team

MAX_BATCH = 100


class Skipped(msgspec.Struct, frozen=True):
    id: int
    code: str


class BatchResult(msgspec.Struct, frozen=True):
    done: list[int]
    skipped: list[Skipped]


@dataclass(frozen=True, slots=True)
class Batch:
    actor: Actor
    ids: tuple[int, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.ids) <= MAX_BATCH:
            raise InvalidValue(field="ids")


@dataclass(frozen=True, slots=True)
class Decided:
    """An id the domain let through: the action the audit log records, and the writes that
    carry it out (run by the batch only once the id is decided)."""

    action: AuditAction
    write: Callable[[], Awaitable[None]]


Target = TypeVar("Target", bound=Member | Team)


class OfficerBatch(ABC, Generic[Target]):
    """Runs one officer decision per id, the same way for every batch:

    - one lock order: distinct ids ascending, each after ``_before_locking`` (what must be
      locked before the row), so two officers' batches cannot deadlock;
    - a refusal is a skip with its code: a ``WapError`` while an id is looked up or decided;
    - nothing half-done by construction: ``_decide`` only checks and writes nothing; it
      returns the writes, which run once the id is decided (an error in them fails the whole
      batch, uncommitted), followed by the audit entry;
    - one commit for the whole batch.
    """

    missing: ClassVar[type[WapError]]  # the code of an id that names nothing
    _audit: AuditLog
    _uow: UnitOfWork
    _clock: Clock

    async def __call__(self, batch: Batch) -> BatchResult:
        batch.actor.ensure_officer()
        await self._begin()
        done: list[int] = []
        skipped: list[Skipped] = []
        now = self._clock.now()
        for target_id in sorted(set(batch.ids)):
            await self._before_locking(target_id)
            target = await self._lock(target_id)
            try:
                if target is None:
                    raise self.missing()
                decided = await self._decide(target_id, target, batch.actor, now)
            except WapError as refused:
                skipped.append(Skipped(target_id, refused.code))
                continue
            entry = officer_action(batch.actor.member_id, decided.action, target, now)
            await decided.write()
            await self._audit.add(entry)
            done.append(target_id)
        await self._uow.commit()
        await self._after_commit()
        return BatchResult(done, skipped)

    async def _begin(self) -> None:
        """Read what the whole batch decides against (see ExpelMembers)."""

    async def _after_commit(self) -> None:
        """Tidy what the committed batch left unreferenced (the images of deleted rows)."""

    async def _before_locking(self, target_id: int) -> None:
        """Take whatever must be locked before the target's row (see ExpelMembers)."""

    @abstractmethod
    async def _lock(self, target_id: int) -> Target | None:
        """The target, read and held until the batch commits."""

    @abstractmethod
    async def _decide(self, target_id: int, target: Target, actor: Actor, now: datetime) -> Decided:
        """Apply the domain's rule (raising its error to skip); write nothing."""
