"""The import use case with fakes: one transaction, reruns change nothing, dry runs write
nothing, a clash with rows of ours stops it, and ``--images copy`` stores our own images."""

from __future__ import annotations

import copy
from pathlib import Path

import httpx
import pytest

from tests.builders import png
from tests.unit.application.test_legacy_mapping import BUCKET, club, old_member, old_team
from wap.adapters.legacy.images import FolderLegacyImages, HttpLegacyImages
from wap.adapters.legacy.source import MySqlLegacySource
from wap.adapters.media.images import FileImageStore, PillowImageProcessor
from wap.application.legacy.import_legacy import (
    ImageCopier,
    ImageMode,
    ImportLegacy,
    ImportLegacyCommand,
    LegacyImportFailed,
)
from wap.application.legacy.plan import ImportPlan
from wap.application.legacy.ports import (
    LegacyImageUnavailable,
    LegacySource,
    LegacySourceUnavailable,
    LegacyTarget,
    Present,
)
from wap.application.legacy.records import LegacySnapshot


class FakeSource(LegacySource):
    def __init__(self, snapshot: LegacySnapshot) -> None:
        self.old = snapshot

    async def snapshot(self) -> LegacySnapshot:
        return copy.deepcopy(self.old)


class InMemoryTarget(LegacyTarget):
    """Our database as dicts: ``write`` stages, ``commit`` makes it true."""

    def __init__(self, fail_on_write: bool = False) -> None:
        self.members: dict[int, object] = {}
        self.teams: dict[int, object] = {}
        self.applications: dict[int, object] = {}
        self.rows: list[object] = []
        self.staged: ImportPlan | None = None
        self.commits = 0
        self.fail_on_write = fail_on_write

    async def present(self) -> Present:
        found = Present()
        for id_, member in self.members.items():
            found.members[id_] = member.github_id  # type: ignore[attr-defined]
            found.github_ids[member.github_id] = id_  # type: ignore[attr-defined]
        for id_, team in self.teams.items():
            found.teams[id_] = team.title.key  # type: ignore[attr-defined]
            found.title_keys[team.title.key] = id_  # type: ignore[attr-defined]
        found.applications = set(self.applications)
        return found

    async def write(self, plan: ImportPlan) -> None:
        if self.fail_on_write:
            raise RuntimeError("the disk is full")
        self.staged = plan

    async def commit(self) -> None:
        assert self.staged is not None
        self.members |= {m.id: m for m in self.staged.members}
        self.teams |= {t.id: t for t in self.staged.teams}
        self.applications |= {a.id: a for a in self.staged.applications}
        self.rows += [*self.staged.team_members, *self.staged.likes]
        self.staged, self.commits = None, self.commits + 1

    async def rollback(self) -> None:
        self.staged = None

    def dump(self) -> tuple[object, ...]:
        return tuple(map(repr, (self.members, self.teams, self.applications, self.rows)))


async def test_an_import_writes_once_and_a_rerun_adds_nothing() -> None:
    target = InMemoryTarget()
    use_case = ImportLegacy(FakeSource(club()), target)
    first = await use_case(ImportLegacyCommand())
    assert set(target.members) == {1, 2, 3} and set(target.teams) == {10}
    assert first.totals["user_customuser"].imported == 3
    before = target.dump()
    second = await use_case(ImportLegacyCommand())
    assert target.dump() == before
    assert second.totals["user_customuser"].present == 3
    assert second.totals["team_team"].present == 1
    assert second.warnings == first.warnings


async def test_a_dry_run_reports_and_writes_nothing() -> None:
    target = InMemoryTarget()
    report = await ImportLegacy(FakeSource(club()), target)(ImportLegacyCommand(dry_run=True))
    assert target.members == {} and target.commits == 0
    text = report.render(dry_run=True)
    assert "dry run" in text and "user_customuser" in text


async def test_rows_of_ours_that_are_not_an_earlier_import_stop_it_before_any_write() -> None:
    target = InMemoryTarget()
    await ImportLegacy(FakeSource(club()), target)(ImportLegacyCommand())
    other = club()
    other.members[1] = old_member(2, social_id=5555)  # our member 2 has GitHub id 1002
    with pytest.raises(LegacyImportFailed) as failed:
        await ImportLegacy(FakeSource(other), target)(ImportLegacyCommand())
    assert "GitHub id" in str(failed.value.report.error)
    assert target.staged is None and target.commits == 1


async def test_a_failed_write_rolls_back_and_says_nothing_was_written() -> None:
    target = InMemoryTarget(fail_on_write=True)
    with pytest.raises(LegacyImportFailed) as failed:
        await ImportLegacy(FakeSource(club()), target)(ImportLegacyCommand())
    assert target.members == {} and target.staged is None
    assert "nothing was written" in failed.value.report.render(dry_run=False)


async def test_copy_stores_our_own_images_and_a_missing_one_keeps_its_old_url(
    tmp_path: Path,
) -> None:
    old_bucket = tmp_path / "bucket"
    (old_bucket / "team" / "10").mkdir(parents=True)
    (old_bucket / "team" / "10" / "image.jpg").write_bytes(png(800, 600))
    snapshot = club(teams=[old_team(10, 1, image=f"{BUCKET}/team/10/")])
    snapshot.members[1] = old_member(2, image=f"{BUCKET}/user/2/")  # not in the folder
    copier = ImageCopier(
        FolderLegacyImages(old_bucket),
        PillowImageProcessor(),
        FileImageStore(tmp_path / "media"),
        5 * 1024 * 1024,
    )
    target = InMemoryTarget()
    report = await ImportLegacy(FakeSource(snapshot), target, copier)(
        ImportLegacyCommand(images=ImageMode.COPY)
    )
    team = target.teams[10]
    assert team.image_url == "/media/teams/legacy-10.webp"  # type: ignore[attr-defined]
    assert team.image_thumbnail_url == "/media/teams/legacy-10.thumb.webp"  # type: ignore[attr-defined]
    assert (tmp_path / "media" / "teams" / "legacy-10.thumb.webp").exists()
    member = target.members[2]
    assert member.avatar_url == f"{BUCKET}/user/2/image.jpg"  # type: ignore[attr-defined]
    assert any(
        line.table == "user_customuser" and line.action == "old URL kept" for line in report.lines
    )


def test_the_folder_source_never_reads_outside_its_folder(tmp_path: Path) -> None:
    source = FolderLegacyImages(tmp_path)
    assert source.path_of(f"{BUCKET}/a/b/image.jpg") == tmp_path.resolve() / "a" / "b" / "image.jpg"
    with pytest.raises(Exception, match="names no file"):
        source.path_of(f"{BUCKET}/a/../../etc/passwd")


async def test_the_http_source_fetches_the_old_public_urls_and_refuses_what_is_not_there() -> None:
    image = png(64, 64)

    def old_bucket(request: httpx.Request) -> httpx.Response:
        # Stands in for S3's public endpoint.
        if request.url.path == "/team/10/image.jpg":
            return httpx.Response(200, content=image)
        if request.url.path == "/moved/image.jpg":
            return httpx.Response(301, headers={"Location": f"{BUCKET}/team/10/image.jpg"})
        return httpx.Response(403, content=b"<Error><Code>AccessDenied</Code></Error>")

    async with httpx.AsyncClient(transport=httpx.MockTransport(old_bucket)) as client:
        source = HttpLegacyImages(client)
        assert await source.fetch(f"{BUCKET}/team/10/image.jpg") == image
        assert await source.fetch(f"{BUCKET}/moved/image.jpg") == image
        with pytest.raises(LegacyImageUnavailable, match="HTTP 403"):
            await source.fetch(f"{BUCKET}/team/11/image.jpg")


def test_the_source_reads_mysql_urls_with_or_without_the_async_driver() -> None:
    assert "aiomysql" in repr(MySqlLegacySource("mysql://u:p@old-host/oldwap")._url)
    assert "charset=utf8mb4" in str(MySqlLegacySource("mysql+aiomysql://u@h/oldwap")._url)
    with pytest.raises(LegacySourceUnavailable):
        MySqlLegacySource("postgresql://u@h/oldwap")
