"""A process of `wap serve` freezes what its start-up built (entrypoints/heap.py), and the
apps that tests make with ``create_app`` leave the collector as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from wap.entrypoints.config import Settings
from wap.entrypoints.heap import YOUNG_THRESHOLD, settle_heap
from wap.entrypoints.http.app import app_from_env, create_app


@pytest.fixture
def collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.fixture
def embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "WAP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'wap.db'}",
        "WAP_SECRET_KEY": "k" * 40,
        "WAP_MEDIA_DIR": str(tmp_path / "media"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WAP_REDIS_URL", raising=False)
    return env


def test_settling_freezes_what_exists_and_leaves_the_rest_to_the_collector(
    collector: None,
) -> None:
    settle_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # this test process's modules, at the least
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    made_after: list[list[int]] = [[] for _ in range(1_000)]  # new objects stay collectable
    assert gc.get_freeze_count() == frozen
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1  # a cycle made after the freeze is still found
    assert len(made_after) == 1_000


async def test_the_served_app_settles_its_heap_once_started(
    collector: None, embedded: dict[str, str]
) -> None:
    app = app_from_env()
    assert gc.get_freeze_count() == 0  # built, not started
    async with AsyncTestClient(app) as client:
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert (await client.get("/healthz")).status_code == 200


async def test_an_app_made_by_create_app_freezes_nothing(
    collector: None, embedded: dict[str, str]
) -> None:
    threshold = gc.get_threshold()
    async with AsyncTestClient(create_app(Settings.from_env())) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == threshold
