"""`wap import-legacy` as an operator runs it: the report on stdout, the exit code."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.builders import png
from tests.integration.conftest import MYSQL_SERVER
from tests.integration.legacy import seed
from tests.integration.test_cli import clean_env

WAP = [sys.executable, "-m", "wap.entrypoints.cli"]


def wap(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WAP, *args], env=env, capture_output=True, text=True, timeout=300)


def target_env(tmp_path: Path) -> dict[str, str]:
    env = clean_env(
        WAP_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'wap.db'}",
        WAP_SECRET_KEY="legacy-test-" + "x" * 40,
        WAP_MEDIA_DIR=str(tmp_path / "media"),
    )
    assert wap("migrate", env=env).returncode == 0
    return env


async def count_members(tmp_path: Path) -> int:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'wap.db'}")
    try:
        async with engine.connect() as connection:
            return int(
                (await connection.execute(text("SELECT COUNT(*) FROM members"))).scalar_one()
            )
    finally:
        await engine.dispose()


async def test_a_dry_run_prints_the_report_exits_0_and_writes_nothing(
    old_url: str, tmp_path: Path
) -> None:
    env = target_env(tmp_path)
    done = wap("import-legacy", "--from", old_url, "--dry-run", env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "dry run: nothing written" in out
    assert f"user_customuser {seed.MALFORMED_MEMBER}: name 'Bad Name 1'" in out
    assert "capacity raised to 2, every member kept" in out
    assert "totals (read / imported / already present / changed / skipped):" in out
    assert "warnings" in out
    assert await count_members(tmp_path) == 0


async def test_an_import_copies_images_from_a_folder_and_a_rerun_finds_everything_present(
    old_url: str, tmp_path: Path
) -> None:
    env = target_env(tmp_path)
    bucket = tmp_path / "old-bucket"
    for team_id in (1, 3):
        folder = bucket / "team" / f"{team_id:032x}"
        folder.mkdir(parents=True)
        (folder / "image.jpg").write_bytes(png(640, 360))
    done = wap(
        "import-legacy",
        "--from",
        old_url,
        "--images",
        "copy",
        "--images-from",
        str(bucket),
        env=env,
    )
    assert done.returncode == 0, done.stderr
    stored = sorted(p.name for p in (tmp_path / "media" / "teams").iterdir())
    assert stored == [
        "legacy-1.thumb.webp",
        "legacy-1.webp",
        "legacy-3.thumb.webp",
        "legacy-3.webp",
    ]
    assert "not copied" in done.stdout and "old URL kept" in done.stdout  # the others
    imported = await count_members(tmp_path)
    assert imported > 150
    again = wap("import-legacy", "--from", old_url, env=env)
    assert again.returncode == 0, again.stderr
    assert await count_members(tmp_path) == imported
    totals = again.stdout.split("totals (")[1].splitlines()
    row = next(line for line in totals if line.strip().startswith("user_customuser "))
    assert row.split()[1:4] == [str(imported + 3), "0", str(imported)]


async def test_an_unreachable_source_or_one_without_the_old_tables_exits_1(
    tmp_path: Path,
) -> None:
    env = target_env(tmp_path)
    gone = wap("import-legacy", "--from", "mysql+aiomysql://root@127.0.0.1:1/oldwap", env=env)
    assert gone.returncode == 1 and "old database" in gone.stderr
    name = f"oldwap_empty_{secrets.token_hex(3)}"
    admin = create_async_engine(MYSQL_SERVER + "/", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f"CREATE DATABASE `{name}`"))
        empty = wap("import-legacy", "--from", f"{MYSQL_SERVER}/{name}", "--dry-run", env=env)
        assert empty.returncode == 1
        assert "missing table(s) user_customuser" in empty.stderr
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        await admin.dispose()
    not_mysql = wap("import-legacy", "--from", "sqlite:///old.db", env=env)
    assert not_mysql.returncode == 2
    assert await count_members(tmp_path) == 0
