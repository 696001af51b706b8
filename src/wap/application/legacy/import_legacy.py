"""`wap import-legacy`: read the old database, decide (mapping.py), write ours in one
transaction. Old ids are kept as our ids, so a rerun finds what it wrote and adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wap.application.legacy.mapping import plan_import
from wap.application.legacy.plan import ImportPlan, OldImage, Report
from wap.application.legacy.ports import (
    LegacyImageSource,
    LegacyImageUnavailable,
    LegacySource,
    LegacyTarget,
    Present,
)
from wap.application.media.ports import ImageKind, ImageProcessor, ImageStore
from wap.application.media.upload import THUMBNAILS
from wap.domain.errors import WapError


class ImageMode(StrEnum):
    LINK = "link"  # keep the old S3 URLs
    COPY = "copy"  # fetch them and store them as our own images, with our thumbnails


@dataclass(frozen=True, slots=True)
class ImportLegacyCommand:
    dry_run: bool = False
    images: ImageMode = ImageMode.LINK


class LegacyImportFailed(Exception):
    """An error that stops the import: nothing is written. The report says why."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.error)
        self.report = report


@dataclass(frozen=True, slots=True)
class ImageCopier:
    """What ``--images copy`` needs: the old files, our image processor and our store."""

    source: LegacyImageSource
    processor: ImageProcessor
    store: ImageStore
    max_bytes: int


class ImportLegacy:
    def __init__(
        self, source: LegacySource, target: LegacyTarget, copier: ImageCopier | None = None
    ) -> None:
        self._source, self._target, self._copier = source, target, copier

    async def __call__(self, cmd: ImportLegacyCommand) -> Report:
        snapshot = await self._source.snapshot()
        plan = plan_import(snapshot)
        report = plan.report
        present = await self._target.present()
        clash = clashes(plan, present)
        if clash:
            report.error = clash
            raise LegacyImportFailed(report)
        new = plan.only_new(set(present.members), set(present.teams), present.applications)
        count_present(plan, present)
        if cmd.dry_run:
            await self._target.rollback()
            return report
        if cmd.images is ImageMode.COPY and new.images:
            if self._copier is None:
                report.error = "--images copy needs a source of the old images"
                raise LegacyImportFailed(report)
            await copy_images(new, self._copier)
        try:
            await self._target.write(new)
            await self._target.commit()
        except Exception as error:
            await self._target.rollback()
            report.error = f"writing failed ({type(error).__name__}: {error})"
            raise LegacyImportFailed(report) from error
        return report


def clashes(plan: ImportPlan, present: Present) -> str | None:
    """Rows of ours that are not an earlier run's import of the same old rows: the import
    never overwrites them, so it stops before writing anything."""
    for member in plan.members:
        if member.id in present.members and present.members[member.id] != member.github_id:
            return (
                f"our member {member.id} has GitHub id {present.members[member.id]}, the old "
                f"member {member.id} has {member.github_id}: import into an empty database"
            )
        owner = present.github_ids.get(member.github_id)
        if owner is not None and owner != member.id:
            return f"GitHub id {member.github_id} is already our member {owner}, not {member.id}"
        number = member.student_number.value if member.student_number else None
        holder = present.student_numbers.get(number) if number else None
        if holder is not None and holder != member.id:
            return f"student number {number} is already our member {holder}'s, not {member.id}'s"
    for team in plan.teams:
        if team.id in present.teams and present.teams[team.id] != team.title.key:
            return (
                f"our team {team.id} is titled differently from the old team {team.id}: "
                "import into an empty database"
            )
        owner = present.title_keys.get(team.title.key)
        if owner is not None and owner != team.id:
            return f"title {team.title.value!r} is already our team {owner}'s, not {team.id}'s"
    return None


def count_present(plan: ImportPlan, present: Present) -> None:
    totals = plan.report.totals
    totals["user_customuser"].present = sum(m.id in present.members for m in plan.members)
    totals["team_team"].present = sum(t.id in present.teams for t in plan.teams)
    totals["team_teamapply"].present = sum(a.id in present.applications for a in plan.applications)
    old_teams = set(present.teams)
    for table, team_ids in plan.row_teams.items():
        totals[table].present = sum(team_id in old_teams for team_id in team_ids)
    for table in ("user_usertech", "user_userurls"):
        totals[table].present = min(totals[table].imported, totals["user_customuser"].present)


async def copy_images(plan: ImportPlan, copier: ImageCopier) -> None:
    """Fetch each old image and store it as ours with our thumbnail. An image that cannot
    be fetched or read keeps its old URL, and the report says so."""
    owners = {m.id: m for m in plan.members}
    teams = {t.id: t for t in plan.teams}
    for image in plan.images:
        table = "user_customuser" if image.kind is ImageKind.AVATAR else "team_team"
        try:
            stored = await copy_one(image, copier)
        except (LegacyImageUnavailable, WapError) as error:
            plan.report.change(
                table,
                image.owner_id,
                f"image {image.folder_url} not copied ({error})",
                "old URL kept",
            )
            continue
        if image.kind is ImageKind.AVATAR:
            member = owners[image.owner_id]
            member.avatar_url, member.avatar_thumbnail_url = stored
        else:
            team = teams[image.owner_id]
            team.image_url, team.image_thumbnail_url = stored


async def copy_one(image: OldImage, copier: ImageCopier) -> tuple[str, str]:
    data = await copier.source.fetch(image.url)
    processed = await copier.processor.process(
        data, max_bytes=copier.max_bytes, thumbnail=THUMBNAILS[image.kind]
    )
    # A name of its own per owner: a rerun of a failed import writes the same file again.
    stored = await copier.store.save(image.kind, f"legacy-{image.owner_id}", processed)
    return stored.url, stored.thumbnail_url
