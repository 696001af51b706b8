"""The import use case with fakes: one transaction, reruns change nothing, dry runs write
nothing, a clash with rows of ours stops it, and ``--images copy`` stores our own images."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.builders import png
from tests.unit.application.test_legacy_mapping import BUCKET, club, old_member, old_team
from wap.adapters.legacy.images import FolderLegacyImages, HttpLegacyImages, object_key
from wap.adapters.legacy.source import MySqlLegacySource
from wap.adapters.media.images import FileImageStore, PillowImageProcessor
from wap.application.errors import Unavailable
from wap.application.legacy.import_legacy import (
    ImageCopier,
    ImageMode,
    ImportLegacy,
    ImportLegacyCommand,
    LegacyImportFailed,
)
from wap.application.legacy.plan import ImportPlan
from wap.application.legacy.ports import (
    LegacyImageSource,
    LegacyImagesUnreachable,
    LegacyImageUnavailable,
    LegacySource,
    LegacySourceUnavailable,
    LegacyTarget,
    Present,
)
from wap.application.legacy.records import LegacySnapshot
from wap.application.media.ports import ImageKind, ProcessedImage, StoredImage
from wap.entrypoints.config import ConfigError, LegacyBucket


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
        self.officers: set[int] = set()

    async def present(self) -> Present:
        found = Present()
        for id_, member in self.members.items():
            found.members[id_] = member.github_id  # type: ignore[attr-defined]
            found.github_ids[member.github_id] = id_  # type: ignore[attr-defined]
        for id_, team in self.teams.items():
            found.teams[id_] = team.title.key  # type: ignore[attr-defined]
            found.title_keys[team.title.key] = id_  # type: ignore[attr-defined]
        found.applications = set(self.applications)
        found.officers = set(self.officers)
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
    url, thumbnail = team.image_url, team.image_thumbnail_url  # type: ignore[attr-defined]
    assert re.fullmatch(r"/media/teams/legacy-10-[0-9a-f]{16}\.webp", url)
    assert thumbnail == url.replace(".webp", ".thumb.webp")
    assert (tmp_path / "media" / url.removeprefix("/media/")).exists()
    assert (tmp_path / "media" / thumbnail.removeprefix("/media/")).exists()
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


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def copying_club(tmp_path: Path) -> tuple[LegacySnapshot, ImageCopier]:
    """Team 10 and member 2 with old images in a local copy of the bucket."""
    old_bucket = tmp_path / "bucket"
    for folder in ("team/10", "user/2"):
        (old_bucket / folder).mkdir(parents=True)
        (old_bucket / folder / "image.jpg").write_bytes(png(300, 300))
    snapshot = club(teams=[old_team(10, 1, image=f"{BUCKET}/team/10/")])
    snapshot.members[1] = old_member(2, image=f"{BUCKET}/user/2/")
    copier = ImageCopier(
        FolderLegacyImages(old_bucket),
        PillowImageProcessor(),
        FileImageStore(tmp_path / "media"),
        5 * 1024 * 1024,
    )
    return snapshot, copier


async def test_images_copied_for_a_transaction_that_fails_are_deleted_again(
    tmp_path: Path,
) -> None:
    snapshot, copier = copying_club(tmp_path)
    target = InMemoryTarget(fail_on_write=True)
    with pytest.raises(LegacyImportFailed) as failed:
        await ImportLegacy(FakeSource(snapshot), target, copier)(
            ImportLegacyCommand(images=ImageMode.COPY)
        )
    assert "writing failed" in str(failed.value.report.error)
    assert target.members == {} and stored_files(tmp_path / "media") == []
    # The same run against a database that takes it keeps both images and their thumbnails.
    target.fail_on_write = False
    await ImportLegacy(FakeSource(snapshot), target, copier)(
        ImportLegacyCommand(images=ImageMode.COPY)
    )
    files = stored_files(tmp_path / "media")
    assert len(files) == 4 and all("legacy-" in f for f in files)
    referenced = {
        target.teams[10].image_url,  # type: ignore[attr-defined]
        target.teams[10].image_thumbnail_url,  # type: ignore[attr-defined]
        target.members[2].avatar_url,  # type: ignore[attr-defined]
        target.members[2].avatar_thumbnail_url,  # type: ignore[attr-defined]
    }
    assert {f"/media/{f}" for f in files} == referenced


class UnreachableAfterOne(LegacyImageSource):
    """The first image arrives, then the old bucket stops answering."""

    def __init__(self, first: LegacyImageSource) -> None:
        self.first, self.calls = first, 0

    async def fetch(self, url: str) -> bytes:
        self.calls += 1
        if self.calls == 1:
            return await self.first.fetch(url)
        raise LegacyImagesUnreachable("connection refused")


class FullStore(FileImageStore):
    """Our store taking one image, then refusing (a full disk, a bucket gone)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.saves = 0

    async def save(self, kind: ImageKind, name: str, image: ProcessedImage) -> StoredImage:
        self.saves += 1
        if self.saves > 1:
            raise Unavailable()
        return await super().save(kind, name, image)


async def test_unreachable_old_images_or_a_failing_store_stop_the_import_and_leave_no_file(
    tmp_path: Path,
) -> None:
    snapshot, copier = copying_club(tmp_path)
    target = InMemoryTarget()
    cut_off = replace(copier, source=UnreachableAfterOne(copier.source))
    with pytest.raises(LegacyImportFailed) as failed:
        await ImportLegacy(FakeSource(snapshot), target, cut_off)(
            ImportLegacyCommand(images=ImageMode.COPY)
        )
    assert "the old images cannot be read (connection refused)" in str(failed.value.report.error)
    assert target.members == {} and target.commits == 0
    assert stored_files(tmp_path / "media") == []

    full = replace(copier, store=FullStore(tmp_path / "media"))
    with pytest.raises(LegacyImportFailed) as refused:
        await ImportLegacy(FakeSource(snapshot), target, full)(
            ImportLegacyCommand(images=ImageMode.COPY)
        )
    assert "our image store refused an image" in str(refused.value.report.error)
    assert target.members == {} and stored_files(tmp_path / "media") == []


async def test_an_import_without_an_officer_says_to_promote_one() -> None:
    target = InMemoryTarget()
    report = await ImportLegacy(FakeSource(club()), target)(ImportLegacyCommand())
    text = report.render(dry_run=False)
    assert "warning: no member of the import is an officer" in text
    assert "wap member promote <github_login>:<github_id>" in text
    assert report.warnings == len(report.lines) + 1
    staffed = club()
    staffed.members[0] = old_member(1, is_staff=True)
    quiet = await ImportLegacy(FakeSource(staffed), InMemoryTarget())(ImportLegacyCommand())
    assert quiet.notices == []
    # A disabled officer is no officer: pending, so the warning stands.
    disabled = club()
    disabled.members[0] = old_member(1, is_staff=True, is_active=False)
    again = await ImportLegacy(FakeSource(disabled), InMemoryTarget())(ImportLegacyCommand())
    assert len(again.notices) == 1


async def test_officers_of_ours_already_present_silence_the_warning() -> None:
    target = InMemoryTarget()
    target.officers.add(1)  # promoted after an earlier run
    report = await ImportLegacy(FakeSource(club()), target)(ImportLegacyCommand())
    assert report.notices == []


def test_old_urls_map_to_object_keys_in_either_s3_url_style() -> None:
    assert object_key(f"{BUCKET}/team/ab12/image.jpg") == "team/ab12/image.jpg"
    assert (
        object_key("https://s3.ap-northeast-2.amazonaws.com/wap-old/user/7/image.jpg")
        == "user/7/image.jpg"
    )
    assert object_key(f"{BUCKET}/user/%EA%B9%80/image.jpg") == "user/김/image.jpg"
    for bad in (f"{BUCKET}/", f"{BUCKET}/a/../../secret/image.jpg"):
        with pytest.raises(LegacyImageUnavailable):
            object_key(bad)


def test_the_old_bucket_is_named_on_the_command_line_and_its_keys_in_its_own_settings() -> None:
    bucket = LegacyBucket.from_env(
        "s3://wap-old/backup/2024/",
        {
            "WAP_LEGACY_S3_ENDPOINT_URL": "https://s3.ap-northeast-2.amazonaws.com/",
            "WAP_LEGACY_S3_REGION": "ap-northeast-2",
            "WAP_LEGACY_S3_ACCESS_KEY_ID": "AKIA-OLD",
            "WAP_LEGACY_S3_SECRET_ACCESS_KEY": "old-secret",
            "WAP_S3_ACCESS_KEY_ID": "ours-not-used",
        },
    )
    assert (bucket.bucket, bucket.prefix) == ("wap-old", "backup/2024")
    assert bucket.region == "ap-northeast-2"
    assert bucket.endpoint_url == "https://s3.ap-northeast-2.amazonaws.com"
    assert (bucket.access_key_id, bucket.secret_access_key) == ("AKIA-OLD", "old-secret")
    plain = LegacyBucket.from_env("s3://wap-old", {})
    assert (plain.prefix, plain.region, plain.access_key_id) == ("", "us-east-1", None)
    for url, env in (
        ("s3://", {}),
        ("https://wap-old.s3.amazonaws.com", {}),
        ("s3://Bad_Bucket", {}),
        ("s3://wap-old", {"WAP_LEGACY_S3_ACCESS_KEY_ID": "only-half"}),
        ("s3://wap-old", {"WAP_LEGACY_S3_ENDPOINT_URL": "ftp://x"}),
    ):
        with pytest.raises(ConfigError):
            LegacyBucket.from_env(url, env)


class LostCommitAnswer(InMemoryTarget):
    """The commit goes through, then the answer is lost (the connection drops after it);
    with ``unreachable_after``, our database cannot even be asked again."""

    def __init__(self, *, landed: bool, unreachable_after: bool = False) -> None:
        super().__init__()
        self.landed, self.unreachable_after, self.failed = landed, unreachable_after, False

    async def commit(self) -> None:
        if self.landed:
            await super().commit()
        self.failed = True
        raise ConnectionResetError("connection reset by peer")

    async def present(self) -> Present:
        if self.failed and self.unreachable_after:
            raise ConnectionRefusedError("our database is gone")
        return await super().present()


async def test_a_commit_whose_answer_is_lost_keeps_the_images_when_the_rows_are_there(
    tmp_path: Path,
) -> None:
    snapshot, copier = copying_club(tmp_path)
    command = ImportLegacyCommand(images=ImageMode.COPY)
    landed = LostCommitAnswer(landed=True)
    report = await ImportLegacy(FakeSource(snapshot), landed, copier)(command)
    assert report.error is None and "the import is complete" in report.notices[-1]
    team = landed.teams[10]
    assert (tmp_path / "media" / team.image_url.removeprefix("/media/")).exists()  # type: ignore[attr-defined]
    assert len(stored_files(tmp_path / "media")) == 4

    unknown = LostCommitAnswer(landed=False, unreachable_after=True)
    with pytest.raises(LegacyImportFailed) as failed:
        await ImportLegacy(FakeSource(snapshot), unknown, copier)(command)
    assert "cannot be told" in failed.value.report.render(dry_run=False)
    assert len(stored_files(tmp_path / "media")) == 8  # kept: the rows may hold them

    lost = LostCommitAnswer(landed=False)
    with pytest.raises(LegacyImportFailed) as nothing:
        await ImportLegacy(FakeSource(snapshot), lost, copier)(command)
    assert "nothing was written" in nothing.value.report.render(dry_run=False)
    assert len(stored_files(tmp_path / "media")) == 8  # this run's four deleted again
