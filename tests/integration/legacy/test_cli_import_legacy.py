"""`wap import-legacy` as an operator runs it: the report on stdout, the exit code."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.builders import png
from tests.integration.conftest import MYSQL_SERVER
from tests.integration.http.conftest import free_port, serving
from tests.integration.legacy import seed
from tests.integration.media.conftest import Bucket
from tests.integration.test_cli import clean_env
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app

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
    assert [re.sub(r"-[0-9a-f]{16}", "-<random>", name) for name in stored] == [
        "legacy-1-<random>.thumb.webp",
        "legacy-1-<random>.webp",
        "legacy-3-<random>.thumb.webp",
        "legacy-3-<random>.webp",
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


async def test_an_import_copies_images_from_the_old_bucket_with_its_own_credentials(
    old_url: str, tmp_path: Path, bucket: Bucket
) -> None:
    """The old bucket (a bucket of moto's S3 server, the images under a prefix as a copy of
    it would have them) read with the WAP_LEGACY_S3_* settings; our images go to our own
    bucket (WAP_MEDIA_URL), and the pages point at them."""
    old_name = f"wap-old-{secrets.token_hex(4)}"
    bucket.client.create_bucket(Bucket=old_name)
    old_images = {
        f"backup/team/{1:032x}/image.jpg": png(640, 360),
        f"backup/team/{3:032x}/image.jpg": png(500, 500),
        "backup/user/1/image.jpg": png(300, 300),
    }
    for key, body in old_images.items():
        bucket.client.put_object(Bucket=old_name, Key=key, Body=body)
    env = (
        target_env(tmp_path)
        | bucket.env
        | {
            "WAP_LEGACY_S3_ENDPOINT_URL": bucket.endpoint,
            "WAP_LEGACY_S3_REGION": "ap-northeast-2",
            "WAP_LEGACY_S3_ACCESS_KEY_ID": "old-service-reader",
            "WAP_LEGACY_S3_SECRET_ACCESS_KEY": "old-service-secret",
        }
    )
    done = wap(
        "import-legacy",
        "--from",
        old_url,
        "--images",
        "copy",
        "--images-from",
        f"s3://{old_name}/backup",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    # Team 5's folder is not in the bucket: reported, its old URL kept.
    assert f"team_team 5: image {seed.BUCKET}/team/{5:032x}/ not copied" in done.stdout
    ours = bucket.keys()
    pattern = r"(teams/legacy-[13]|avatars/legacy-1)-[0-9a-f]{16}(\.thumb)?\.webp"
    assert len(ours) == 6 and all(re.fullmatch(pattern, key) for key in ours), ours
    assert all(bucket.object(key)["content_type"] == "image/webp" for key in ours)

    settings = Settings.from_env(env)
    async with (
        serving(create_app(settings)) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=10) as client,
    ):
        for team_id in (1, 3):
            team = (await client.get(f"/api/v1/teams/{team_id}")).json()
            url, thumbnail = team["image_url"], team["image_thumbnail_url"]
            assert {url, thumbnail} == {
                f"/media/{key}" for key in ours if key.startswith(f"teams/legacy-{team_id}-")
            }
            page = await client.get(f"/teams/{team_id}")
            assert page.status_code == 200 and f'src="{url}"' in page.text
            for each in (url, thumbnail):
                served = await client.get(each)
                assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
                assert served.content == bucket.object(bucket.key_of(each))["body"]
        member = (await client.get("/api/v1/members/1")).json()
        assert re.fullmatch(r"/media/avatars/legacy-1-[0-9a-f]{16}\.webp", member["avatar_url"])
        page = await client.get("/members/1")
        assert page.status_code == 200
        assert f'src="{member["avatar_thumbnail_url"]}"' in page.text
        assert (await client.get(member["avatar_thumbnail_url"])).status_code == 200
        kept = (await client.get("/api/v1/teams/5")).json()
        assert kept["image_url"] == f"{seed.BUCKET}/team/{5:032x}/image.jpg"


async def test_an_unreachable_old_bucket_stops_the_import_with_nothing_written(
    old_url: str, tmp_path: Path
) -> None:
    env = target_env(tmp_path) | {
        "WAP_LEGACY_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
        "WAP_LEGACY_S3_ACCESS_KEY_ID": "k",
        "WAP_LEGACY_S3_SECRET_ACCESS_KEY": "s",
    }
    args = ["import-legacy", "--from", old_url, "--images", "copy", "--images-from"]
    done = wap(*args, "s3://wap-old", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error: the old images cannot be read" in done.stdout
    assert "nothing was written" in done.stdout
    assert await count_members(tmp_path) == 0
    assert not any((tmp_path / "media").rglob("*.webp"))
    half = wap(*args, "s3://wap-old", env=env | {"WAP_LEGACY_S3_SECRET_ACCESS_KEY": ""})
    assert half.returncode == 2 and "go together" in half.stderr
    bad = wap(*args, "s3://", env=env)
    assert bad.returncode == 2 and "s3://bucket/prefix" in bad.stderr
