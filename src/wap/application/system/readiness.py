from __future__ import annotations

from collections.abc import Sequence

import msgspec

from wap.application.system.ports import DependencyProbe


class Readiness(msgspec.Struct, frozen=True):
    ready: bool
    checks: dict[str, bool]


class CheckReadiness:
    def __init__(self, probes: Sequence[DependencyProbe]) -> None:
        self._probes = probes

    async def __call__(self) -> Readiness:
        checks = {probe.name: await probe.ping() for probe in self._probes}
        return Readiness(ready=all(checks.values()), checks=checks)
