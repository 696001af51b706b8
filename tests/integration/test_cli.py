"""The ``wap`` command as a person runs it: real processes, real ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.integration.http.conftest import free_port
from wap.adapters.sql.engine import create_engine

WAP = [sys.executable, "-m", "wap.entrypoints.cli"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")}
    return env | extra


def test_serve_on_the_embedded_default_answers_from_a_fresh_directory(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*WAP, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"wap serve did not come up: {process.communicate()[0]}")
            time.sleep(0.2)
        assert httpx.get(f"{base}/readyz").json()["ready"] is True
        catalog = httpx.get(f"{base}/api/v1/catalog")
        assert catalog.status_code == 200 and len(catalog.json()["categories"]) == 18
        assert httpx.get(f"{base}/schema/swagger").status_code == 200
        assert (tmp_path / "wap.db").exists(), "the embedded default migrates by itself"
        assert (tmp_path / ".wap-secret").exists()
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_migrate_creates_the_schema_on_mariadb_and_a_second_run_is_a_no_op(
    mysql_url: str,
) -> None:
    server, _ = mysql_url.rsplit("/", 1)
    name = f"wap_cli_{os.getpid()}"
    admin = create_engine(server + "/")
    async with admin.begin() as connection:
        await connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        await connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    try:
        env = clean_env(WAP_DATABASE_URL=f"{server}/{name}")
        for _ in range(2):
            done = subprocess.run(  # noqa: ASYNC221 - the test waits for the command, as a person would
                [*WAP, "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
            )
            assert done.returncode == 0, done.stderr
            assert "newest schema" in done.stdout
        async with admin.connect() as connection:
            tables = {
                row[0]
                for row in await connection.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = :name"
                    ),
                    {"name": name},
                )
            }
            version = (
                await connection.execute(text(f"SELECT version_num FROM `{name}`.alembic_version"))
            ).all()
        assert {"members", "teams", "team_slots", "applications", "likes"} <= tables
        assert version == [("0004",)]
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        await admin.dispose()


def test_a_bad_setting_stops_the_command_with_a_clear_message() -> None:
    done = subprocess.run(
        [*WAP, "migrate"],
        env=clean_env(WAP_DATABASE_URL="postgresql://x/y"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "WAP_DATABASE_URL" in done.stderr and "Traceback" not in done.stderr


def test_serve_never_deletes_files_in_the_metrics_folder_that_are_not_metrics(
    tmp_path: Path,
) -> None:
    """WAP_METRICS_DIR pointed at the folder of the embedded database: the start stops and
    names the file, and the database is still whole (it was deleted before)."""
    (tmp_path / "counter_4242.db").write_bytes(b"an earlier run's counts")
    done = subprocess.run(
        [*WAP, "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=clean_env(WAP_METRICS_TOKEN="t" * 20, WAP_METRICS_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "WAP_METRICS_DIR" in done.stderr and "wap.db" in done.stderr
    assert (tmp_path / "wap.db").stat().st_size > 0
    assert (tmp_path / "counter_4242.db").exists()  # nothing is deleted when the start stops


def test_serve_clears_an_earlier_runs_metric_files(tmp_path: Path) -> None:
    from wap.entrypoints.cli import empty_metrics_dir

    folder = tmp_path / "metrics"
    folder.mkdir()
    for name in ("counter_1.db", "gauge_livesum_2.db", "histogram_3.db", "summary_4.db"):
        (folder / name).write_bytes(b"x")
    (folder / "notes.txt").write_text("kept")
    empty_metrics_dir(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
