"""The old service's database on the local MariaDB, built once per session (seed.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import service_unreachable
from tests.integration.conftest import MYSQL_SERVER
from tests.integration.http.conftest import api  # noqa: F401  (the real app over HTTP)
from tests.integration.legacy.seed import old_database
from tests.integration.media.conftest import bucket, s3_endpoint  # noqa: F401  (moto's S3)


@pytest.fixture(scope="session")
async def old_url() -> AsyncIterator[str]:
    try:
        context = old_database(MYSQL_SERVER)
        url = await context.__aenter__()
    except Exception as error:
        service_unreachable(f"MariaDB at {MYSQL_SERVER}", error)
        raise
    try:
        yield url
    finally:
        await context.__aexit__(None, None, None)
