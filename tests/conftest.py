from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def service_unreachable(what: str, error: BaseException) -> None:
    """Outside CI a missing local service skips its tests; under CI=true it fails them."""
    message = f"{what} is not reachable: {error!r}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
