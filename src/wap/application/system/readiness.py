from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

import msgspec


class DependencyProbe(Protocol):
    """Something the service needs to answer requests: the database, Redis."""

    name: str

    @abstractmethod
    async def ping(self) -> bool:
        """True when it answers. Never raises."""


class Readiness(msgspec.Struct, frozen=True):
    ready: bool
    checks: dict[str, bool]


class CheckReadiness:
    def __init__(self, probes: Sequence[DependencyProbe]) -> None:
        self._probes = probes

    async def __call__(self) -> Readiness:
        checks = {probe.name: await probe.ping() for probe in self._probes}
        return Readiness(ready=all(checks.values()), checks=checks)
